import CRDModels

/// ``ClusterStore`` over the server's ``ObjectStore``: in-process access with the same
/// semantics as HTTP, without authentication or authorization.
struct StoreAdapter: ClusterStore {
  let store: ObjectStore

  private func info(_ d: ResourceDescriptor) async throws -> ResourceInfo {
    guard let r = await store.lookup(group: d.group, version: d.version, plural: d.plural) else {
      throw APIErrors.pathNotFound()
    }
    return r
  }

  private func matcher(
    _ r: ResourceInfo, _ labelSelector: String?, _ fieldSelector: String?
  ) throws -> @Sendable (JSONValue) -> Bool {
    let l = try labelSelector.map { try LabelSelector.parse($0) }
    let f = try fieldSelector.map { try FieldSelector.parse($0, for: r) }
    return { obj in
      if let l, !l.matches((obj["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)) {
        return false
      }
      if let f, !f.matches(obj) { return false }
      return true
    }
  }

  func get(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> JSONValue {
    try await store.get(try await info(resource), namespace: namespace, name: name)
  }

  func list(
    _ resource: ResourceDescriptor, namespace: String?, labelSelector: String?, fieldSelector: String?
  )
    async throws -> (items: [JSONValue], resourceVersion: String)
  {
    let r = try await info(resource)
    let m = try matcher(r, labelSelector, fieldSelector)
    let res = try await store.list(r, namespace: namespace, matches: m, limit: nil, continueToken: nil)
    return (res.items, res.resourceVersion)
  }

  func watch(
    _ resource: ResourceDescriptor, namespace: String?, resourceVersion: String?
  ) async throws
    -> AsyncStream<StoreEvent>
  {
    let r = try await info(resource)
    let (_, items) = try await store.watch(
      r, namespace: namespace, resourceVersion: resourceVersion, sendInitialEvents: nil, matches: { _ in true })
    return AsyncStream { c in
      let task = Task {
        for await item in items {
          switch item {
          case .event(let t, let o): c.yield(StoreEvent(type: t, object: o))
          case .bookmark(let rv, _):
            c.yield(
              StoreEvent(
                type: .bookmark,
                object: [
                  "kind": .string(r.kind), "apiVersion": .string(r.apiVersion),
                  "metadata": ["resourceVersion": .string(rv)],
                ]))
          case .error(let s): c.yield(StoreEvent(type: .error, object: s.jsonValue))
          }
        }
        c.finish()
      }
      c.onTermination = { _ in task.cancel() }
    }
  }

  func create(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    try await store.create(try await info(resource), namespace: namespace, object: object)
  }

  func update(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    let name = object["metadata"]["name"].stringValue ?? ""
    return try await store.update(try await info(resource), namespace: namespace, name: name, object: object).object
  }

  func updateStatus(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    let name = object["metadata"]["name"].stringValue ?? ""
    return try await store.update(
      try await info(resource), namespace: namespace, name: name, object: object, subresource: .status
    ).object
  }

  func delete(_ resource: ResourceDescriptor, namespace: String?, name: String, gracePeriodSeconds: Int64?) async throws
  {
    var o = DeleteRequest()
    o.gracePeriodSeconds = gracePeriodSeconds
    _ = try await store.delete(try await info(resource), namespace: namespace, name: name, options: o)
  }
}
