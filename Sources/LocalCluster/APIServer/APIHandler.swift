import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket
import Synchronization

/// Settings of the HTTP API layer.
struct APIConfig: Sendable {
  var bookmarkInterval: Duration = .seconds(60)
  /// Range the server picks a watch timeout from when the client sends none (kube: 1800–3600 s).
  var defaultWatchTimeout: ClosedRange<Int> = 1800...3600
  var serverAddress: String = "127.0.0.1:0"
}

/// Holds the kubelet's ``NodeAgent`` once one is attached.
final class NodeAgentSlot: Sendable {
  private let slot = Mutex<(any NodeAgent)?>(nil)
  var agent: (any NodeAgent)? { slot.withLock { $0 } }
  func set(_ a: any NodeAgent) { slot.withLock { $0 = a } }
}

/// The server's `host:port`, known once bound.
final class PortBox: Sendable {
  private let v = Mutex("")
  var value: String { v.withLock { $0 } }
  func set(_ s: String) { v.withLock { $0 = s } }
}

/// Where a request goes, after the path is parsed.
enum Route: Sendable {
  case version, health, api, apis
  case group(String)
  case resourceList(group: String, version: String)
  case openAPIV2
  case openAPIV3(String?)
  case resource(ResourceInfo, namespace: String?, name: String?, subresource: String?)
  /// Served by an extension API server behind an APIService (Aggregator.swift).
  case aggregated(AggregatedAPI)
  case notFound
}

/// The kube-apiserver HTTP semantics: authentication, authorization, routing, and the REST verbs.
final class APIHandler: HTTPHandling {
  let store: ObjectStore
  let authenticator: TokenAuthenticator
  let authorizer: any Authorizing
  let config: APIConfig
  let agents = NodeAgentSlot()
  let faults = FaultInjector()
  let schema: any SchemaProcessing
  let portBox: PortBox
  let aggregator: Aggregator

  init(
    store: ObjectStore, authenticator: TokenAuthenticator, authorizer: any Authorizing, config: APIConfig,
    schema: any SchemaProcessing, portBox: PortBox
  ) {
    self.portBox = portBox
    self.aggregator = Aggregator(store: StoreAdapter(store: store))
    self.store = store
    self.authenticator = authenticator
    self.authorizer = authorizer
    self.config = config
    self.schema = schema
  }

  // MARK: - Entry

  func handle(_ req: HTTPRequest) async -> HTTPResponse {
    if let injected = faults.answer(req) { return injected }
    do {
      return try await handleThrowing(req)
    } catch let s as Status {
      return .status(s)
    } catch {
      return .status(APIErrors.internalError("\(error)"))
    }
  }

  func authenticate(_ headers: HTTPHeaders) async throws -> UserInfo {
    guard let h = headers.first(name: "Authorization") else { throw APIErrors.unauthorized() }
    let parts = h.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer",
      let user = await authenticator.authenticate(String(parts[1]).trimmed)
    else { throw APIErrors.unauthorized() }
    return try await impersonate(user, headers)
  }

