import CRDModels
import Foundation

/// Verbs on one resource in one namespace (or cluster-wide), for typed objects or JSON.
///
/// Get one from ``KubernetesClient/api(_:namespace:)`` or ``KubernetesClient/dynamic(_:namespace:)``.
public struct Api<K: Codable & Sendable>: Sendable {
  public let client: KubernetesClient
  public let resource: ResourceDescriptor
  /// nil: all namespaces, or a cluster-scoped resource.
  public let namespace: String?
  public let identity: IdentityReader<K>

  public init(
    client: KubernetesClient, resource: ResourceDescriptor, namespace: String?, identity: @escaping IdentityReader<K>
  ) {
    self.client = client
    self.resource = resource
    self.namespace = namespace
    self.identity = identity
  }

  /// The same resource in another namespace.
  public func namespaced(_ ns: String?) -> Api<K> {
    Api(client: client, resource: resource, namespace: resource.namespaced ? ns : nil, identity: identity)
  }

  func path(_ name: String? = nil, _ sub: String? = nil) -> String {
    resource.path(namespace: namespace, name: name.map(Self.escapeSegment), subresource: sub)
  }

  static func escapeSegment(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? s
  }

  func requireNamespace(_ verb: String) throws {
    if resource.namespaced && namespace == nil {
      throw KubeError.invalid("\(verb) \(resource): a namespace is required (this Api lists all namespaces)")
    }
  }

  private func body<T: Encodable>(_ v: T) throws -> [UInt8] { try KubeJSON.encodeBytes(v) }

  // MARK: read

  public func get(_ name: String) async throws -> K {
    try requireNamespace("get")
    return try await client.send(KubeRequest(method: "GET", path: path(name)), as: K.self)
  }

  /// nil when the object does not exist.
  public func getIfExists(_ name: String) async throws -> K? {
    do { return try await get(name) } catch let e as KubeError where e.isNotFound { return nil }
  }

  /// One page (or, without `limit`, everything).
  public func list(_ params: ListParams = ListParams()) async throws -> ObjectList<K> {
    try await client.send(KubeRequest(method: "GET", path: path(), query: params.query), as: ObjectList<K>.self)
  }

  /// Every page, `pageSize` objects at a time. When a continue token expires (410) the list
  /// restarts from the first page, at most `maxRestarts` times. The result's
  /// `metadata.resourceVersion` is that of the last page, ready to start a watch from.
  public func listAll(
    _ params: ListParams = ListParams(), pageSize: Int = 500, maxRestarts: Int = 3
  ) async throws
    -> ObjectList<K>
  {
    var restarts = 0
    restart: while true {
      var p = params
      p.limit = pageSize
      p.continueToken = nil
      var items: [K] = []
      var last: ObjectList<K>
      repeat {
        do {
          last = try await list(p)
        } catch let e as KubeError where e.isGone && p.continueToken != nil && restarts < maxRestarts {
          restarts += 1
          client.logger.debug("continue token expired, restarting the list", metadata: ["resource": "\(resource)"])
          continue restart
        }
        items.append(contentsOf: last.items)
        p.continueToken = last.metadata.continue
        // A continue token pins the snapshot; the resourceVersion must not be sent with it.
        p.resourceVersion = nil
        p.resourceVersionMatch = nil
      } while !(p.continueToken ?? "").isEmpty
      return ObjectList(
        apiVersion: last.apiVersion, kind: last.kind,
        metadata: ListMeta(resourceVersion: last.metadata.resourceVersion), items: items)
    }
  }

  // MARK: write

  public func create(_ object: K, _ params: PostParams = PostParams()) async throws -> K {
    try requireNamespace("create")
    return try await client.send(
      KubeRequest(
        method: "POST", path: path(), query: params.query, body: body(object), contentType: "application/json"),
      as: K.self)
  }

  /// PUT. With `metadata.resourceVersion` set this answers 409 Conflict if the object changed.
  public func replace(_ object: K, _ params: PostParams = PostParams()) async throws -> K {
    try await put(object, sub: nil, params)
  }

  public func delete(_ name: String, _ params: DeleteParams = DeleteParams()) async throws -> DeleteResult<K> {
    try requireNamespace("delete")
    let bytes = try await client.send(
      KubeRequest(method: "DELETE", path: path(name), body: body(params.body), contentType: "application/json"))
    // The server answers with the object while finalizers or graceful deletion keep it
    // around, and with a Success Status once it is gone.
    if let s = try? KubeJSON.decode(Status.self, from: bytes), s.kind == "Status" {
      return .deleted(s)
    }
    return .deleting(try KubernetesClient.decode(K.self, bytes, context: "DELETE \(path(name))"))
  }

  /// Deletes every object matching the selectors (`deletecollection`).
  public func deleteCollection(_ list: ListParams = ListParams(), _ params: DeleteParams = DeleteParams()) async throws
  {
    try requireNamespace("deletecollection")
    _ = try await client.send(
      KubeRequest(
        method: "DELETE", path: path(), query: list.query, body: body(params.body), contentType: "application/json"))
  }

  public func patch(_ name: String, _ patch: Patch, _ params: PatchParams = PatchParams()) async throws -> K {
    try await doPatch(name, nil, patch, params)
  }

  /// Server-side apply of `object` (which must carry apiVersion, kind and metadata.name).
  public func apply(_ object: K, fieldManager: String, force: Bool = true) async throws -> K {
    let json = try JSONValue(encoding: object)
    guard let name = json["metadata"]["name"].stringValue else {
      throw KubeError.invalid("apply \(resource): metadata.name is required")
    }
    return try await patch(name, .apply(json), PatchParams(fieldManager: fieldManager, force: force))
  }

  // MARK: status subresource

  public func getStatus(_ name: String) async throws -> K {
    try requireNamespace("get")
    return try await client.send(KubeRequest(method: "GET", path: path(name, "status")), as: K.self)
  }

  /// PUT to `/status`: only `.status` changes; `metadata.resourceVersion` is checked.
  public func replaceStatus(_ object: K, _ params: PostParams = PostParams()) async throws -> K {
    try await put(object, sub: "status", params)
  }

  public func patchStatus(_ name: String, _ patch: Patch, _ params: PatchParams = PatchParams()) async throws -> K {
    try await doPatch(name, "status", patch, params)
  }

  // MARK: helpers

  private func put(_ object: K, sub: String?, _ params: PostParams) async throws -> K {
    try requireNamespace("update")
    guard let name = identity(object).name, !name.isEmpty else {
      throw KubeError.invalid("update \(resource): metadata.name is required")
    }
    return try await client.send(
      KubeRequest(
        method: "PUT", path: path(name, sub), query: params.query, body: body(object), contentType: "application/json"),
      as: K.self)
  }

  private func doPatch(_ name: String, _ sub: String?, _ patch: Patch, _ params: PatchParams) async throws -> K {
    try requireNamespace("patch")
    if case .apply = patch, params.fieldManager == nil {
      throw KubeError.invalid("server-side apply of \(resource) \(name): fieldManager is required")
    }
    var p = params
    if case .apply = patch {} else { p.force = false }
    return try await client.send(
      KubeRequest(
        method: "PATCH", path: path(name, sub), query: p.query, body: try patch.body(), contentType: patch.contentType),
      as: K.self)
  }
}

/// What a delete answered.
public enum DeleteResult<K: Sendable>: Sendable {
  /// The object still exists (finalizers or a grace period), with `deletionTimestamp` set.
  case deleting(K)
  /// The object is gone.
  case deleted(Status)
}
