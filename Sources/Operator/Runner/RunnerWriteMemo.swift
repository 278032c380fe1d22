import CRDModels
import Synchronization

/// What the Runner controller wrote recently and its caches may not show yet.
///
/// Informer caches lag the controller's own writes by one watch event. Without this memo a
/// reconcile that runs in that window (another owned object changed) would create the pod a
/// second time (409 AlreadyExists), delete it again, or write the same status again — writes
/// that change nothing. This is client-go's "expectations", in small: entries are trusted only
/// until the cache shows the object or for a few seconds, whichever comes first.
final class RunnerWriteMemo: Sendable {
  static let trustFor: Duration = .seconds(5)

  private struct Created<T: Sendable>: Sendable {
    var object: T
    var at: ContinuousClock.Instant
  }
  /// Losses of a runner's pod, for the recreation backoff.
  struct Restarts: Sendable, Equatable {
    var count: Int
    var lastLoss: ContinuousClock.Instant
  }
  private struct State: Sendable {
    var pods: [ObjectKey: Created<Pod>] = [:]
    var claims: [ObjectKey: Created<PersistentVolumeClaim>] = [:]
    var services: [ObjectKey: Created<Service>] = [:]
    /// uids of pods this controller deleted, until the cache shows them terminating or gone.
    var deletedPods: [String: ContinuousClock.Instant] = [:]
    /// Runners whose pod this controller deleted on purpose (spec change, suspend, failure).
    var expectPodGone: Set<ObjectKey> = []
    /// The status written on top of a resourceVersion, and the Runner the write returned.
    var statuses: [ObjectKey: (baseRV: String, status: RunnerStatus, written: Runner?)] = [:]
    /// Hash of a side object (keys Secret, NetworkPolicy) last made to match.
    var ensured: [String: String] = [:]
    var restarts: [ObjectKey: Restarts] = [:]
  }
  private let state = Mutex(State())

  func createdPod(_ key: ObjectKey, _ pod: Pod) { state.withLock { $0.pods[key] = Created(object: pod, at: .now) } }
  func createdClaim(_ key: ObjectKey, _ c: PersistentVolumeClaim) {
    state.withLock { $0.claims[key] = Created(object: c, at: .now) }
  }
  func createdService(_ key: ObjectKey, _ s: Service) {
    state.withLock { $0.services[key] = Created(object: s, at: .now) }
  }

  /// The cached object, else one created moments ago that the cache has not seen yet.
  func pod(_ key: ObjectKey, cached: Pod?) -> Pod? {
    state.withLock { s in
      if let cached {
        s.pods[key] = nil
        if let uid = cached.metadata.uid, s.deletedPods[uid] != nil {
          if cached.metadata.deletionTimestamp != nil {
            s.deletedPods[uid] = nil
            return cached
          }
          var terminating = cached
          terminating.metadata.deletionTimestamp = .now()
          return terminating
        }
        return cached
      }
      guard let c = s.pods[key], ContinuousClock.now - c.at < Self.trustFor else {
        s.pods[key] = nil
        return nil
      }
      return c.object
    }
  }

  func claim(_ key: ObjectKey, cached: PersistentVolumeClaim?) -> PersistentVolumeClaim? {
    state.withLock { s in
      if let cached {
        s.claims[key] = nil
        return cached
      }
      guard let c = s.claims[key], ContinuousClock.now - c.at < Self.trustFor else {
        s.claims[key] = nil
        return nil
      }
      return c.object
    }
  }

  func service(_ key: ObjectKey, cached: Service?) -> Service? {
    state.withLock { s in
      if let cached {
        s.services[key] = nil
        return cached
      }
      guard let c = s.services[key], ContinuousClock.now - c.at < Self.trustFor else {
        s.services[key] = nil
        return nil
      }
      return c.object
    }
  }

  func deletedPod(uid: String, runner: ObjectKey) {
    state.withLock { s in
      let now = ContinuousClock.now
      s.deletedPods = s.deletedPods.filter { now - $0.value < .seconds(60) }
      s.deletedPods[uid] = now
      s.expectPodGone.insert(runner)
    }
  }

  /// True once: the pod vanished although this controller did not delete it.
  func podLossWasExpected(_ runner: ObjectKey) -> Bool {
    state.withLock { $0.expectPodGone.remove(runner) != nil }
  }

  func wroteStatus(_ key: ObjectKey, baseRV: String, _ status: RunnerStatus, written: Runner? = nil) {
    state.withLock { $0.statuses[key] = (baseRV, status, written) }
  }

  /// The Runner as this controller last wrote it, when the cache still shows the version that
  /// write was based on (so a new status write goes on top of it instead of failing with 409).
  func newerThanCache(_ key: ObjectKey, cachedRV: String?) -> Runner? {
    state.withLock { s in
      guard let w = s.statuses[key], let cachedRV, w.baseRV == cachedRV else { return nil }
      return w.written
    }
  }

  /// True when `status` was already written on top of `rv` (the cache has not caught up).
  func alreadyWrote(_ key: ObjectKey, rv: String?, _ status: RunnerStatus) -> Bool {
    state.withLock { s in
      guard let w = s.statuses[key], let rv else { return false }
      return w.baseRV == rv && w.status == status
    }
  }

  func isEnsured(_ id: String, hash: String) -> Bool { state.withLock { $0.ensured[id] == hash } }
  func ensured(_ id: String, hash: String) { state.withLock { $0.ensured[id] = hash } }

  func restarts(_ key: ObjectKey) -> Restarts? { state.withLock { $0.restarts[key] } }
  func recordLoss(_ key: ObjectKey) {
    state.withLock { s in
      let n = (s.restarts[key]?.count ?? 0) + 1
      s.restarts[key] = Restarts(count: n, lastLoss: .now)
    }
  }
  func resetRestarts(_ key: ObjectKey) { state.withLock { _ = $0.restarts.removeValue(forKey: key) } }

  /// Forgets that a side object was made to match: the next pass looks at it again.
  func forgetEnsured(_ id: String) { state.withLock { _ = $0.ensured.removeValue(forKey: id) } }

  /// Forgets a Runner that is gone.
  func forget(_ key: ObjectKey, uid: String?) {
    state.withLock { s in
      s.pods[key] = nil
      s.statuses[key] = nil
      s.restarts[key] = nil
      s.expectPodGone.remove(key)
      if let uid { s.ensured = s.ensured.filter { !$0.key.hasPrefix(uid) } }
    }
  }
}
