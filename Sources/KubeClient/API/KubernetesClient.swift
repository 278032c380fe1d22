import CRDModels
import Foundation
import Logging

/// The entry point: a configured connection to one API server.
///
/// ```swift
/// let client = try KubernetesClient(configuration: .load())
/// defer { Task { try await client.shutdown() } }
/// let pods = client.api(Pod.self)                         // the context's namespace
/// let cm = try await client.api(ConfigMap.self, namespace: "kube-system").get("coredns")
/// let any = client.dynamic(ResourceDescriptor(group: "apps", version: "v1", plural: "deployments",
///                                             kind: "Deployment", namespaced: true))
/// ```
///
/// One client holds one connection pool; share it. Call ``shutdown()`` before dropping it.
public final class KubernetesClient: Sendable {
  public let transport: KubeTransport
  /// Objects decoded moments ago, so a write's answer and its echo in a watch are decoded once.
  let recent = RecentlyDecoded()
  public var configuration: ClientConfiguration { transport.configuration }
  /// The namespace of the kubeconfig context or service account.
  public var defaultNamespace: String { transport.configuration.namespace }
  let logger: Logger

  public init(
    configuration: ClientConfiguration, metrics: RequestMetricsHook? = nil,
    logger: Logger = Logger(label: "gra.kubeclient")
  ) throws {
    self.transport = try KubeTransport(configuration: configuration, metrics: metrics, logger: logger)
    self.logger = logger
  }

  public init(transport: KubeTransport, logger: Logger = Logger(label: "gra.kubeclient")) {
    self.transport = transport
    self.logger = logger
  }

  /// A client from `KUBECONFIG`, the in-cluster service account or `~/.kube/config`.
  public static func fromEnvironment(overrides: KubeconfigOverrides = KubeconfigOverrides()) throws -> KubernetesClient
  {
    try KubernetesClient(configuration: ClientConfiguration.load(overrides: overrides))
  }

  public func shutdown() async throws { try await transport.shutdown() }

  /// A typed API for `K` in `namespace` (nil: the default namespace for namespaced kinds;
  /// use ``allNamespaces(_:)`` to list across namespaces).
  public func api<K: KubernetesObject>(_ type: K.Type, namespace: String? = nil) -> Api<K> {
    Api(
      client: self, resource: K.resource, namespace: K.resource.namespaced ? (namespace ?? defaultNamespace) : nil,
      identity: { $0.identity })
  }

  /// A typed API for `K` across all namespaces (list and watch only make sense here).
  public func allNamespaces<K: KubernetesObject>(_ type: K.Type) -> Api<K> {
    Api(client: self, resource: K.resource, namespace: nil, identity: { $0.identity })
  }

  /// An untyped API for any resource; objects are ``DynamicObject`` (JSON).
  /// `namespace: nil` means all namespaces (or a cluster-scoped resource).
  public func dynamic(_ resource: ResourceDescriptor, namespace: String? = nil) -> Api<DynamicObject> {
    Api(client: self, resource: resource, namespace: resource.namespaced ? namespace : nil, identity: { $0.identity })
  }

  /// Sends any request and returns the body of a 2xx answer; errors are ``KubeError``s.
  public func send(_ r: KubeRequest) async throws -> [UInt8] {
    try await transport.send(r).body
  }

  /// Sends any request and decodes the 2xx answer.
  public func send<T: Decodable>(_ r: KubeRequest, as type: T.Type) async throws -> T {
    // Before the request: its echo may come back before its answer.
    if r.method != "GET" { recent.wrote() }
    let body = try await send(r)
    guard r.method != "GET", recent.watching, T.self is any KubernetesObject.Type else {
      return try Self.decode(T.self, body, context: "\(r.method) \(r.path)")
    }
    // A write's answer: its echo in a watch may have been decoded already, or may come next.
    if let echoed = recent.take(body[...], as: T.self) { return echoed }
    let value = try Self.decode(T.self, body, context: "\(r.method) \(r.path)")
    if let object = value as? any KubernetesObject { recent.remember(body[...], object) }
    return value
  }

  static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], context: String) throws -> T {
    do {
      return try KubeJSON.decode(T.self, from: body)
    } catch let e as DecodingError {
      throw KubeError.decoding("\(context): \(T.self): \(describe(e))")
    }
  }

  /// A one-line description of a `DecodingError` with its JSON path.
  static func describe(_ e: DecodingError) -> String {
    func path(_ c: [any CodingKey]) -> String {
      c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
    switch e {
    case .keyNotFound(let k, let ctx): return "\(path(ctx.codingPath + [k])) is missing"
    case .typeMismatch(let t, let ctx): return "\(path(ctx.codingPath)) is not a \(t)"
    case .valueNotFound(let t, let ctx): return "\(path(ctx.codingPath)) is null, want \(t)"
    case .dataCorrupted(let ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
    @unknown default: return "\(e)"
    }
  }
}
