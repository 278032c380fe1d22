import CRDModels
import Foundation

/// One item a watcher receives from the store.
enum WatchItem: Sendable {
  case event(WatchEventType, JSONValue)
  case bookmark(resourceVersion: String, annotations: [String: String])
  case error(Status)
}

/// Where a watcher's events go: decoded items for consumers in this process (the local
/// kubelet), lines of the response for the HTTP API.
enum WatchSink: Sendable {
  case items(AsyncStream<WatchItem>.Continuation)
  /// `table`: the request of a Table watch (`kubectl get -w`), nil for plain JSON, whose events
  /// are written from the one serialization of their object that all such watchers share.
  case lines(AsyncStream<[UInt8]>.Continuation, ResourceInfo, table: HTTPRequest?)
}

/// Options for a DELETE, from the query and the `DeleteOptions` body.
struct DeleteRequest: Sendable {
  var preconditionUID: String?
  var preconditionResourceVersion: String?
  var propagationPolicy: String?
  var gracePeriodSeconds: Int64?
  var dryRun = false
}

/// What a DELETE did: removed the object now, or marked it (finalizers, graceful pods).
struct DeleteOutcome: Sendable {
  var object: JSONValue
  var removed: Bool
}

/// A list page.
struct ListResult: Sendable {
  var items: [JSONValue]
  var resourceVersion: String
  var continueToken: String?
  var remainingItemCount: Int64?
}

