import APIMachinery
import CRDModels
import Synchronization

/// The informer's in-memory copy of one kind, with indexes by namespace, by controller owner
/// uid and by label.
///
/// Reads are synchronous and cheap (a lock, not an actor hop) because reconcilers read many
/// objects per pass. Objects handed out are values: mutating one never changes the cache
/// (client-go's "never mutate cached objects" holds by construction).
public final class ObjectCache<T: KubernetesObject>: Sendable {
  private struct State {
    var objects: [ObjectKey: T] = [:]
    var byNamespace: [String: Set<ObjectKey>] = [:]
    var byOwner: [String: Set<ObjectKey>] = [:]
    /// Keyed by `name=value`: a selector that pins a label's value reads only those objects.
    var byLabel: [String: Set<ObjectKey>] = [:]
    var synced = false
  }
  private let state = Mutex(State())

  public init() {}

  public static func key(of object: T) -> ObjectKey {
    ObjectKey(namespace: object.metadata.namespace, name: object.metadata.name ?? "")
  }

  /// True once the initial list has been applied.
  public var hasSynced: Bool { state.withLock { $0.synced } }

  public func get(_ key: ObjectKey) -> T? { state.withLock { $0.objects[key] } }

  public func list(namespace: String? = nil) -> [T] {
    state.withLock { s in
      guard let namespace else { return Array(s.objects.values) }
      return (s.byNamespace[namespace] ?? []).compactMap { s.objects[$0] }
    }
  }

  /// Objects matching a label selector, optionally in one namespace. A selector that pins a
  /// label to one value (`app=x`, `app in (x)`) is answered from the label index; any other is
  /// a scan.
  public func list(namespace: String? = nil, matching selector: LabelSelectorMatcher) -> [T] {
    state.withLock { s in
      if selector.matchesNothing { return [] }
      let pinned = selector.requirements.lazy.compactMap { r in
        selector.requiredValue(for: r.key).map { "\(r.key)=\($0)" }
      }.first
      let candidates: [ObjectKey]
      if let pinned {
        candidates = Array(s.byLabel[pinned] ?? [])
      } else if let namespace {
        candidates = Array(s.byNamespace[namespace] ?? [])
      } else {
        candidates = Array(s.objects.keys)
      }
      return candidates.compactMap { key -> T? in
        guard let o = s.objects[key] else { return nil }
        if let namespace, (o.metadata.namespace ?? "") != namespace { return nil }
        return selector.matches(o.metadata.labels ?? [:]) ? o : nil
      }
    }
  }

  /// Objects whose controller ownerReference points at `uid`.
  public func owned(by uid: String) -> [T] {
    state.withLock { s in (s.byOwner[uid] ?? []).compactMap { s.objects[$0] } }
  }

  public var count: Int { state.withLock { $0.objects.count } }

  /// Inserts or replaces an object; returns the previous version.
  @discardableResult
  public func apply(_ object: T) -> T? {
    state.withLock { s in
      let key = Self.key(of: object)
      let old = s.objects.updateValue(object, forKey: key)
      // Most updates (status, spec) leave every indexed field as it was.
      if let old, Self.sameIndexEntries(old, object) { return old }
      if let old { Self.unindex(old, key, &s) }
      Self.index(object, key, &s)
      return old
    }
  }

  @discardableResult
  public func remove(_ object: T) -> T? {
    state.withLock { s in
      let key = Self.key(of: object)
      guard let old = s.objects.removeValue(forKey: key) else { return nil }
      Self.unindex(old, key, &s)
      return old
    }
  }

  /// Swaps in the result of a full (re)list atomically and marks the cache synced. Returns the
  /// objects that vanished meanwhile, so their owners can be told.
  @discardableResult
  public func replace(with objects: [T]) -> [T] {
    state.withLock { s in
      var fresh = State()
      fresh.synced = true
      for o in objects {
        let key = Self.key(of: o)
        fresh.objects[key] = o
        Self.index(o, key, &fresh)
      }
      let gone = s.objects.filter { fresh.objects[$0.key] == nil }.map(\.value)
      s = fresh
      return gone
    }
  }

  private static func sameIndexEntries(_ a: T, _ b: T) -> Bool {
    a.metadata.namespace == b.metadata.namespace && a.metadata.controllerRef?.uid == b.metadata.controllerRef?.uid
      && a.metadata.labels == b.metadata.labels
  }

  private static func index(_ o: T, _ key: ObjectKey, _ s: inout State) {
    s.byNamespace[o.metadata.namespace ?? "", default: []].insert(key)
    if let owner = o.metadata.controllerRef?.uid { s.byOwner[owner, default: []].insert(key) }
    for (name, value) in o.metadata.labels ?? [:] {
      s.byLabel["\(name)=\(value)", default: []].insert(key)
    }
  }

  private static func unindex(_ o: T, _ key: ObjectKey, _ s: inout State) {
    s.byNamespace[o.metadata.namespace ?? ""]?.remove(key)
    if s.byNamespace[o.metadata.namespace ?? ""]?.isEmpty == true {
      s.byNamespace[o.metadata.namespace ?? ""] = nil
    }
    if let owner = o.metadata.controllerRef?.uid {
      s.byOwner[owner]?.remove(key)
      if s.byOwner[owner]?.isEmpty == true { s.byOwner[owner] = nil }
    }
    for (name, value) in o.metadata.labels ?? [:] {
      let label = "\(name)=\(value)"
      s.byLabel[label]?.remove(key)
      if s.byLabel[label]?.isEmpty == true { s.byLabel[label] = nil }
    }
  }
}
