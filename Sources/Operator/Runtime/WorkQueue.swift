/// The controller work queue, with client-go's guarantees:
///
/// - a key is queued at most once however often it is added (a burst of 1,000 changes to one
///   object becomes one reconcile);
/// - a key is never handed to two workers at once: a key added while it is being processed is
///   marked dirty and queued again when the worker calls ``done(_:)``;
/// - ``addAfter(_:_:)`` delays a key, the earliest pending deadline winning;
/// - ``addRateLimited(_:)`` delays it by the ``RequeueRateLimiter``'s backoff.
public actor WorkQueue {
  private var queue: [ObjectKey] = []
  private var head = 0
  private var queued: Set<ObjectKey> = []
  private var processing: Set<ObjectKey> = []
  private var dirty: Set<ObjectKey> = []
  private var deadlines: [ObjectKey: ContinuousClock.Instant] = [:]
  private var waiters: [CheckedContinuation<ObjectKey?, Never>] = []
  private var limiter: RequeueRateLimiter
  private var isShutDown = false
  /// When each queued key was added, and when each in-flight key was taken (for metrics).
  private var addedAt: [ObjectKey: ContinuousClock.Instant] = [:]
  private var startedAt: [ObjectKey: ContinuousClock.Instant] = [:]
  private var metrics: (WorkQueueMetrics, labels: [String: String])?

  public init(rateLimiter: RequeueRateLimiter = RequeueRateLimiter()) {
    self.limiter = rateLimiter
  }

  /// Keys waiting to be processed (not counting delayed or in-flight ones).
  public var depth: Int { queue.count - head }
  public var inFlight: Int { processing.count }

  /// Reports depth, adds, queue and work durations and retries under `name`.
  public func instrument(_ m: WorkQueueMetrics, name: String) {
    metrics = (m, ["controller": name])
    m.depth.set(Double(depth), labels: ["controller": name])
  }

  private func taken(_ key: ObjectKey) {
    processing.insert(key)
    guard let (m, labels) = metrics else { return }
    let now = ContinuousClock.now
    if let t = addedAt.removeValue(forKey: key) { m.queueDuration.observe((now - t).seconds, labels: labels) }
    startedAt[key] = now
    m.depth.set(Double(depth), labels: labels)
  }

  public func add(_ key: ObjectKey) {
    guard !isShutDown else { return }
    if let (m, labels) = metrics { m.adds.inc(labels: labels) }
    if processing.contains(key) {
      dirty.insert(key)
      return
    }
    guard queued.insert(key).inserted else { return }
    if metrics != nil { addedAt[key] = .now }
    if let w = waiters.first {
      waiters.removeFirst()
      queued.remove(key)
      taken(key)
      w.resume(returning: key)
    } else {
      queue.append(key)
      if let (m, labels) = metrics { m.depth.set(Double(depth), labels: labels) }
    }
  }

  /// Adds `key` after `delay`; if it is already scheduled sooner, the sooner time stands.
  public func addAfter(_ key: ObjectKey, _ delay: Duration) {
    guard !isShutDown else { return }
    guard delay > .zero else { return add(key) }
    let deadline = ContinuousClock.now + delay
    if let existing = deadlines[key], existing <= deadline { return }
    deadlines[key] = deadline
    Task { [weak self] in
      try? await Task.sleep(until: deadline, clock: .continuous)
      await self?.fire(key, deadline)
    }
  }

  private func fire(_ key: ObjectKey, _ deadline: ContinuousClock.Instant) {
    guard deadlines[key] == deadline else { return }
    deadlines[key] = nil
    add(key)
  }

  /// Requeues `key` after its backoff; returns the delay chosen.
  @discardableResult
  public func addRateLimited(_ key: ObjectKey) -> Duration {
    let d = limiter.when(key)
    if let (m, labels) = metrics { m.retries.inc(labels: labels) }
    addAfter(key, d)
    return d
  }

  /// Stops backing off `key`.
  public func forget(_ key: ObjectKey) { limiter.forget(key) }

  public func failureCount(_ key: ObjectKey) -> Int { limiter.failureCount(key) }

  /// The next key to process, waiting until one is ready; nil once the queue is shut down.
  public func next() async -> ObjectKey? {
    if head < queue.count {
      let key = queue[head]
      head += 1
      if head > 1024, head * 2 > queue.count {
        queue.removeFirst(head)
        head = 0
      }
      queued.remove(key)
      taken(key)
      return key
    }
    if isShutDown { return nil }
    return await withCheckedContinuation { waiters.append($0) }
  }

  /// Marks `key` processed; if it was added meanwhile it is queued again.
  public func done(_ key: ObjectKey) {
    processing.remove(key)
    if let (m, labels) = metrics, let t = startedAt.removeValue(forKey: key) {
      m.workDuration.observe((ContinuousClock.now - t).seconds, labels: labels)
    }
    if dirty.remove(key) != nil { add(key) }
  }

  /// Wakes every waiting worker with nil; keys already queued are still handed out.
  public func shutDown() {
    isShutDown = true
    deadlines.removeAll()
    let w = waiters
    waiters.removeAll()
    for c in w { c.resume(returning: nil) }
  }
}