/// The in-memory object store: one cluster-wide resourceVersion counter, a bounded history of
/// changes for watches, and the semantics kube-apiserver's generic registry applies to every
/// write (uid, generation, status subresource, finalizers, preconditions, garbage collection,
/// namespace lifecycle).
actor ObjectStore {
  struct HistoryEvent {
    var rv: Int64
    var storageKey: String
    var namespace: String
    var type: WatchEventType
    var object: JSONValue
    var old: JSONValue?
  }

  struct Watcher {
    var storageKey: String
    var namespace: String?
    var matches: @Sendable (JSONValue) -> Bool
    var sink: WatchSink
    /// The HTTP watch's clock (bookmarks, timeout), stopped with the watcher.
    var timer: Task<Void, Never>?

    /// Hands `item` over; false when the watcher's buffer is full. `objectJSON` is the event's
    /// object serialized, computed at most once per event for all the watchers that want it.
    func send(_ item: WatchItem, objectJSON: () -> [UInt8]) -> Bool {
      switch sink {
      case .items(let c):
        if case .dropped = c.yield(item) { return false }
      case .lines(let c, let r, let table):
        let line: [UInt8]
        if table == nil, case .event(let type, _) = item {
          line = WatchEncoding.eventLine(type, objectJSON: objectJSON())
        } else {
          line = WatchEncoding.line(item, r, tableFor: table)
        }
        if case .dropped = c.yield(line) { return false }
      }
      return true
    }

    func finish() {
      timer?.cancel()
      switch sink {
      case .items(let c): c.finish()
      case .lines(let c, _, _): c.finish()
      }
    }
  }

  let historySize: Int
  let watchBufferSize: Int
  /// What the watchers of the latest writes were sent, for the answers to those writes.
  nonisolated let writtenJSON = WrittenObjectJSON()
  private(set) var registry: ResourceRegistry
  /// Hook run for every write of a custom resource or built-in kind (defaulting, pruning,
  /// validation). Set by the server.
  var admission: Admission

  private var rv: Int64 = 0
  private var data: [String: [String: JSONValue]] = [:]
  private var uidIndex: [String: (storageKey: String, key: String)] = [:]
  private var history: [HistoryEvent] = []
  private var historyStart = 0
  /// Every change at or below this resourceVersion has left the history.
  private var compactedThrough: Int64 = 0
  private var watchers: [String: [Int: Watcher]] = [:]
  private var nextWatcherID = 0
  private var removals: [JSONValue] = []
  private var clusterIPCounter = 0
  private var rbacVersion: Int64 = 0
  /// Owner uid → dependents (storage key, object key).
  private var ownerIndex: [String: Set<IndexKey>] = [:]
  /// Objects with a deletionTimestamp.
  private var deleting: Set<IndexKey> = []

  struct IndexKey: Hashable {
    var storageKey: String
    var key: String
  }

  private func reindex(_ sk: String, _ key: String, old: JSONValue?, new: JSONValue?) {
    let ik = IndexKey(storageKey: sk, key: key)
    for ref in old?["metadata"]["ownerReferences"].arrayValue ?? [] {
      if let u = ref["uid"].stringValue { ownerIndex[u]?.remove(ik) }
    }
    for ref in new?["metadata"]["ownerReferences"].arrayValue ?? [] {
      if let u = ref["uid"].stringValue { ownerIndex[u, default: []].insert(ik) }
    }
    if let new, new["metadata"]["deletionTimestamp"].stringValue != nil {
      deleting.insert(ik)
    } else {
      deleting.remove(ik)
    }
  }
  var onCRDChange: (@Sendable () -> Void)?

  init(historySize: Int, watchBufferSize: Int, registry: ResourceRegistry, admission: Admission) {
    self.historySize = max(historySize, 1)
    self.watchBufferSize = watchBufferSize
    self.registry = registry
    self.admission = admission
  }

  var currentResourceVersion: String { String(rv) }

  func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
    registry.lookup(group: group, version: version, plural: plural)
  }

  func snapshotRegistry() -> ResourceRegistry { registry }

  // MARK: - Keys and helpers

  static func key(_ ns: String?, _ name: String) -> String {
    if let ns, !ns.isEmpty { return ns + "/" + name }
    return name
  }

  private func nsOf(_ r: ResourceInfo, _ ns: String?) -> String { r.namespaced ? (ns ?? "") : "" }

  /// The stored object as seen at the requested version.
  private func present(_ obj: JSONValue, _ r: ResourceInfo) -> JSONValue {
    if obj["apiVersion"].stringValue == r.apiVersion { return obj }
    var o = obj
    o["apiVersion"] = .string(r.apiVersion)
    return o
  }

  func exists(_ r: ResourceInfo, namespace: String?, name: String) -> Bool {
    data[r.storageKey]?[Self.key(nsOf(r, namespace), name)] != nil
  }

  func object(storageKey: String, key: String) -> JSONValue? { data[storageKey]?[key] }

  // MARK: - Reads

  func get(_ r: ResourceInfo, namespace: String?, name: String) throws -> JSONValue {
    guard let o = data[r.storageKey]?[Self.key(nsOf(r, namespace), name)] else {
      throw APIErrors.notFound(r, name: name)
    }
    return present(o, r)
  }

  func list(
    _ r: ResourceInfo, namespace: String?, matches: (JSONValue) -> Bool, limit: Int?, continueToken: String?
  ) throws -> ListResult {
    let bucket = data[r.storageKey] ?? [:]
    var keys = Array(bucket.keys)
    let prefix = (r.namespaced && namespace != nil && !namespace!.isEmpty) ? namespace! + "/" : nil
    if let prefix { keys = keys.filter { $0.hasPrefix(prefix) } }
    keys.sort()
    var listRV = rv
    var startAfter: String?
    if let token = continueToken, !token.isEmpty {
      guard let c = ContinueToken.decode(token) else {
        throw APIErrors.badRequest(
          "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
      }
      if c.rv < compactedThrough { throw APIErrors.expired(APIErrors.continueTooOld) }
      listRV = c.rv
      startAfter = c.start
    }
    var items: [JSONValue] = []
    var lastKey: String?
    var idx = 0
    if let s = startAfter {
      // binary search for first key > s
      var lo = 0
      var hi = keys.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if keys[mid] <= s { lo = mid + 1 } else { hi = mid }
      }
      idx = lo
    }
    var more = false
    while idx < keys.count {
      let k = keys[idx]
      idx += 1
      let o = bucket[k]!
      guard matches(o) else { continue }
      if let limit, limit > 0, items.count >= limit {
        more = true
        idx -= 1
        break
      }
      items.append(present(o, r))
      lastKey = k
    }
    var result = ListResult(items: items, resourceVersion: String(listRV))
    if more, let lastKey {
      result.continueToken = ContinueToken(rv: listRV, start: lastKey).encoded
      result.remainingItemCount = Int64(keys.count - idx)
    }
    return result
  }

  // MARK: - Watch

  /// Watches as in-process consumers (the local kubelet) want it: decoded items.
  func watch(
    _ r: ResourceInfo, namespace: String?, resourceVersion: String?, sendInitialEvents: Bool?,
    initialEventsEnd: Bool = false, matches: @escaping @Sendable (JSONValue) -> Bool
  ) throws -> (id: Int, stream: AsyncStream<WatchItem>) {
    let start = try watchStart(
      r, namespace: namespace, resourceVersion: resourceVersion, sendInitialEvents: sendInitialEvents,
      initialEventsEnd: initialEventsEnd, matches: matches)
    let (stream, c) = AsyncStream<WatchItem>.makeStream(
      bufferingPolicy: .bufferingOldest(start.capacity(watchBufferSize)))
    return (register(r, start, matches: matches, sink: .items(c)), stream)
  }

  /// Watches as the HTTP API serves it: each item already a line of the response. A plain JSON
  /// watch (`table` nil) shares one serialization of each event's object with every other such
  /// watcher, as kube-apiserver's watch cache does; a Table watch encodes its own lines.
  func watchLines(
    _ r: ResourceInfo, namespace: String?, resourceVersion: String?, sendInitialEvents: Bool?,
    initialEventsEnd: Bool = false, matches: @escaping @Sendable (JSONValue) -> Bool, table: HTTPRequest?
  ) throws -> (id: Int, stream: AsyncStream<[UInt8]>) {
    let start = try watchStart(
      r, namespace: namespace, resourceVersion: resourceVersion, sendInitialEvents: sendInitialEvents,
      initialEventsEnd: initialEventsEnd, matches: matches)
    let (stream, c) = AsyncStream<[UInt8]>.makeStream(
      bufferingPolicy: .bufferingOldest(start.capacity(watchBufferSize)))
    return (register(r, start, matches: matches, sink: .lines(c, r, table: table)), stream)
  }

  /// What a new watch starts with: the 410 of a too old resourceVersion, or the events it
  /// replays (the history after its resourceVersion, or every object as ADDED).
  private enum WatchStart {
    case expired(Status)
    case replay(namespace: String?, [WatchItem])

    /// The watcher's buffer: the replayed events plus `bufferSize`. A watcher that falls
    /// further behind is closed, as kube-apiserver closes slow watchers.
    func capacity(_ bufferSize: Int) -> Int {
      if case .replay(_, let items) = self { return items.count + bufferSize }
      return 1
    }
  }

  private func watchStart(
    _ r: ResourceInfo, namespace: String?, resourceVersion: String?, sendInitialEvents: Bool?,
    initialEventsEnd: Bool, matches: @escaping @Sendable (JSONValue) -> Bool
  ) throws -> WatchStart {
    let ns = r.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
    var initial: [WatchItem] = []
    let fromRV: Int64?
    if let s = resourceVersion, !s.isEmpty, s != "0" {
      guard let v = Int64(s) else {
        throw APIErrors.badRequest("resourceVersion: Invalid value: \"\(s)\": must be a valid resourceVersion")
      }
      fromRV = v
    } else {
      fromRV = nil
    }
    let initialEvents = sendInitialEvents ?? (fromRV == nil)
    if let from = fromRV, !initialEvents {
      if from < compactedThrough {
        return .expired(APIErrors.expired("too old resource version: \(from) (\(compactedThrough))"))
      }
      for i in historyStart..<history.count {
        let e = history[i]
        guard e.rv > from, e.storageKey == r.storageKey else { continue }
        if let ns, e.namespace != ns { continue }
        if let item = translate(e, matches: matches, r: r) { initial.append(item) }
      }
    } else if initialEvents {
      let bucket = data[r.storageKey] ?? [:]
      for k in bucket.keys.sorted() {
        let o = bucket[k]!
        if let ns, o["metadata"]["namespace"].stringValue != ns { continue }
        if matches(o) { initial.append(.event(.added, present(o, r))) }
      }
      if initialEventsEnd {
        initial.append(.bookmark(resourceVersion: String(rv), annotations: ["k8s.io/initial-events-end": "true"]))
      }
    }
    return .replay(namespace: ns, initial)
  }

  /// Sends the start's events and registers the watcher; -1 when the stream ended with a 410.
  private func register(
    _ r: ResourceInfo, _ start: WatchStart, matches: @escaping @Sendable (JSONValue) -> Bool, sink: WatchSink
  ) -> Int {
    switch start {
    case .expired(let status):
      let w = Watcher(storageKey: r.storageKey, namespace: nil, matches: matches, sink: sink)
      _ = w.send(.error(status)) { [] }
      w.finish()
      return -1
    case .replay(let ns, let initial):
      let w = Watcher(storageKey: r.storageKey, namespace: ns, matches: matches, sink: sink)
      for item in initial {
        _ = w.send(item) {
          guard case .event(_, let o) = item else { return [] }
          return o.serialized()
        }
      }
      let id = nextWatcherID
      nextWatcherID += 1
      watchers[r.storageKey, default: [:]][id] = w
      let key = r.storageKey
      let onTermination: @Sendable () -> Void = { Task { await self.removeWatcher(key, id) } }
      switch sink {
      case .items(let c): c.onTermination = { @Sendable _ in onTermination() }
      case .lines(let c, _, _): c.onTermination = { @Sendable _ in onTermination() }
      }
      return id
    }
  }

  func removeWatcher(_ storageKey: String, _ id: Int) {
    if let w = watchers[storageKey]?.removeValue(forKey: id) { w.finish() }
  }

  /// Attaches the watch's clock, which is cancelled when the watcher goes (at once if it is gone).
  func setTimer(_ storageKey: String, _ id: Int, _ timer: Task<Void, Never>) {
    if watchers[storageKey]?[id] != nil {
      watchers[storageKey]?[id]?.timer = timer
    } else {
      timer.cancel()
    }
  }

  /// Sends a BOOKMARK at the current resourceVersion to one watcher.
  func bookmark(storageKey: String, id: Int, annotations: [String: String] = [:]) {
    guard let w = watchers[storageKey]?[id] else { return }
    if !w.send(.bookmark(resourceVersion: String(rv), annotations: annotations), objectJSON: { [] }) {
      removeWatcher(storageKey, id)
    }
  }

  /// Ends every watch stream (shutdown).
  func finishAllWatchers() {
    for (_, ws) in watchers { for (_, w) in ws { w.finish() } }
    watchers = [:]
  }

  var watcherCount: Int { watchers.values.reduce(0) { $0 + $1.count } }

  /// Forgets the change history (as etcd compaction does) and ends every watch (as an API
  /// server restart does): watches resuming from an older resourceVersion get 410 Expired.
  func compactHistoryAndEndWatches() {
    compactedThrough = rv
    history.removeAll()
    historyStart = 0
    finishAllWatchers()
  }

  private func translate(_ e: HistoryEvent, matches: (JSONValue) -> Bool, r: ResourceInfo) -> WatchItem? {
    switch e.type {
    case .added: return matches(e.object) ? .event(.added, present(e.object, r)) : nil
    case .deleted: return matches(e.object) ? .event(.deleted, present(e.object, r)) : nil
    case .modified:
      let now = matches(e.object)
      let before = e.old.map(matches) ?? now
      switch (before, now) {
      case (true, true): return .event(.modified, present(e.object, r))
      case (false, true): return .event(.added, present(e.object, r))
      case (true, false): return .event(.deleted, present(e.object, r))
      case (false, false): return nil
      }
    default: return nil
    }
  }

  /// The RBAC objects and a version that changes whenever one of them does.
  func rbacSnapshot() -> (version: Int64, objects: [JSONValue]) {
    var out: [JSONValue] = []
    for p in ["roles", "clusterroles", "rolebindings", "clusterrolebindings"] {
      out.append(contentsOf: (data["rbac.authorization.k8s.io/\(p)"] ?? [:]).values)
    }
    return (rbacVersion, out)
  }

  private func record(_ type: WatchEventType, _ r: ResourceInfo, _ obj: JSONValue, old: JSONValue?) {
    if r.group == "rbac.authorization.k8s.io" { rbacVersion = rv }
    let ns = obj["metadata"]["namespace"].stringValue ?? ""
    let e = HistoryEvent(rv: rv, storageKey: r.storageKey, namespace: ns, type: type, object: obj, old: old)
    history.append(e)
    if history.count - historyStart > historySize {
      compactedThrough = history[historyStart].rv
      historyStart += 1
      if historyStart > 4096 && historyStart * 2 > history.count {
        history.removeFirst(historyStart)
        historyStart = 0
      }
    }
    guard let ws = watchers[r.storageKey] else { return }
    var objectJSON: [UInt8]?
    let serialized = {
      if let objectJSON { return objectJSON }
      let bytes = self.present(obj, r).serialized()
      objectJSON = bytes
      // Answers to creates, updates and patches are taken from here, not those to deletes.
      if type != .deleted, let v = obj["metadata"]["resourceVersion"].stringValue {
        self.writtenJSON.put(resourceVersion: v, apiVersion: r.apiVersion, bytes)
      }
      return bytes
    }
    for (id, w) in ws {
      if let wns = w.namespace, wns != ns { continue }
      guard let item = translate(e, matches: w.matches, r: r) else { continue }
      if !w.send(item, objectJSON: serialized) {
        // Like kube-apiserver, a watcher that does not keep up is closed; it must re-watch.
        watchers[r.storageKey]?[id] = nil
        w.finish()
      }
    }
  }

  // MARK: - Writes

  private func nextRV() -> Int64 {
    rv += 1
    return rv
  }

  private func store(_ r: ResourceInfo, _ obj: inout JSONValue, type: WatchEventType, old: JSONValue?) {
    let newRV = nextRV()
    obj["metadata"]["resourceVersion"] = .string(String(newRV))
    let ns = obj["metadata"]["namespace"].stringValue ?? ""
    let name = obj["metadata"]["name"].stringValue ?? ""
    let key = Self.key(ns, name)
    reindex(r.storageKey, key, old: data[r.storageKey]?[key], new: obj)
    data[r.storageKey, default: [:]][key] = obj
    if let uid = obj["metadata"]["uid"].stringValue { uidIndex[uid] = (r.storageKey, key) }
    record(type, r, obj, old: old)
  }

  private func remove(_ r: ResourceInfo, _ obj: JSONValue) -> JSONValue {
    var o = obj
    let ns = o["metadata"]["namespace"].stringValue ?? ""
    let name = o["metadata"]["name"].stringValue ?? ""
    reindex(r.storageKey, Self.key(ns, name), old: data[r.storageKey]?[Self.key(ns, name)], new: nil)
    data[r.storageKey]?[Self.key(ns, name)] = nil
    if let uid = o["metadata"]["uid"].stringValue { uidIndex[uid] = nil }
    o["metadata"]["resourceVersion"] = .string(String(nextRV()))
    record(.deleted, r, o, old: obj)
    removals.append(o)
    return o
  }

  func create(_ r: ResourceInfo, namespace: String?, object: JSONValue, dryRun: Bool = false) throws -> JSONValue {
    let result = try createLocked(r, namespace: namespace, object: object, dryRun: dryRun)
    if !dryRun { collectIfEveryOwnerIsGone(r, result) }
    try runControllers()
    return result
  }

  /// kube's garbage collector deletes a dependent whose owners are all absent, also when it was
  /// created after they went (a controller acting on a stale cache recreates a child of a
  /// deleted parent). kube does it moments after the create; here it happens in the same write,
  /// so the client gets its 201 and the object is already being deleted.
  private func collectIfEveryOwnerIsGone(_ r: ResourceInfo, _ obj: JSONValue) {
    let uids = (obj["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue }
    guard !uids.isEmpty, uids.allSatisfy({ uidIndex[$0] == nil }) else { return }
    _ = try? deleteLocked(
      r, namespace: obj["metadata"]["namespace"].stringValue, name: obj["metadata"]["name"].stringValue ?? "",
      options: DeleteRequest(propagationPolicy: "Background"))
  }

  private func createLocked(_ r: ResourceInfo, namespace: String?, object: JSONValue, dryRun: Bool) throws -> JSONValue
  {
    guard case .object = object else {
      throw APIErrors.badRequest("Object 'Kind' is missing in '\(object.serializedString())'")
    }
    var obj = object
    try checkTypeMeta(r, &obj)
    let ns = nsOf(r, namespace)
    if r.namespaced {
      if let bodyNS = obj["metadata"]["namespace"].stringValue, !bodyNS.isEmpty, bodyNS != ns {
        throw APIErrors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request")
      }
      obj["metadata"]["namespace"] = .string(ns)
    } else if obj["metadata"].objectValue?["namespace"] != nil {
      var m = obj["metadata"].objectValue ?? [:]
      m["namespace"] = nil
      obj["metadata"] = .object(m)
    }
    var name = obj["metadata"]["name"].stringValue ?? ""
    if name.isEmpty, let gen = obj["metadata"]["generateName"].stringValue, !gen.isEmpty {
      repeat {
        name = gen + Self.randomSuffix()
      } while data[r.storageKey]?[Self.key(ns, name)] != nil
      obj["metadata"]["name"] = .string(name)
    }
    if name.isEmpty {
      throw APIErrors.invalid(
        r, name: "",
        causes: [
          StatusCause(
            reason: "FieldValueRequired", message: "Required value: name or generateName is required",
            field: "metadata.name")
        ])
    }
    if r.namespaced {
      guard let nsObj = data["/namespaces"]?[ns] else { throw APIErrors.namespaceNotFound(ns) }
      if nsObj["metadata"]["deletionTimestamp"].stringValue != nil {
        throw APIErrors.forbidden(
          r, name: name,
          message:
            "\(r.qualifiedResource) \"\(name)\" is forbidden: unable to create new content in namespace \(ns) because it is being terminated"
        )
      }
    }
    var meta = obj["metadata"].objectValue ?? [:]
    meta["resourceVersion"] = nil
    meta["deletionTimestamp"] = nil
    meta["deletionGracePeriodSeconds"] = nil
    meta["uid"] = .string(UUID().uuidString.lowercased())
    meta["creationTimestamp"] = .string(Time.now().description)
    if r.hasGeneration { meta["generation"] = 1 } else { meta["generation"] = nil }
    obj["metadata"] = .object(meta)
    obj = try admission.admit(
      r, obj, old: nil, allocateIP: { allocateClusterIP() }, storageClasses: { storageClasses() })
    if data[r.storageKey]?[Self.key(ns, name)] != nil { throw APIErrors.alreadyExists(r, name: name) }
    if dryRun { return present(obj, r) }
    store(r, &obj, type: .added, old: nil)
    try afterCreate(r, obj)
    return present(obj, r)
  }

  /// The StorageClasses, for PersistentVolumeClaim admission.
  private func storageClasses() -> [JSONValue] {
    Array((data["storage.k8s.io/storageclasses"] ?? [:]).values)
  }

  private func allocateClusterIP() -> String {
    clusterIPCounter += 1
    return "10.96.\((clusterIPCounter / 250) % 250).\(clusterIPCounter % 250 + 1)"
  }

  func nextClusterIP() -> String { allocateClusterIP() }

  private static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")
  static func randomSuffix() -> String { String((0..<5).map { _ in suffixAlphabet.randomElement()! }) }

  private func checkTypeMeta(_ r: ResourceInfo, _ obj: inout JSONValue) throws {
    if let k = obj["kind"].stringValue, !k.isEmpty, k != r.kind {
      throw APIErrors.badRequest(
        "the kind of the provided object (\(k)) does not match the kind of the resource (\(r.kind))")
    }
    if let v = obj["apiVersion"].stringValue, !v.isEmpty, v != r.apiVersion {
      // Same group, another served version: accepted (no conversion needed for identical schemas).
      let g = v.contains("/") ? String(v.split(separator: "/")[0]) : ""
      if g != r.group {
        throw APIErrors.badRequest(
          "the API version in the data (\(v)) does not match the expected API version (\(r.apiVersion))")
      }
    }
    obj["kind"] = .string(r.kind)
    obj["apiVersion"] = .string(r.apiVersion)
  }

  enum Subresource: Sendable { case main, status }

  func update(
    _ r: ResourceInfo, namespace: String?, name: String, object: JSONValue, subresource: Subresource = .main,
    dryRun: Bool = false, createIfMissing: Bool = false, stamp: (@Sendable (JSONValue) -> JSONValue)? = nil
  ) throws -> (object: JSONValue, created: Bool) {
    let ns = nsOf(r, namespace)
    guard case .object = object else { throw APIErrors.badRequest("Object 'Kind' is missing") }
    if let bodyName = object["metadata"]["name"].stringValue, bodyName != name {
      throw APIErrors.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
    }
    if r.namespaced, let bodyNS = object["metadata"]["namespace"].stringValue, !bodyNS.isEmpty, bodyNS != ns {
      throw APIErrors.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request")
    }
    guard let old = data[r.storageKey]?[Self.key(ns, name)] else {
      if createIfMissing {
        var o = stamp?(object) ?? object
        o["metadata"]["name"] = .string(name)
        let created = try createLocked(r, namespace: namespace, object: o, dryRun: dryRun)
        try runControllers()
        return (created, true)
      }
      throw APIErrors.notFound(r, name: name)
    }
    let result = try updateLocked(
      r, old: old, object: object, subresource: subresource, dryRun: dryRun, stamp: stamp)
    try runControllers()
    return (result, false)
  }

  /// Read-modify-write under the store's isolation, for patches.
  func patch(
    _ r: ResourceInfo, namespace: String?, name: String, subresource: Subresource = .main, dryRun: Bool = false,
    createIfMissing: Bool = false, stamp: (@Sendable (JSONValue) -> JSONValue)? = nil,
    transform: @Sendable (JSONValue?) throws -> JSONValue
  ) throws -> (object: JSONValue, created: Bool) {
    let ns = nsOf(r, namespace)
    guard let old = data[r.storageKey]?[Self.key(ns, name)] else {
      guard createIfMissing else { throw APIErrors.notFound(r, name: name) }
      var o = try transform(nil)
      o = stamp?(o) ?? o
      o["metadata"]["name"] = .string(name)
      let created = try createLocked(r, namespace: namespace, object: o, dryRun: dryRun)
      try runControllers()
      return (created, true)
    }
    var new = try transform(present(old, r))
    if let n = new["metadata"]["name"].stringValue, n != name {
      throw APIErrors.badRequest("the name of the object (\(n)) does not match the name on the URL (\(name))")
    }
    if new["metadata"]["resourceVersion"].isNull {
      new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
    }
    let result = try updateLocked(r, old: old, object: new, subresource: subresource, dryRun: dryRun, stamp: stamp)
    try runControllers()
    return (result, false)
  }

  /// `stamp` records the writer in `managedFields`, only when the write changes something.
  private func updateLocked(
    _ r: ResourceInfo, old: JSONValue, object: JSONValue, subresource: Subresource, dryRun: Bool,
    stamp: (@Sendable (JSONValue) -> JSONValue)? = nil
  ) throws -> JSONValue {
    let name = old["metadata"]["name"].stringValue ?? ""
    if let want = object["metadata"]["resourceVersion"].stringValue, !want.isEmpty,
      want != old["metadata"]["resourceVersion"].stringValue
    {
      throw APIErrors.stale(r, name: name)
    }
    var new: JSONValue
    if subresource == .status {
      new = old
      new["status"] = object["status"]
      if object["status"].isNull, var o = new.objectValue {
        o["status"] = nil
        new = .object(o)
      }
    } else {
      new = object
      try checkTypeMeta(r, &new)
      if r.hasStatus {
        var o = new.objectValue ?? [:]
        o["status"] = old.objectValue?["status"]
        new = .object(o)
      }
      var meta = new["metadata"].objectValue ?? [:]
      let oldMeta = old["metadata"].objectValue ?? [:]
      for k in [
        "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace",
        "name",
      ] {
        meta[k] = oldMeta[k]
      }
      if meta["managedFields"] == nil { meta["managedFields"] = oldMeta["managedFields"] }
      new["metadata"] = .object(meta)
      if oldMeta["deletionTimestamp"] != nil {
        let before = Set((oldMeta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
        let after = (meta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        let added = after.filter { !before.contains($0) }
        if !added.isEmpty {
          throw APIErrors.invalid(
            r, name: name,
            causes: [
              StatusCause(
                reason: "FieldValueForbidden",
                message:
                  "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"
                  + added.map { "\"\($0)\"" }.joined(separator: ", ") + "}",
                field: "metadata.finalizers")
            ])
        }
      }
    }
    new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
    new = try admission.admit(
      r, new, old: old, allocateIP: { allocateClusterIP() }, storageClasses: { storageClasses() })
    if r.hasGeneration && subresource == .main && Self.specChanged(old, new) {
      new["metadata"]["generation"] = .int((old["metadata"]["generation"].intValue ?? 0) + 1)
    }
    if new == old { return present(old, r) }
    if let stamp { new = stamp(new) }
    if dryRun { return present(new, r) }
    let deleting = new["metadata"]["deletionTimestamp"].stringValue != nil
    let finalizers = new["metadata"]["finalizers"].arrayValue ?? []
    if deleting && finalizers.isEmpty
      && !(r.storageKey == "/pods" && new["spec"]["nodeName"].stringValue != nil
        && (new["metadata"]["deletionGracePeriodSeconds"].intValue ?? 0) > 0)
    {
      store(r, &new, type: .modified, old: old)
      let gone = remove(r, new)
      return present(gone, r)
    }
    store(r, &new, type: .modified, old: old)
    return present(new, r)
  }

  /// Whether anything outside `metadata` and `status` differs.
  static func specChanged(_ a: JSONValue, _ b: JSONValue) -> Bool {
    var x = a.objectValue ?? [:]
    var y = b.objectValue ?? [:]
    for k in ["metadata", "status", "apiVersion", "kind"] {
      x[k] = nil
      y[k] = nil
    }
    return x != y
  }

  func delete(_ r: ResourceInfo, namespace: String?, name: String, options: DeleteRequest) throws -> DeleteOutcome {
    let out = try deleteLocked(r, namespace: namespace, name: name, options: options)
    try runControllers()
    return out
  }

  private func deleteLocked(
    _ r: ResourceInfo, namespace: String?, name: String, options: DeleteRequest
  ) throws
    -> DeleteOutcome
  {
    let ns = nsOf(r, namespace)
    guard var obj = data[r.storageKey]?[Self.key(ns, name)] else { throw APIErrors.notFound(r, name: name) }
    let uid = obj["metadata"]["uid"].stringValue ?? ""
    if let want = options.preconditionUID, want != uid {
      throw APIErrors.conflict(
        r, name: name, reason: "Precondition failed: UID in precondition: \(want), UID in object meta: \(uid)")
    }
    let curRV = obj["metadata"]["resourceVersion"].stringValue ?? ""
    if let want = options.preconditionResourceVersion, want != curRV {
      throw APIErrors.conflict(
        r, name: name,
        reason:
          "Precondition failed: ResourceVersion in precondition: \(want), ResourceVersion in object meta: \(curRV)")
    }
    if options.dryRun { return DeleteOutcome(object: present(obj, r), removed: true) }
    let old = obj
    var finalizers = (obj["metadata"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
    let alreadyDeleting = obj["metadata"]["deletionTimestamp"].stringValue != nil

    if r.storageKey == "/namespaces" {
      if !alreadyDeleting {
        obj["metadata"]["deletionTimestamp"] = .string(Time.now().description)
        obj["metadata"]["deletionGracePeriodSeconds"] = 0
        obj["status"]["phase"] = "Terminating"
        store(r, &obj, type: .modified, old: old)
      }
      return DeleteOutcome(object: present(obj, r), removed: false)
    }

    // Pods bound to a node terminate gracefully: the kubelet finishes the deletion.
    if r.storageKey == "/pods", obj["spec"]["nodeName"].stringValue != nil {
      let grace =
        options.gracePeriodSeconds ?? obj["metadata"]["deletionGracePeriodSeconds"].intValue
        ?? obj["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
      if grace > 0 {
        let current = obj["metadata"]["deletionGracePeriodSeconds"].intValue
        if !alreadyDeleting || (current ?? Int64.max) > grace {
          obj["metadata"]["deletionTimestamp"] = .string(Time(Date().addingTimeInterval(Double(grace))).description)
          obj["metadata"]["deletionGracePeriodSeconds"] = .int(grace)
          addPropagationFinalizer(options.propagationPolicy, &finalizers, &obj)
          store(r, &obj, type: .modified, old: old)
        }
        return DeleteOutcome(object: present(obj, r), removed: false)
      }
    }

    if !alreadyDeleting { addPropagationFinalizer(options.propagationPolicy, &finalizers, &obj) }
    if !finalizers.isEmpty {
      if !alreadyDeleting {
        obj["metadata"]["deletionTimestamp"] = .string(Time.now().description)
        obj["metadata"]["deletionGracePeriodSeconds"] = 0
        store(r, &obj, type: .modified, old: old)
      } else if obj != old {
        store(r, &obj, type: .modified, old: old)
      }
      return DeleteOutcome(object: present(obj, r), removed: false)
    }
    let gone = remove(r, obj)
    return DeleteOutcome(object: present(gone, r), removed: true)
  }

  private func addPropagationFinalizer(_ policy: String?, _ finalizers: inout [String], _ obj: inout JSONValue) {
    let f: String
    switch policy {
    case "Foreground": f = "foregroundDeletion"
    case "Orphan": f = "orphan"
    default: return
    }
    if !finalizers.contains(f) {
      finalizers.append(f)
      obj["metadata"]["finalizers"] = .array(finalizers.map { .string($0) })
    }
  }

  func deleteCollection(
    _ r: ResourceInfo, namespace: String?, matches: (JSONValue) -> Bool, options: DeleteRequest
  ) throws -> [JSONValue] {
    let all = try list(r, namespace: namespace, matches: matches, limit: nil, continueToken: nil).items
    var out: [JSONValue] = []
    for o in all {
      let name = o["metadata"]["name"].stringValue ?? ""
      if let d = try? deleteLocked(r, namespace: o["metadata"]["namespace"].stringValue, name: name, options: options) {
        out.append(d.object)
      }
    }
    try runControllers()
    return out
  }

  // MARK: - Controllers: garbage collection, namespace lifecycle, CRDs, service accounts

  private func afterCreate(_ r: ResourceInfo, _ obj: JSONValue) throws {
    if r.storageKey == "/namespaces", let ns = obj["metadata"]["name"].stringValue,
      let sa = registry.lookup(group: "", version: "v1", plural: "serviceaccounts")
    {
      let saObj: JSONValue = [
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(ns)],
      ]
      _ = try? createLocked(sa, namespace: ns, object: saObj, dryRun: false)
    }
    if r.storageKey == "apiextensions.k8s.io/customresourcedefinitions" { crdsChanged() }
  }

  /// Runs the built-in controllers until nothing is left to do.
  private func runControllers() throws {
    var rounds = 0
    while true {
      rounds += 1
      if rounds > 10_000 { break }
      if !removals.isEmpty {
        let batch = removals
        removals = []
        for o in batch { handleRemoval(o) }
        continue
      }
      if processForeground() || processOrphans() || processNamespaces() { continue }
      break
    }
  }

  private func resourceFor(storageKey: String) -> ResourceInfo? {
    let parts = storageKey.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    return registry.lookup(group: String(parts[0]), plural: String(parts[1]))
  }

  private func dependents(of uid: String) -> [(ResourceInfo, JSONValue)] {
    var out: [(ResourceInfo, JSONValue)] = []
    for ik in ownerIndex[uid] ?? [] {
      guard let o = data[ik.storageKey]?[ik.key], let r = resourceFor(storageKey: ik.storageKey) else { continue }
      out.append((r, o))
    }
    return out
  }

  private func handleRemoval(_ o: JSONValue) {
    let kind = o["kind"].stringValue ?? ""
    if kind == "CustomResourceDefinition" {
      let group = o["spec"]["group"].stringValue ?? ""
      let plural = o["spec"]["names"]["plural"].stringValue ?? ""
      if let info = registry.lookup(group: group, plural: plural) {
        for (_, obj) in data[info.storageKey] ?? [:] { _ = remove(info, obj) }
        data[info.storageKey] = nil
      }
      crdsChanged()
    }
    guard let uid = o["metadata"]["uid"].stringValue else { return }
    defer { ownerIndex[uid] = nil }
    // Background propagation: dependents whose owners are all gone are deleted.
    for (r, dep) in dependents(of: uid) {
      let refs = dep["metadata"]["ownerReferences"].arrayValue ?? []
      let alive = refs.contains { ref in
        guard let u = ref["uid"].stringValue, u != uid else { return false }
        return uidIndex[u] != nil
      }
      if alive {
        var d = dep
        d["metadata"]["ownerReferences"] = .array(refs.filter { $0["uid"].stringValue != uid })
        store(r, &d, type: .modified, old: dep)
      } else if dep["metadata"]["deletionTimestamp"].isNull {
        _ = try? deleteLocked(
          r, namespace: dep["metadata"]["namespace"].stringValue, name: dep["metadata"]["name"].stringValue ?? "",
          options: DeleteRequest(propagationPolicy: "Background"))
      }
    }
  }

  private func removeFinalizer(_ r: ResourceInfo, _ obj: JSONValue, _ f: String) {
    var o = obj
    let fs = (o["metadata"]["finalizers"].arrayValue ?? []).filter { $0.stringValue != f }
    o["metadata"]["finalizers"] = .array(fs)
    if fs.isEmpty, var m = o["metadata"].objectValue {
      m["finalizers"] = nil
      o["metadata"] = .object(m)
      store(r, &o, type: .modified, old: obj)
      _ = remove(r, o)
    } else {
      store(r, &o, type: .modified, old: obj)
    }
  }

  private func objectsWithFinalizer(_ f: String) -> [(ResourceInfo, JSONValue)] {
    var out: [(ResourceInfo, JSONValue)] = []
    for ik in deleting {
      guard let o = data[ik.storageKey]?[ik.key] else { continue }
      if (o["metadata"]["finalizers"].arrayValue ?? []).contains(.string(f)),
        let r = resourceFor(storageKey: ik.storageKey)
      {
        out.append((r, o))
      }
    }
    return out
  }

  /// Foreground deletion: delete the dependents, then drop `foregroundDeletion` once no
  /// dependent with `blockOwnerDeletion` remains.
  private func processForeground() -> Bool {
    var changed = false
    for (r, owner) in objectsWithFinalizer("foregroundDeletion") {
      let uid = owner["metadata"]["uid"].stringValue ?? ""
      let deps = dependents(of: uid)
      for (dr, dep) in deps where dep["metadata"]["deletionTimestamp"].isNull {
        _ = try? deleteLocked(
          dr, namespace: dep["metadata"]["namespace"].stringValue, name: dep["metadata"]["name"].stringValue ?? "",
          options: DeleteRequest(propagationPolicy: "Foreground"))
        changed = true
      }
      let blocking = dependents(of: uid).contains { _, d in
        (d["metadata"]["ownerReferences"].arrayValue ?? []).contains {
          $0["uid"].stringValue == uid && $0["blockOwnerDeletion"].boolValue == true
        }
      }
      if !blocking {
        removeFinalizer(r, owner, "foregroundDeletion")
        changed = true
      }
    }
    return changed
  }

  /// Orphan deletion: dependents lose the owner reference, then `orphan` is dropped.
  private func processOrphans() -> Bool {
    var changed = false
    for (r, owner) in objectsWithFinalizer("orphan") {
      let uid = owner["metadata"]["uid"].stringValue ?? ""
      for (dr, dep) in dependents(of: uid) {
        var d = dep
        let refs = (d["metadata"]["ownerReferences"].arrayValue ?? []).filter { $0["uid"].stringValue != uid }
        if refs.isEmpty, var m = d["metadata"].objectValue {
          m["ownerReferences"] = nil
          d["metadata"] = .object(m)
        } else {
          d["metadata"]["ownerReferences"] = .array(refs)
        }
        store(dr, &d, type: .modified, old: dep)
      }
      removeFinalizer(r, owner, "orphan")
      changed = true
    }
    return changed
  }

  /// Namespace lifecycle: a terminating namespace loses its contents, then itself.
  private func processNamespaces() -> Bool {
    guard let nsRes = registry.lookup(group: "", version: "v1", plural: "namespaces") else { return false }
    var changed = false
    let terminating = deleting.filter { $0.storageKey == "/namespaces" }.compactMap { data["/namespaces"]?[$0.key] }
    for nsObj in terminating {
      let ns = nsObj["metadata"]["name"].stringValue ?? ""
      var remaining = 0
      for (sk, bucket) in data where sk != "/namespaces" {
        guard let r = resourceFor(storageKey: sk), r.namespaced else { continue }
        for (k, o) in bucket where k.hasPrefix(ns + "/") {
          remaining += 1
          if o["metadata"]["deletionTimestamp"].isNull
            || (r.storageKey == "/pods" && o["spec"]["nodeName"].stringValue == nil)
          {
            if let out = try? deleteLocked(
              r, namespace: ns, name: o["metadata"]["name"].stringValue ?? "", options: DeleteRequest())
            {
              if out.removed { remaining -= 1 }
              changed = true
            }
          }
        }
      }
      if remaining == 0 {
        let specFinalizers = (nsObj["spec"]["finalizers"].arrayValue ?? []).filter { $0.stringValue != "kubernetes" }
        var o = nsObj
        if !(nsObj["spec"]["finalizers"].arrayValue ?? []).isEmpty {
          o["spec"]["finalizers"] = .array(specFinalizers)
        }
        let metaFinalizers = o["metadata"]["finalizers"].arrayValue ?? []
        if specFinalizers.isEmpty && metaFinalizers.isEmpty {
          _ = remove(nsRes, o)
          changed = true
        } else if o != nsObj {
          store(nsRes, &o, type: .modified, old: nsObj)
          changed = true
        }
      }
    }
    return changed
  }

  // MARK: - CRDs

  private func crdsChanged() {
    var reg = ResourceRegistry(builtins: BuiltinResources.all)
    for (_, crd) in data["apiextensions.k8s.io/customresourcedefinitions"] ?? [:]
    where crd["metadata"]["deletionTimestamp"].isNull {
      for info in CRDSupport.resources(from: crd) { reg.add(info) }
      let versions = CRDSupport.versionOrder(crd)
      reg.setVersionOrder(group: crd["spec"]["group"].stringValue ?? "", versions: versions)
    }
    registry = reg
    onCRDChange?()
  }

  func setOnCRDChange(_ f: @escaping @Sendable () -> Void) { onCRDChange = f }

  /// Objects of every kind (for diagnostics and benchmarks).
  var objectCount: Int { data.values.reduce(0) { $0 + $1.count } }
}

/// The `continue` token: the list's resourceVersion and the last key returned.
struct ContinueToken: Codable {
  var v = "meta.k8s.io/v1"
  var rv: Int64
  var start: String

  init(rv: Int64, start: String) {
    self.rv = rv
    self.start = start
  }

  var encoded: String {
    let json = JSONValue.object(["v": .string(v), "rv": .int(rv), "start": .string(start + "\u{0}")]).serialized()
    return Data(json).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
      of: "/", with: "_"
    ).replacingOccurrences(of: "=", with: "")
  }

  static func decode(_ s: String) -> ContinueToken? {
    var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while b.count % 4 != 0 { b += "=" }
    guard let d = Data(base64Encoded: b), let v = try? JSONValue.parse(Array(d)),
      let rv = v["rv"].intValue, var start = v["start"].stringValue
    else { return nil }
    if start.hasSuffix("\u{0}") { start.removeLast() }
    return ContinueToken(rv: rv, start: start)
  }
}
