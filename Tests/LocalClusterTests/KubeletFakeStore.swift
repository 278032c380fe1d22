import CRDModels
import Foundation

@testable import LocalCluster

/// A small in-memory ``ClusterStore`` for unit tests of the kubelet alone: resourceVersions,
/// 404/409 as Status, graceful pod deletion (deletionTimestamp first), and watches.
actor KubeletFakeStore: ClusterStore {
  private var objects: [String: JSONValue] = [:]
  private var rv = 100
  private var watchers: [(ResourceDescriptor, String?, AsyncStream<StoreEvent>.Continuation)] = []
  private var history: [(Int, ResourceDescriptor, StoreEvent)] = []

  private func key(_ r: ResourceDescriptor, _ ns: String?, _ name: String) -> String {
    "\(r.plural).\(r.group)/\(r.namespaced ? ns ?? "" : "")/\(name)"
  }

  private func notify(_ r: ResourceDescriptor, _ type: WatchEventType, _ obj: JSONValue) {
    history.append((rv, r, StoreEvent(type: type, object: obj)))
    for (wr, wns, c) in watchers where wr == r && (wns == nil || wns == obj["metadata"]["namespace"].stringValue) {
      c.yield(StoreEvent(type: type, object: obj))
    }
  }

  private func notFound(_ r: ResourceDescriptor, _ name: String) -> Status {
    Status(message: "\(r.plural) \"\(name)\" not found", reason: "NotFound", code: 404)
  }

  func get(_ r: ResourceDescriptor, namespace: String?, name: String) async throws -> JSONValue {
    guard let o = objects[key(r, namespace, name)] else { throw notFound(r, name) }
    return o
  }

  func list(
    _ r: ResourceDescriptor, namespace: String?, labelSelector: String?, fieldSelector: String?
  ) async throws
    -> (items: [JSONValue], resourceVersion: String)
  {
    let prefix = "\(r.plural).\(r.group)/"
    let items = objects.filter { $0.key.hasPrefix(prefix) }.map(\.value).filter {
      namespace == nil || $0["metadata"]["namespace"].stringValue == namespace
    }
    return (items, String(rv))
  }

  func watch(
    _ r: ResourceDescriptor, namespace: String?, resourceVersion: String?
  ) async throws -> AsyncStream<StoreEvent> {
    let (stream, c) = AsyncStream<StoreEvent>.makeStream()
    let from = resourceVersion.flatMap(Int.init) ?? Int.max
    for (v, hr, ev) in history
    where v > from && hr == r
      && (namespace == nil || namespace == ev.object["metadata"]["namespace"].stringValue)
    {
      c.yield(ev)
    }
    watchers.append((r, namespace, c))
    return stream
  }

  func create(_ r: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    var o = object
    var name = o["metadata"]["name"].stringValue ?? ""
    if name.isEmpty, let g = o["metadata"]["generateName"].stringValue {
      name = g + String(UUID().uuidString.prefix(5)).lowercased()
      o["metadata"]["name"] = .string(name)
    }
    let k = key(r, namespace, name)
    guard objects[k] == nil else {
      throw Status(message: "\(r.plural) \"\(name)\" already exists", reason: "AlreadyExists", code: 409)
    }
    rv += 1
    if r.namespaced { o["metadata"]["namespace"] = .string(namespace ?? "default") }
    o["metadata"]["uid"] = .string(UUID().uuidString.lowercased())
    o["metadata"]["resourceVersion"] = .string(String(rv))
    o["metadata"]["creationTimestamp"] = .string(Time.now().description)
    if r.plural == "pods" { o["status"] = ["phase": "Pending"] }
    objects[k] = o
    notify(r, .added, o)
    return o
  }

  private func replace(_ r: ResourceDescriptor, namespace: String?, object: JSONValue, status: Bool) throws -> JSONValue
  {
    let name = object["metadata"]["name"].stringValue ?? ""
    let k = key(r, namespace, name)
    guard var cur = objects[k] else { throw notFound(r, name) }
    if let want = object["metadata"]["resourceVersion"].stringValue,
      want != cur["metadata"]["resourceVersion"].stringValue
    {
      throw Status(
        message: "the object has been modified; please apply your changes to the latest version and try again",
        reason: "Conflict", code: 409)
    }
    if status {
      cur["status"] = object["status"]
    } else {
      let st = cur["status"]
      let meta = cur["metadata"]
      cur = object
      cur["status"] = st
      var m = object["metadata"]
      for f in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] { m[f] = meta[f] }
      cur["metadata"] = m
    }
    rv += 1
    cur["metadata"]["resourceVersion"] = .string(String(rv))
    objects[k] = cur
    notify(r, .modified, cur)
    return cur
  }

  func update(_ r: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    try replace(r, namespace: namespace, object: object, status: false)
  }

  func updateStatus(_ r: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue {
    try replace(r, namespace: namespace, object: object, status: true)
  }

  func delete(_ r: ResourceDescriptor, namespace: String?, name: String, gracePeriodSeconds: Int64?) async throws {
    let k = key(r, namespace, name)
    guard var cur = objects[k] else { throw notFound(r, name) }
    let grace = gracePeriodSeconds ?? cur["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
    if r.plural == "pods", grace > 0, !(cur["spec"]["nodeName"].stringValue ?? "").isEmpty {
      guard cur["metadata"]["deletionTimestamp"].isNull else { return }
      rv += 1
      cur["metadata"]["deletionTimestamp"] = .string(Time.now().description)
      cur["metadata"]["deletionGracePeriodSeconds"] = .int(grace)
      cur["metadata"]["resourceVersion"] = .string(String(rv))
      objects[k] = cur
      notify(r, .modified, cur)
      return
    }
    rv += 1
    objects[k] = nil
    cur["metadata"]["resourceVersion"] = .string(String(rv))
    notify(r, .deleted, cur)
  }

  /// Events recorded about the object named `name`, as "reason: message".
  func events(about name: String) -> [String] {
    objects.filter { $0.key.hasPrefix("events./") }.map(\.value)
      .filter { $0["involvedObject"]["name"].stringValue == name }
      .sorted { ($0["metadata"]["name"].stringValue ?? "") < ($1["metadata"]["name"].stringValue ?? "") }
      .map { "\($0["reason"].stringValue ?? ""): \($0["message"].stringValue ?? "")" }
  }
}