  /// `Impersonate-User` / `Impersonate-Group` headers, allowed by the `impersonate` verb.
  private func impersonate(_ user: UserInfo, _ headers: HTTPHeaders) async throws -> UserInfo {
    guard let target = headers.first(name: "Impersonate-User") else { return user }
    let groups = headers["Impersonate-Group"]
    var checks = [AuthorizationAttributes(user: user, verb: "impersonate", resource: "users", name: target)]
    if target.hasPrefix("system:serviceaccount:") {
      let p = target.split(separator: ":")
      if p.count == 4 {
        checks = [
          AuthorizationAttributes(
            user: user, verb: "impersonate", namespace: String(p[2]), resource: "serviceaccounts", name: String(p[3]))
        ]
      }
    }
    for g in groups {
      checks.append(AuthorizationAttributes(user: user, verb: "impersonate", resource: "groups", name: g))
    }
    for a in checks {
      let (ok, _) = await authorizer.authorize(a)
      if !ok {
        let what = a.resource == "groups" ? "group" : (a.resource == "serviceaccounts" ? "serviceaccount" : "user")
        throw APIErrors.forbidden(
          nil, name: nil,
          message:
            "\(a.resource) \"\(a.name)\" is forbidden: User \"\(user.name)\" cannot impersonate resource \"\(a.resource)\" in API group \"\" \(a.namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(a.namespace)\"")"
            .replacingOccurrences(of: "\u{0}", with: what))
      }
    }
    var g = groups
    if !g.contains("system:authenticated") { g.append("system:authenticated") }
    return UserInfo(name: target, uid: "", groups: g)
  }

  private func handleThrowing(_ req: HTTPRequest) async throws -> HTTPResponse {
    let route = await self.route(req.path)
    switch route {
    case .health:
      return HTTPResponse(
        status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array("ok".utf8)))
    case .version:
      return .json(200, Discovery.version)
    default: break
    }
    let user = try await authenticate(req.headers)
    switch route {
    case .resource(let r, let ns, let name, let sub):
      let verb = Self.verb(req, name: name, subresource: sub)
      let attrs = AuthorizationAttributes(
        user: user, verb: verb, namespace: ns ?? "", group: r.group, version: r.version, resource: r.plural,
        subresource: sub ?? "", name: name ?? "")
      let (ok, reason) = await authorizer.authorize(attrs)
      if !ok {
        let subject = name.map { "\(r.qualifiedResource) \"\($0)\"" } ?? r.qualifiedResource
        var message = "\(subject) is forbidden: \(attrs.forbiddenReason)"
        if !reason.isEmpty { message += ": \(reason)" }
        throw APIErrors.forbidden(r, name: name, message: message)
      }
      return try await handleResource(req, r, namespace: ns, name: name, subresource: sub, verb: verb, user: user)
    case .aggregated(let api):
      return try await aggregator.handle(self, req, user: user, api: api)
    case .notFound:
      try await authorizePath(user, req)
      return .status(APIErrors.pathNotFound())
    default:
      try await authorizePath(user, req)
      return try await handleNonResource(req, route)
    }
  }

  private func authorizePath(_ user: UserInfo, _ req: HTTPRequest) async throws {
    let attrs = AuthorizationAttributes(
      user: user, verb: req.method.rawValue.lowercased() == "get" ? "get" : req.method.rawValue.lowercased(),
      isResourceRequest: false, path: req.path)
    let (ok, _) = await authorizer.authorize(attrs)
    if !ok { throw APIErrors.forbidden(nil, name: nil, message: "forbidden: \(attrs.forbiddenReason)") }
  }

  static func verb(_ req: HTTPRequest, name: String?, subresource: String?) -> String {
    switch req.method {
    case .GET, .HEAD:
      if let sub = subresource, ["exec", "attach", "portforward"].contains(sub) { return "create" }
      if req.flag("watch") { return "watch" }
      return name == nil ? "list" : "get"
    case .POST: return "create"
    case .PUT: return "update"
    case .PATCH: return "patch"
    case .DELETE: return name == nil ? "deletecollection" : "delete"
    default: return req.method.rawValue.lowercased()
    }
  }

  // MARK: - Routing

  func route(_ path: String) async -> Route {
    let segs = path.split(separator: "/").map(String.init)
    if segs.isEmpty { return .notFound }
    switch segs[0] {
    case "version": return segs.count == 1 ? .version : .notFound
    case "healthz", "livez", "readyz": return .health
    case "openapi":
      if segs.count == 2 && segs[1] == "v2" { return .openAPIV2 }
      if segs.count >= 2 && segs[1] == "v3" {
        return .openAPIV3(segs.count > 2 ? segs[2...].joined(separator: "/") : nil)
      }
      return .notFound
    case "api":
      if segs.count == 1 { return .api }
      guard segs[1] == "v1" else { return .notFound }
      if segs.count == 2 { return .resourceList(group: "", version: "v1") }
      return await resourceRoute(group: "", version: "v1", rest: Array(segs[2...]))
    case "apis":
      if segs.count == 1 { return .apis }
      if segs.count == 2 { return .group(segs[1]) }
      if let api = await aggregator.lookup(group: segs[1], version: segs[2]) { return .aggregated(api) }
      if segs.count == 3 { return .resourceList(group: segs[1], version: segs[2]) }
      return await resourceRoute(group: segs[1], version: segs[2], rest: Array(segs[3...]))
    default: return .notFound
    }
  }

  private func resourceRoute(group: String, version: String, rest: [String]) async -> Route {
    var ns: String?
    var parts = rest
    if parts.count >= 3, parts[0] == "namespaces", !(parts.count == 3 && ["status", "finalize"].contains(parts[2])) {
      ns = parts[1]
      parts = Array(parts[2...])
    }
    guard !parts.isEmpty, parts.count <= 3, let r = await store.lookup(group: group, version: version, plural: parts[0])
    else {
      return .notFound
    }
    if r.namespaced != (ns != nil) && parts.count > 1 && r.namespaced { return .notFound }
    if !r.namespaced && ns != nil { return .notFound }
    let name = parts.count > 1 ? parts[1] : nil
    let sub = parts.count > 2 ? parts[2] : nil
    if let sub, !r.subresources.contains(sub) { return .notFound }
    return .resource(r, namespace: ns, name: name, subresource: sub)
  }

  // MARK: - Non-resource endpoints

  private func handleNonResource(_ req: HTTPRequest, _ route: Route) async throws -> HTTPResponse {
    guard req.method == .GET || req.method == .HEAD else { return .status(APIErrors.methodNotAllowed()) }
    let registry = await store.snapshotRegistry()
    switch route {
    case .api:
      if Discovery.wantsAggregated(req) {
        return .json(200, Discovery.aggregated(registry, legacy: true), headers: Discovery.aggregatedHeaders)
      }
      return .json(200, Discovery.apiVersions(serverAddress: portBox.value))
    case .apis:
      if Discovery.wantsAggregated(req) {
        return .json(200, Discovery.aggregated(registry, legacy: false), headers: Discovery.aggregatedHeaders)
      }
      var list = Discovery.groupList(registry)
      if aggregator.enabled { list["groups"] = .array((list["groups"].arrayValue ?? []) + (await aggregator.groups())) }
      return .json(200, list)
    case .group(let g):
      var doc = Discovery.group(registry, g)
      if doc == nil { doc = await aggregator.groupDocument(g) }
      guard let v = doc else { return .status(APIErrors.pathNotFound()) }
      return .json(200, v)
    case .resourceList(let g, let v):
      guard let list = Discovery.resourceList(registry, group: g, version: v) else {
        return .status(APIErrors.pathNotFound())
      }
      return .json(200, list)
    case .openAPIV2:
      return OpenAPI.v2(req, registry)
    case .openAPIV3(let sub):
      return OpenAPI.v3(req, registry, path: sub)
    default:
      return .status(APIErrors.pathNotFound())
    }
  }

  // MARK: - Resource verbs

  private func handleResource(
    _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, name: String?, subresource: String?, verb: String,
    user: UserInfo
  ) async throws -> HTTPResponse {
    let table = TableConverter.wantsTable(req)
    if !table && !Self.acceptsJSON(req) { throw APIErrors.notAcceptable() }
    let dryRun = (req.query["dryRun"] ?? []).contains("All")
    if let dr = req.query["dryRun"], dr.contains(where: { $0 != "All" }) {
      throw APIErrors.badRequest(
        "Invalid dry run value: \(dr.filter { $0 != "All" }.first ?? "") (valid values are [All])")
    }
    if r.virtual {
      guard req.method == .POST else { throw APIErrors.methodNotAllowed() }
      return try await Reviews.handle(self, req, r, namespace: namespace, user: user)
    }
    switch (req.method, name, subresource) {
    case (.GET, nil, _), (.HEAD, nil, _):
      if verb == "watch" { return try await watch(req, r, namespace: namespace, name: nil, table: table) }
      return try await list(req, r, namespace: namespace, table: table)
    case (.GET, let n?, nil), (.GET, let n?, "status"):
      if verb == "watch" { return try await watch(req, r, namespace: namespace, name: n, table: table) }
      let obj = try await store.get(r, namespace: namespace, name: n)
      if table { return .json(200, TableConverter.table(r, [obj], req: req, listRV: nil, continueToken: nil)) }
      return .json(200, obj)
    case (.GET, let n?, "log"):
      return try await Streaming.logs(self, req, r, namespace: namespace ?? "", name: n)
    case (.GET, let n?, "exec"), (.GET, let n?, "attach"), (.GET, let n?, "portforward"), (.POST, let n?, "exec"),
      (.POST, let n?, "attach"), (.POST, let n?, "portforward"):
      throw await Streaming.refusal(self, req, r, namespace: namespace ?? "", name: n, subresource: subresource ?? "")
    case (.POST, nil, nil):
      return try await create(req, r, namespace: namespace, dryRun: dryRun)
    case (.POST, let n?, "token"):
      return try await Reviews.tokenRequest(self, req, namespace: namespace ?? "", name: n)
    case (.POST, let n?, "binding"):
      return try await bind(req, r, namespace: namespace ?? "", name: n)
    case (.POST, let n?, "eviction"):
      _ = try await store.delete(r, namespace: namespace, name: n, options: DeleteRequest())
      return .json(201, Status(status: "Success", code: 201).jsonValue)
    case (.PUT, let n?, nil), (.PUT, let n?, "status"), (.PUT, let n?, "finalize"):
      return try await update(req, r, namespace: namespace, name: n, subresource: subresource, dryRun: dryRun)
    case (.PATCH, let n?, nil), (.PATCH, let n?, "status"):
      return try await Patching.patch(
        self, req, r, namespace: namespace, name: n, subresource: subresource, dryRun: dryRun)
    case (.DELETE, let n?, nil):
      return try await delete(req, r, namespace: namespace, name: n, dryRun: dryRun)
    case (.DELETE, nil, nil):
      guard r.verbs.contains("deletecollection") else { throw APIErrors.methodNotAllowed() }
      let matcher = try Self.matcher(req, r)
      let opts = try Self.deleteOptions(req, dryRun: dryRun)
      let items = try await store.deleteCollection(r, namespace: namespace, matches: matcher, options: opts)
      return .json(
        200, Self.listObject(r, items, rv: await store.currentResourceVersion, continueToken: nil, remaining: nil))
    default:
      throw APIErrors.methodNotAllowed()
    }
  }

  static func acceptsJSON(_ req: HTTPRequest) -> Bool {
    guard let accept = req.header("Accept"), !accept.isEmpty, accept != "application/json" else { return true }
    for part in accept.split(separator: ",") {
      let t = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
      if t == "application/json" || t == "*/*" || t == "application/*" || t == "application/yaml" { return true }
    }
    return false
  }

  static func body(_ req: HTTPRequest) throws -> JSONValue {
    guard !req.body.isEmpty else { throw APIErrors.badRequest("the body of the request was empty") }
    let ct = (req.header("Content-Type") ?? "application/json").lowercased()
    if ct.contains("yaml") { return try YAMLBody.decode(req.body) }
    let mediaType = ct.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    if mediaType == "application/vnd.kubernetes.protobuf" { return try ProtobufBody.decode(req.body) }
    if !mediaType.isEmpty && mediaType != "application/json" && mediaType != "*/*" {
      // Protobuf and CBOR are not spoken; client-go falls back to JSON on 415.
      throw APIErrors.unsupportedMediaType(mediaType, accepted: ["application/json", "application/yaml"])
    }
    do {
      return try JSONValue.parse(req.body)
    } catch {
      throw APIErrors.badRequest("couldn't get version/kind; json parse error: \(error)")
    }
  }

  static func matcher(
    _ req: HTTPRequest, _ r: ResourceInfo, name: String? = nil
  ) throws -> @Sendable (JSONValue) -> Bool {
    let labels = try req.q("labelSelector").map { try LabelSelector.parse($0) }
    var fields = try req.q("fieldSelector").map { try FieldSelector.parse($0, for: r) }
    if let name {
      var f = fields ?? FieldSelector()
      f.terms.append(FieldSelector.Term(field: "metadata.name", value: name, negated: false))
      fields = f
    }
    let l = labels
    let f = fields
    return { obj in
      if let l {
        let ls = (obj["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
        if !l.matches(ls) { return false }
      }
      if let f, !f.matches(obj) { return false }
      return true
    }
  }

  static func listObject(
    _ r: ResourceInfo, _ items: [JSONValue], rv: String, continueToken: String?, remaining: Int64?
  ) -> JSONValue {
    var meta: [String: JSONValue] = ["resourceVersion": .string(rv)]
    if let c = continueToken { meta["continue"] = .string(c) }
    if let rem = remaining { meta["remainingItemCount"] = .int(rem) }
    return .object([
      "apiVersion": .string(r.apiVersion), "kind": .string(r.listKind), "metadata": .object(meta),
      "items": .array(items),
    ])
  }

  private func list(_ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, table: Bool) async throws -> HTTPResponse
  {
    let matcher = try Self.matcher(req, r)
    let limit = req.q("limit").flatMap { Int($0) }
    let result = try await store.list(
      r, namespace: namespace, matches: matcher, limit: limit, continueToken: req.q("continue"))
    if table {
      return .json(
        200,
        TableConverter.table(
          r, result.items, req: req, listRV: result.resourceVersion, continueToken: result.continueToken))
    }
    return .json(
      200,
      Self.listObject(
        r, result.items, rv: result.resourceVersion, continueToken: result.continueToken,
        remaining: result.remainingItemCount))
  }

  private func watch(
    _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, name: String?, table: Bool
  ) async throws
    -> HTTPResponse
  {
    let matcher = try Self.matcher(req, r, name: name)
    let timeout = req.q("timeoutSeconds").flatMap { Int($0) } ?? Int.random(in: config.defaultWatchTimeout)
    let bookmarks = req.flag("allowWatchBookmarks")
    let sendInitial = req.q("sendInitialEvents").map { $0 == "true" }
    if sendInitial == true && !bookmarks {
      throw APIErrors.invalid(
        kind: "ListOptions", group: "meta.k8s.io", name: "",
        causes: [
          FieldErrors.forbidden(
            "sendInitialEvents", "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
          )
        ])
    }
    let (id, lines) = try await store.watchLines(
      r, namespace: namespace, resourceVersion: req.q("resourceVersion"), sendInitialEvents: sendInitial,
      initialEventsEnd: sendInitial == true, matches: matcher, table: table ? req : nil)
    // The store writes the lines; here only the clock: bookmarks every `bookmarkInterval` (when
    // asked for), and the end of the watch at its timeout, with a last bookmark a moment before.
    if id >= 0 {
      let store = self.store
      let interval = config.bookmarkInterval
      let key = r.storageKey
      let timer = Task {
        await withTaskGroup(of: Void.self) { g in
          if bookmarks {
            g.addTask {
              while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                await store.bookmark(storageKey: key, id: id)
              }
            }
          }
          g.addTask {
            let total = Duration.seconds(timeout)
            let lead = min(Duration.seconds(1), total / 10)
            try? await Task.sleep(for: total - lead)
            if Task.isCancelled { return }
            if bookmarks { await store.bookmark(storageKey: key, id: id) }
            try? await Task.sleep(for: lead)
          }
          await g.next()
          g.cancelAll()
        }
        await store.removeWatcher(key, id)
      }
      await store.setTimer(key, id, timer)
    }
    let ct = table ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json"
    return HTTPResponse(status: 200, headers: [("Content-Type", ct)], body: .stream(lines))
  }

  private func create(
    _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, dryRun: Bool
  ) async throws -> HTTPResponse {
    guard r.verbs.contains("create") else { throw APIErrors.methodNotAllowed() }
    var obj = try Self.body(req)
    let warnings = try FieldValidation.check(self, req, r, &obj)
    obj = ManagedFields.record(obj, manager: ManagedFields.manager(req), operation: "Update", r: r)
    let created = try await store.create(r, namespace: namespace, object: obj, dryRun: dryRun)
    return written(201, created, r, dryRun: dryRun, headers: warnings)
  }

  private func update(
    _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, name: String, subresource: String?, dryRun: Bool
  ) async throws -> HTTPResponse {
    var obj = try Self.body(req)
    let warnings = try FieldValidation.check(self, req, r, &obj)
    let sub: ObjectStore.Subresource = subresource == "status" ? .status : .main
    if subresource == "finalize" {
      let fin = obj["spec"]["finalizers"]
      let (o, _) = try await store.patch(r, namespace: namespace, name: name, dryRun: dryRun) { cur in
        var c = cur ?? .null
        c["spec"]["finalizers"] = fin
        return c
      }
      return .json(200, o, headers: warnings)
    }
    let (o, created) = try await store.update(
      r, namespace: namespace, name: name, object: obj, subresource: sub, dryRun: dryRun,
      stamp: ManagedFields.stamp(ManagedFields.manager(req), operation: "Update", r: r, subresource: sub))
    return written(created ? 201 : 200, o, r, dryRun: dryRun, headers: warnings)
  }

  /// The answer to a write that stored `object`: the serialization its watchers were sent, when
  /// it has watchers (``WrittenObjectJSON``), else a new one. A dry run's answer carries the
  /// resourceVersion of the stored object it was not applied to, so it is always serialized.
  func written(
    _ status: Int, _ object: JSONValue, _ r: ResourceInfo, dryRun: Bool, headers: [(String, String)]
  ) -> HTTPResponse {
    if !dryRun, let v = object["metadata"]["resourceVersion"].stringValue,
      let bytes = store.writtenJSON.take(resourceVersion: v, apiVersion: r.apiVersion)
    {
      return .json(status, serialized: bytes, headers: headers)
    }
    return .json(status, object, headers: headers)
  }

  static func deleteOptions(_ req: HTTPRequest, dryRun: Bool) throws -> DeleteRequest {
    var o = DeleteRequest()
    o.dryRun = dryRun
    if !req.body.isEmpty, let b = try? Self.body(req) {
      o.propagationPolicy = b["propagationPolicy"].stringValue
      o.gracePeriodSeconds = b["gracePeriodSeconds"].intValue
      o.preconditionUID = b["preconditions"]["uid"].stringValue
      o.preconditionResourceVersion = b["preconditions"]["resourceVersion"].stringValue
      if (b["dryRun"].arrayValue ?? []).contains("All") { o.dryRun = true }
      if b["orphanDependents"].boolValue == true && o.propagationPolicy == nil { o.propagationPolicy = "Orphan" }
    }
    if let p = req.q("propagationPolicy") { o.propagationPolicy = p }
    if let g = req.q("gracePeriodSeconds").flatMap({ Int64($0) }) { o.gracePeriodSeconds = g }
    if req.q("orphanDependents") == "true" && o.propagationPolicy == nil { o.propagationPolicy = "Orphan" }
    if let p = o.propagationPolicy, !["Orphan", "Foreground", "Background"].contains(p) {
      throw APIErrors.invalid(
        kind: "DeleteOptions", group: "meta.k8s.io", name: "",
        causes: [FieldErrors.notSupported("propagationPolicy", p, ["Foreground", "Background", "Orphan"])])
    }
    return o
  }

  private func delete(
    _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, name: String, dryRun: Bool
  ) async throws
    -> HTTPResponse
  {
    let opts = try Self.deleteOptions(req, dryRun: dryRun)
    let out = try await store.delete(r, namespace: namespace, name: name, options: opts)
    if !out.removed { return .json(r.storageKey == "/namespaces" ? 200 : 202, out.object) }
    if r.returnsDeletedObject || r.isCustom { return .json(200, out.object) }
    return .json(200, APIErrors.success(r, name: name, uid: out.object["metadata"]["uid"].stringValue).jsonValue)
  }

  private func bind(_ req: HTTPRequest, _ r: ResourceInfo, namespace: String, name: String) async throws -> HTTPResponse
  {
    let b = try Self.body(req)
    guard let node = b["target"]["name"].stringValue, !node.isEmpty else {
      throw APIErrors.invalid(
        kind: "Binding", group: "", name: name,
        causes: [FieldErrors.required("target.name")])
    }
    _ = try await store.patch(r, namespace: namespace, name: name) { cur in
      var c = cur ?? .null
      if let existing = c["spec"]["nodeName"].stringValue, !existing.isEmpty {
        throw APIErrors.conflict(r, name: name, reason: "pod \(name) is already assigned to node \"\(existing)\"")
      }
      c["spec"]["nodeName"] = .string(node)
      return c
    }
    return .json(201, Status(status: "Success", code: 201).jsonValue)
  }

  // MARK: - WebSocket (exec, attach, portforward)

  func shouldUpgrade(_ head: HTTPRequestHead) async -> HTTPHeaders? {
    if let api = await aggregator.isAggregatedUpgrade(head) {
      return await aggregator.shouldUpgrade(self, head, api: api)
    }
    return await Streaming.shouldUpgrade(self, head)
  }

  func handleWebSocket(_ head: HTTPRequestHead, _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async {
    if await aggregator.isAggregatedUpgrade(head) != nil { return await aggregator.relay(head, channel) }
    await Streaming.handleWebSocket(self, head, channel)
  }
}
