import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// How the local API server aggregates extension API servers, as kube-apiserver's flags set it:
/// `--proxy-client-cert-file`/`--proxy-client-key-file` (the identity it presents to backends),
/// `--requestheader-client-ca-file` and `--requestheader-allowed-names` (published in
/// `kube-system/extension-apiserver-authentication` so backends can trust that identity).
///
/// The local cluster has no service network, so `services` maps an APIService's
/// `spec.service` (`NAMESPACE/NAME:PORT`) to a real `HOST:PORT`, like kube-apiserver's
/// service resolver would map it to an endpoint.
public struct AggregationOptions: Sendable {
  public var proxyClientCertificatePEM: String
  public var proxyClientKeyPEM: String
  public var requestHeaderCAPEM: String
  /// Common names the backend should accept on the client certificate (empty: any).
  public var requestHeaderAllowedNames: [String]
  /// `NAMESPACE/NAME:PORT` → `HOST:PORT`.
  public var services: [String: String]
  /// How often APIService availability is rechecked.
  public var availabilityInterval: Duration = .seconds(5)

  public init(
    proxyClientCertificatePEM: String, proxyClientKeyPEM: String, requestHeaderCAPEM: String,
    requestHeaderAllowedNames: [String], services: [String: String]
  ) {
    self.proxyClientCertificatePEM = proxyClientCertificatePEM
    self.proxyClientKeyPEM = proxyClientKeyPEM
    self.requestHeaderCAPEM = requestHeaderCAPEM
    self.requestHeaderAllowedNames = requestHeaderAllowedNames
    self.services = services
  }

  /// Parses `NAMESPACE/NAME:PORT=HOST:PORT`.
  public static func parseServiceMapping(_ s: String) -> (String, String)? {
    let kv = s.split(separator: "=", maxSplits: 1).map(String.init)
    guard kv.count == 2, kv[0].contains("/"), kv[0].contains(":"), kv[1].contains(":") else { return nil }
    return (kv[0], kv[1])
  }
}

/// An APIService that is served by a backend.
struct AggregatedAPI: Sendable {
  var group: String
  var version: String
  var object: JSONValue
  var available: Bool {
    object["status"]["conditions"].arrayValue?.contains { $0["type"] == "Available" && $0["status"] == "True" } ?? false
  }
}

