import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Testing

@testable import Operator

/// `/metrics` as an operator exports it: API requests by verb and code (through the manager's
/// hook on the client) and the work queue's adds, waits and work durations.
@Suite(.serialized) struct MetricsIntegrationTests {
  /// The value of the sample whose line starts with `prefix` (name and labels), if any.
  static func sample(_ text: String, _ prefix: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") {
      return Double(line.split(separator: " ").last ?? "")
    }
    return nil
  }

  @Test func apiRequestsAndWorkQueueMetricsAreExported() async throws {
    let f = try await LocalClusterFixture.start()
    let registry = MetricsRegistry()
    var options = Manager.Options()
    options.healthPort = nil
    options.metricsPort = nil
    let manager = Manager(
      client: f.client, watchNamespace: "default", metrics: registry, options: options, logger: quietLogger)
    let api = f.client.api(TestConfigMap.self, namespace: "default")
    let informer = manager.informers.informer(TestConfigMap.self, config: WatcherConfig(labelSelector: "test=informer"))
    let reconciler = CountingReconciler(delay: .milliseconds(20))
    let controller = Controller(
      reconciler: reconciler, workers: 2, logger: quietLogger, metrics: ControllerMetrics(registry: registry))
    informer.onEvent { event in
      switch event {
      case .applied(_, let o), .deleted(let o): await controller.enqueue(ObjectCache<TestConfigMap>.key(of: o))
      }
    }
    let run = Task { try await manager.run([controller]) }
    await informer.waitUntilSynced()
    for i in 0..<5 { _ = try await api.create(TestConfigMap("m\(i)")) }
    _ = try? await api.create(TestConfigMap("m0"))  // 409 AlreadyExists
    _ = try? await api.get("missing")  // 404

    let done = await eventually {
      let inFlight = await controller.queue.inFlight
      let depth = await controller.queue.depth
      return reconciler.counts.withLock { $0.count } == 5 && inFlight == 0 && depth == 0
    }
    #expect(done)
    let text = registry.render()
    #expect((Self.sample(text, #"gra_rest_client_requests_total{code="201",verb="create"}"#) ?? 0) >= 5, "\(text)")
    #expect(Self.sample(text, #"gra_rest_client_requests_total{code="409",verb="create"}"#) == 1)
    #expect(Self.sample(text, #"gra_rest_client_requests_total{code="404",verb="get"}"#) == 1)
    #expect((Self.sample(text, #"gra_rest_client_requests_total{code="200",verb="list"}"#) ?? 0) >= 1)
    #expect((Self.sample(text, #"gra_rest_client_requests_total{code="200",verb="watch"}"#) ?? 0) >= 1)
    #expect((Self.sample(text, #"gra_rest_client_request_duration_seconds_count{verb="create"}"#) ?? 0) >= 6)
    #expect((Self.sample(text, #"gra_workqueue_adds_total{controller="counting"}"#) ?? 0) >= 5)
    #expect((Self.sample(text, #"gra_workqueue_queue_duration_seconds_count{controller="counting"}"#) ?? 0) >= 5)
    #expect((Self.sample(text, #"gra_workqueue_work_duration_seconds_count{controller="counting"}"#) ?? 0) >= 5)
    // Each reconcile is counted once, under one result.
    let reconciles = Self.sample(text, #"gra_reconcile_total{controller="counting",result="success"}"#) ?? 0
    #expect(reconciles == Double(reconciler.counts.withLock { $0.values.reduce(0, +) }))
    #expect(Self.sample(text, #"gra_workqueue_depth{controller="counting"}"#) == 0)
    #expect(Self.sample(text, "gra_leader") == 1)

    run.cancel()
    _ = await run.result
    await f.stop()
  }
}
