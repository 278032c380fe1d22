import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Synchronization
import Testing

@testable import Operator

/// Counts reconciles per key and detects two workers holding one key.
final class CountingReconciler: Reconciler {
  let name = "counting"
  let counts = Mutex<[ObjectKey: Int]>([:])
  let inFlight = Mutex<Set<ObjectKey>>([])
  let overlaps = Mutex(0)
  let delay: Duration
  init(delay: Duration) { self.delay = delay }

  func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
    if !inFlight.withLock({ $0.insert(key).inserted }) { overlaps.withLock { $0 += 1 } }
    counts.withLock { $0[key, default: 0] += 1 }
    try? await Task.sleep(for: delay)
    _ = inFlight.withLock { $0.remove(key) }
    return .done
  }
}

@Suite(.serialized) struct ControllerIntegrationTests {
  @Test func aBurstOfAThousandChangesReconcilesAHandfulOfTimes() async throws {
    let f = try await LocalClusterFixture.start()
    let api = f.client.api(TestConfigMap.self, namespace: "default")
    _ = try await api.create(TestConfigMap("hot"))
    let informer = Informer(api: api, config: WatcherConfig(labelSelector: "test=informer"), logger: quietLogger)
    let reconciler = CountingReconciler(delay: .milliseconds(50))
    let controller = Controller(reconciler: reconciler, workers: 4, logger: quietLogger)
    informer.onEvent { event in
      switch event {
      case .applied(_, let o), .deleted(let o): await controller.enqueue(ObjectCache<TestConfigMap>.key(of: o))
      }
    }
    let informerTask = Task { await informer.run() }
    let controllerTask = Task { await controller.run() }
    await informer.waitUntilSynced()

    let changes = 1000
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for worker in 0..<8 {
        group.addTask {
          for i in stride(from: worker, to: changes, by: 8) {
            _ = try await api.patch("hot", .merge(["data": ["v": .string("\(i)")]]))
          }
        }
      }
      try await group.waitForAll()
    }
    let burst = ContinuousClock.now - start
    let latest = try await api.get("hot").metadata.resourceVersion
    #expect(
      await eventually {
        informer.cache.get(ObjectKey(namespace: "default", name: "hot"))?.metadata.resourceVersion == latest
      })
    let drained = await eventually {
      let depth = await controller.queue.depth
      let inFlight = await controller.queue.inFlight
      return depth == 0 && inFlight == 0
    }
    #expect(drained)

    let reconciles = reconciler.counts.withLock { $0[ObjectKey(namespace: "default", name: "hot")] ?? 0 }
    #expect(reconciles >= 1)
    // Collapsed: one key never runs twice at once and waits at most once, so a 50 ms reconcile
    // starts at most once per 50 ms of the burst, plus the one of the initial list and the one
    // pending at the burst's end, however many changes came in. How many that is depends on how
    // fast the burst went: a handful on a quiet machine, about a hundred under the whole suite.
    let bound = Int(burst / .milliseconds(50)) + 3
    #expect(reconciles <= bound, "\(changes) changes in \(burst) caused \(reconciles) reconciles")
    #expect(reconciles < changes / 4, "\(changes) changes caused \(reconciles) reconciles")
    #expect(reconciler.overlaps.withLock { $0 } == 0, "two workers held one key")

    await controller.stop()
    controllerTask.cancel()
    informerTask.cancel()
    await f.stop()
  }

  @Test func twoInstancesElectOneLeaderAndTheStandbyTakesOverWhenItStops() async throws {
    let f = try await LocalClusterFixture.start()
    let timing = LeaderElectionTiming(
      leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(500))
    let leading = Mutex<[String]>([])
    func elector(_ id: String) throws -> LeaderElector {
      try LeaderElector(
        client: f.client, namespace: "default", name: "gra-test", identity: id, timing: timing, logger: quietLogger)
    }
    let a = try elector("a")
    let b = try elector("b")
    let work: @Sendable (String) -> @Sendable () async -> Void = { id in
      {
        leading.withLock { $0.append(id) }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
        leading.withLock { $0.removeAll { $0 == id } }
      }
    }
    let taskA = Task { await a.run(work("a")) }
    #expect(await eventually { leading.withLock { $0 } == ["a"] })
    let taskB = Task { await b.run(work("b")) }
    try await Task.sleep(for: .seconds(2))
    #expect(leading.withLock { $0 } == ["a"], "only one leader at a time")

    let stopped = ContinuousClock.now
    taskA.cancel()
    await taskA.value
    #expect(await eventually(timeout: .seconds(4)) { leading.withLock { $0 } == ["b"] })
    let takeover = ContinuousClock.now - stopped
    #expect(takeover < timing.leaseDuration, "the standby took \(takeover) to take over after a clean stop")

    let lease = try await f.client.dynamic(LeaderElector.leaseResource, namespace: "default").get("gra-test")
    #expect(lease["spec"]["holderIdentity"] == "b")
    #expect(lease["spec"]["leaseTransitions"] == 1)
    taskB.cancel()
    await taskB.value
    await f.stop()
  }
}
