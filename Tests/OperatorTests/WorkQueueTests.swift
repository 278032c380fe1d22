import Testing

@testable import Operator

@Suite struct WorkQueueTests {
  let a = ObjectKey(namespace: "ns", name: "a")
  let b = ObjectKey(namespace: "ns", name: "b")

  @Test func addsOfOneKeyAreDeduplicated() async {
    let q = WorkQueue()
    for _ in 0..<1000 { await q.add(a) }
    await q.add(b)
    #expect(await q.depth == 2)
    #expect(await q.next() == a)
    #expect(await q.next() == b)
    #expect(await q.depth == 0)
  }

  @Test func aKeyAddedWhileProcessingWaitsUntilDone() async {
    let q = WorkQueue()
    await q.add(a)
    let first = await q.next()
    #expect(first == a)
    await q.add(a)
    await q.add(a)
    #expect(await q.depth == 0, "a key in flight must not be handed out again")
    await q.done(a)
    #expect(await q.depth == 1)
    #expect(await q.next() == a)
  }

  @Test func twoWorkersNeverHoldOneKey() async {
    let q = WorkQueue()
    let tracker = InFlightTracker()
    await withTaskGroup(of: Void.self) { group in
      for w in 0..<4 {
        group.addTask {
          while let key = await q.next() {
            await tracker.begin(key, worker: w)
            await Task.yield()
            await tracker.end(key)
            await q.done(key)
          }
        }
      }
      for i in 0..<2000 { await q.add(i % 3 == 0 ? a : b) }
      try? await Task.sleep(for: .milliseconds(200))
      await q.shutDown()
    }
    #expect(await tracker.overlaps == 0)
    #expect(await tracker.processed > 0)
    #expect(await tracker.processed < 2000, "repeated adds of two keys must collapse")
  }

  @Test func addAfterKeepsTheEarliestDeadline() async throws {
    let q = WorkQueue()
    await q.addAfter(a, .seconds(30))
    await q.addAfter(a, .milliseconds(20))
    #expect(await q.depth == 0)
    // The 20 ms deadline fires long before the 30 s one; poll rather than assume a scheduler delay
    // (a full, unthrottled test run on 2 cores has starved timers for over 10 s).
    let fired = await eventually(timeout: .seconds(25)) { await q.depth == 1 }
    #expect(fired)
    #expect(await q.next() == a)
  }

  @Test func backoffDoublesAndForgetResetsIt() {
    var limiter = RequeueRateLimiter(bucketBurst: 1_000_000)
    let delays = (0..<5).map { _ in limiter.when(a) }
    #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
    limiter.forget(a)
    #expect(limiter.when(a) == .milliseconds(5))
    #expect(limiter.when(b) == .milliseconds(5), "backoff is per key")
  }

  @Test func backoffIsCappedAtTheMaximum() {
    var limiter = RequeueRateLimiter(maxDelay: .seconds(1000), bucketBurst: 1_000_000)
    var last = Duration.zero
    for _ in 0..<60 { last = limiter.when(a) }
    #expect(last == .seconds(1000))
  }

  @Test func theOverallBucketSlowsAStormAcrossKeys() {
    var limiter = RequeueRateLimiter(bucketRate: 10, bucketBurst: 2)
    let now = ContinuousClock.now
    let d = (0..<5).map { i in limiter.when(ObjectKey(namespace: nil, name: "k\(i)"), now: now) }
    #expect(d[0] == .milliseconds(5))
    #expect(d[4] > .milliseconds(200), "past the burst each key waits for a token")
  }

  @Test func shutDownWakesWaitingWorkers() async {
    let q = WorkQueue()
    async let waiting = q.next()
    try? await Task.sleep(for: .milliseconds(20))
    await q.shutDown()
    #expect(await waiting == nil)
  }
}

private actor InFlightTracker {
  var holders: [ObjectKey: Int] = [:]
  var overlaps = 0
  var processed = 0
  func begin(_ key: ObjectKey, worker: Int) {
    if holders[key] != nil { overlaps += 1 }
    holders[key] = worker
    processed += 1
  }
  func end(_ key: ObjectKey) { holders[key] = nil }
}
