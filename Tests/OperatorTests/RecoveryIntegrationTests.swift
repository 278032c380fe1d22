import CRDModels
import Foundation
import KubeClient
import Synchronization
import Testing

@testable import Operator

/// Fails its first pass on a key with 409 Conflict, then succeeds.
final class ConflictOnceReconciler: Reconciler {
  let name = "conflict-once"
  let passes = Mutex(0)
  func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
    let n = passes.withLock { p in
      p += 1
      return p
    }
    if n == 1 {
      throw KubeError(status: Status(message: "the object has been modified", reason: "Conflict", code: 409))
    }
    return .done
  }
}

@Suite(.serialized) struct RecoveryIntegrationTests {
  /// A conflict means the cache was behind: the key is reconciled again, and the pass is
  /// counted as a requeue, not an error.
  @Test func aConflictIsRetriedAndNotCountedAsAnError() async throws {
    let registry = MetricsRegistry()
    let reconciler = ConflictOnceReconciler()
    // No backoff delay: the retry must not wait on a timer, which a loaded 2-core test run can
    // starve for seconds.
    let controller = Controller(
      reconciler: reconciler, workers: 1, queue: WorkQueue(rateLimiter: RequeueRateLimiter(baseDelay: .zero)),
      logger: quietLogger, metrics: ControllerMetrics(registry: registry))
    let run = Task { await controller.run() }
    await controller.enqueue(ObjectKey(namespace: "default", name: "x"))
    #expect(await eventually(timeout: .seconds(30)) { reconciler.passes.withLock { $0 } == 2 })
    await controller.stop()
    await run.value
    let text = registry.render()
    #expect(
      MetricsIntegrationTests.sample(text, #"gra_reconcile_total{controller="conflict-once",result="requeue"}"#) == 1)
    #expect(
      MetricsIntegrationTests.sample(text, #"gra_reconcile_total{controller="conflict-once",result="success"}"#) == 1)
    #expect(!text.contains(#"gra_reconcile_errors_total{controller="conflict-once"}"#))
    #expect(MetricsIntegrationTests.sample(text, #"gra_workqueue_retries_total{controller="conflict-once"}"#) == 1)
  }

  /// A leader that dies without releasing its Lease: the standby waits for the lease to run
  /// out (measured from when it saw the record, not from `renewTime`), then takes over and
  /// counts a transition.
  @Test func aStandbyTakesOverFromALeaderThatDiedWithoutReleasing() async throws {
    let f = try await LocalClusterFixture.start()
    let leases = f.client.dynamic(LeaderElector.leaseResource, namespace: "default")
    let now = MicroTime(Date())
    var lease: DynamicObject = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease"]
    lease["metadata"] = ["name": "gra-crash", "namespace": "default"]
    lease["spec"] =
      LeaderElectionRecord(
        holderIdentity: "dead", leaseDurationSeconds: 2, acquireTime: now, renewTime: now, leaseTransitions: 0
      ).leaseSpec
    _ = try await leases.create(lease)

    let timing = LeaderElectionTiming(
      leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(250))
    let standby = try LeaderElector(
      client: f.client, namespace: "default", name: "gra-crash", identity: "standby", timing: timing,
      logger: quietLogger)
    let leading = Mutex(false)
    let task = Task {
      await standby.run {
        leading.withLock { $0 = true }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
      }
    }
    try await Task.sleep(for: .milliseconds(500))
    #expect(!leading.withLock { $0 }, "took a lease that had not run out")
    #expect(await eventually(timeout: .seconds(15)) { leading.withLock { $0 } })
    let after = try await leases.get("gra-crash")
    #expect(after["spec"]["holderIdentity"] == "standby")
    #expect(after["spec"]["leaseTransitions"] == 1)
    task.cancel()
    await task.value
    await f.stop()
  }
}