/// The local kube-aggregator: requests under `/apis/GROUP/VERSION/…` of an `apiregistration.k8s.io/v1`
/// APIService with a `spec.service` are authenticated and authorized here as usual, then
/// proxied to the backend with the front-proxy client certificate and `X-Remote-User`,
/// `X-Remote-Group` and `X-Remote-Extra-*` headers (client-supplied ones are dropped, and so
/// are `Authorization` and `Impersonate-*`). Responses stream back as they come, read from the
/// backend only as fast as the client takes them. `/apis` and `/apis/GROUP` list aggregated
/// groups; an availability loop keeps each APIService's `Available` condition current.
final class Aggregator: Sendable {
  private let store: any ClusterStore
  let options = Mutex<AggregationOptions?>(nil)
  let pending = PendingUpgrades()
  private let loop = Mutex<Task<Void, Never>?>(nil)
  static let apiservices = ResourceDescriptor(
    group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", kind: "APIService", namespaced: false)

  init(store: any ClusterStore) { self.store = store }

  var enabled: Bool { options.withLock { $0 != nil } }

  func enable(_ o: AggregationOptions) {
    options.withLock { $0 = o }
    let interval = o.availabilityInterval
    let task = Task { [weak self] in
      while !Task.isCancelled {
        await self?.checkAvailability()
        try? await Task.sleep(for: interval)
      }
    }
    loop.withLock {
      $0?.cancel()
      $0 = task
    }
  }

  func stop() { loop.withLock { $0?.cancel() } }

  /// Adds or changes one service mapping (`NAMESPACE/NAME:PORT` → `HOST:PORT`).
  func map(service: String, to target: String) {
    options.withLock { $0?.services[service] = target }
  }

  /// The aggregated API serving `group/version`, if any.
  func lookup(group: String, version: String) async -> AggregatedAPI? {
    guard enabled, let o = try? await store.get(Self.apiservices, namespace: nil, name: "\(version).\(group)"),
      !o["spec"]["service"].isNull, o["spec"]["service"]["name"].stringValue != nil
    else { return nil }
    return AggregatedAPI(group: group, version: version, object: o)
  }

  private func allServed() async -> [AggregatedAPI] {
    guard enabled,
      let list = try? await store.list(Self.apiservices, namespace: nil, labelSelector: nil, fieldSelector: nil)
    else { return [] }
    return list.items.compactMap { o in
      guard let g = o["spec"]["group"].stringValue, let v = o["spec"]["version"].stringValue,
        o["spec"]["service"]["name"].stringValue != nil
      else { return nil }
      return AggregatedAPI(group: g, version: v, object: o)
    }
  }

  /// `APIGroup` objects for aggregated groups, versions ordered by `versionPriority`.
  func groups() async -> [JSONValue] {
    let served = await allServed()
    var byGroup: [String: [AggregatedAPI]] = [:]
    for a in served { byGroup[a.group, default: []].append(a) }
    return byGroup.keys.sorted().map { g in
      let apis = byGroup[g]!.sorted {
        ($0.object["spec"]["versionPriority"].intValue ?? 0) > ($1.object["spec"]["versionPriority"].intValue ?? 0)
      }
      let versions: [JSONValue] = apis.map {
        ["groupVersion": .string("\(g)/\($0.version)"), "version": .string($0.version)]
      }
      return ["name": .string(g), "versions": .array(versions), "preferredVersion": versions[0]]
    }
  }

  func groupDocument(_ name: String) async -> JSONValue? {
    guard var g = await groups().first(where: { $0["name"].stringValue == name }) else { return nil }
    g["kind"] = "APIGroup"
    g["apiVersion"] = "v1"
    return g
  }

  // MARK: - Proxy

  /// Authorizes `req` like kube-apiserver's filters would for this path, then proxies it.
  func handle(_ h: APIHandler, _ req: HTTPRequest, user: UserInfo, api: AggregatedAPI) async throws -> HTTPResponse {
    let attrs = Self.attributes(req, user: user, api: api)
    let (ok, reason) = await h.authorizer.authorize(attrs)
    if !ok {
      var message: String
      if attrs.isResourceRequest {
        let subject =
          attrs.name.isEmpty ? "\(attrs.resource).\(attrs.group)" : "\(attrs.resource).\(attrs.group) \"\(attrs.name)\""
        message = "\(subject) is forbidden: \(attrs.forbiddenReason)"
      } else {
        message = "forbidden: \(attrs.forbiddenReason)"
      }
      if !reason.isEmpty { message += ": \(reason)" }
      throw Status(
        message: message, reason: "Forbidden",
        details: StatusDetails(name: attrs.name.isEmpty ? nil : attrs.name, group: attrs.group, kind: attrs.resource),
        code: 403)
    }
    guard api.available else { throw Self.unavailable("service unavailable") }
    let endpoint = try endpoint(api)
    guard let o = options.withLock({ $0 }) else { throw Self.unavailable("aggregation is not configured") }
    var headers = req.headers
    Self.setProxyHeaders(&headers, user: user)
    headers.replaceOrAdd(name: "Host", value: "\(endpoint.serverName):\(endpoint.port)")
    // Hop-by-hop headers stay here; the body was read whole, so it goes with a length.
    for name in [
      "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Connection",
    ] {
      headers.remove(name: name)
    }
    if !req.body.isEmpty { headers.replaceOrAdd(name: "Content-Length", value: String(req.body.count)) }
    let head = HTTPRequestHead(version: .http1_1, method: req.method, uri: req.uri, headers: headers)
    let answer: ProxyTransport.Answer
    do {
      answer = try await ProxyTransport.send(
        endpoint, clientIdentity: (o.proxyClientCertificatePEM, o.proxyClientKeyPEM), head: head, body: req.body)
    } catch let s as Status {
      throw s
    } catch {
      throw Self.unavailable("error trying to reach service: \(error)")
    }
    return HTTPResponse(status: answer.status, headers: answer.headers, body: .stream(answer.body))
  }

  /// Drops whatever identity headers the client sent and states the authenticated user.
  static func setProxyHeaders(_ headers: inout HTTPHeaders, user: UserInfo) {
    for (name, _) in headers {
      let n = name.lowercased()
      if n == "authorization" || n == "x-remote-user" || n == "x-remote-group" || n.hasPrefix("x-remote-extra-")
        || n.hasPrefix("impersonate-")
      {
        headers.remove(name: name)
      }
    }
    headers.add(name: "X-Remote-User", value: user.name)
    for g in user.groups { headers.add(name: "X-Remote-Group", value: g) }
    for (key, values) in user.extra.sorted(by: { $0.key < $1.key }) {
      let escaped =
        key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~")))
        ?? key
      for v in values { headers.add(name: "X-Remote-Extra-\(escaped)", value: v) }
    }
  }

  /// kube-apiserver's RequestInfo for an aggregated path: `/apis/G/V` is a non-resource
  /// (discovery) request; below it, namespace, resource, name and subresource come from the
  /// path and the verb from the method. Unlike pods/exec, no GET becomes `create` here:
  /// the backend does its own checks.
  static func attributes(_ req: HTTPRequest, user: UserInfo, api: AggregatedAPI) -> AuthorizationAttributes {
    let segs = req.path.split(separator: "/").map(String.init)
    var rest = Array(segs.dropFirst(3))
    guard !rest.isEmpty else {
      return AuthorizationAttributes(
        user: user, verb: req.method == .GET || req.method == .HEAD ? "get" : req.method.rawValue.lowercased(),
        isResourceRequest: false, path: req.path)
    }
    var namespace = ""
    if rest.count >= 2, rest[0] == "namespaces" {
      namespace = rest[1]
      if rest.count > 2 { rest = Array(rest.dropFirst(2)) }
    }
    let resource = rest[0]
    let name = rest.count > 1 ? rest[1] : ""
    let sub = rest.count > 2 ? rest[2] : ""
    let verb: String
    switch req.method {
    case .GET, .HEAD: verb = req.flag("watch") ? "watch" : (name.isEmpty ? "list" : "get")
    case .POST: verb = "create"
    case .PUT: verb = "update"
    case .PATCH: verb = "patch"
    case .DELETE: verb = name.isEmpty ? "deletecollection" : "delete"
    default: verb = req.method.rawValue.lowercased()
    }
    return AuthorizationAttributes(
      user: user, verb: verb, namespace: namespace, group: api.group, version: api.version, resource: resource,
      subresource: sub, name: name)
  }

  func endpoint(_ api: AggregatedAPI) throws -> ProxyEndpoint {
    let svc = api.object["spec"]["service"]
    let ns = svc["namespace"].stringValue ?? ""
    let name = svc["name"].stringValue ?? ""
    let port = svc["port"].intValue ?? 443
    let key = "\(ns)/\(name):\(port)"
    guard let target = options.withLock({ $0?.services[key] }), let colon = target.lastIndex(of: ":"),
      let p = Int(target[target.index(after: colon)...])
    else {
      throw Self.unavailable(
        "service \(key) has no endpoint: the local cluster has no service network; map it at start (--aggregator-service \(key)=HOST:PORT)"
      )
    }
    var ca: String?
    if let b64 = api.object["spec"]["caBundle"].stringValue, let data = Data(base64Encoded: b64) {
      ca = String(decoding: data, as: UTF8.self)
    }
    return ProxyEndpoint(
      host: String(target[..<colon]), port: p, serverName: "\(name).\(ns).svc", caBundlePEM: ca,
      insecureSkipTLSVerify: api.object["spec"]["insecureSkipTLSVerify"].boolValue == true)
  }

  static func unavailable(_ message: String) -> Status {
    Status(message: message, reason: "ServiceUnavailable", code: 503)
  }

  // MARK: - Availability

  /// Probes `/apis/G/V` of every aggregated APIService (as kube-aggregator's availability
  /// controller does; 401 and 403 count as reachable) and writes the `Available` condition
  /// when it changes.
  func checkAvailability() async {
    for api in await allServed() { await check(api) }
  }

  func check(_ api: AggregatedAPI) async {
    var status = "True"
    var reason = "Passed"
    var message = "all checks passed"
    do {
      let endpoint: ProxyEndpoint
      do {
        endpoint = try self.endpoint(api)
      } catch let s as Status {
        throw ServiceNotFound(message: s.message ?? "service not found")
      }
      guard let o = options.withLock({ $0 }) else { return }
      var headers = HTTPHeaders([("Host", "\(endpoint.serverName):\(endpoint.port)"), ("Accept", "application/json")])
      Self.setProxyHeaders(
        &headers, user: UserInfo(name: "system:kube-aggregator", uid: "", groups: ["system:masters"]))
      let head = HTTPRequestHead(
        version: .http1_1, method: .GET, uri: "/apis/\(api.group)/\(api.version)", headers: headers)
      let answer = try await ProxyTransport.send(
        endpoint, clientIdentity: (o.proxyClientCertificatePEM, o.proxyClientKeyPEM), head: head, body: [],
        connectTimeout: .seconds(3))
      for await _ in answer.body {}
      if !((200..<300).contains(answer.status) || answer.status == 401 || answer.status == 403) {
        status = "False"
        reason = "FailedDiscoveryCheck"
        message =
          "failing or missing response from https://\(endpoint.host):\(endpoint.port)/apis/\(api.group)/\(api.version): bad status from https://\(endpoint.host):\(endpoint.port)/apis/\(api.group)/\(api.version): \(answer.status)"
      }
    } catch let e as ServiceNotFound {
      status = "False"
      reason = "ServiceNotFound"
      message = e.message
    } catch let s as Status {
      status = "False"
      reason = "FailedDiscoveryCheck"
      message = "failing or missing response: \(s.message ?? "")"
    } catch {
      status = "False"
      reason = "FailedDiscoveryCheck"
      message = "failing or missing response: \(error)"
    }
    let current = (api.object["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Available" }
    if current?["status"].stringValue == status && current?["reason"].stringValue == reason { return }
    var obj = api.object
    let condition: JSONValue = [
      "type": "Available", "status": .string(status), "reason": .string(reason), "message": .string(message),
      "lastTransitionTime": .string(Time.now().description),
    ]
    obj["status"] = ["conditions": [condition]]
    _ = try? await store.updateStatus(Self.apiservices, namespace: nil, object: obj)
  }
}

extension Aggregator {
  static let authenticationConfigMap = ResourceDescriptor(
    group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)

  /// Writes the requestheader settings into `kube-system/extension-apiserver-authentication`
  /// (the keys kube-apiserver writes: the CA, allowed names, and the header names as JSON lists).
  static func publishAuthenticationConfigMap(_ o: AggregationOptions, store: any ClusterStore) async throws {
    var cm = try await store.get(
      authenticationConfigMap, namespace: "kube-system", name: "extension-apiserver-authentication")
    let names = String(
      decoding: JSONValue.array(o.requestHeaderAllowedNames.map { .string($0) }).serialized(), as: UTF8.self)
    cm["data"]["requestheader-client-ca-file"] = .string(o.requestHeaderCAPEM)
    cm["data"]["requestheader-allowed-names"] = .string(names)
    cm["data"]["requestheader-username-headers"] = #"["X-Remote-User"]"#
    cm["data"]["requestheader-group-headers"] = #"["X-Remote-Group"]"#
    cm["data"]["requestheader-extra-headers-prefix"] = #"["X-Remote-Extra-"]"#
    _ = try await store.update(authenticationConfigMap, namespace: "kube-system", object: cm)
  }
}

private struct ServiceNotFound: Error {
  var message: String
}
