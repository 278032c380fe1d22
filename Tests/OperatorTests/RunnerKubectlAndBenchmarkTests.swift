import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Synchronization
import Testing

@testable import Operator

@Suite(.serialized) struct RunnerKubectlAndBenchmarkTests {
  /// `kubectl apply -f manifests/examples/runner-minimal.yaml`, as a user does it.
  @Test func kubectlApplyOfTheExampleBecomesReady() async throws {
    try #require(LocalKubelet.unsupportedReason == nil)
    try await RunnerTestCluster.with { c in
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("gra-home-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: home) }
      let example = RunnerTestCluster.root.appendingPathComponent("manifests/examples/runner-minimal.yaml")
      let result = try await runProcess(
        "/usr/bin/env", ["kubectl", "--kubeconfig", c.fixture.kubeconfig.path, "apply", "-n", "default", "-f", example.path],
        environment: ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
      let text = result.output
      #expect(result.status == 0, "\(text)")
      #expect(text.contains("runner.gra.dev/demo created"))
      #expect(try await c.waitFor("demo", .ready))

      // `kubectl exec` runs python in the runner, as the runner user, in the workspace.
      let exec = try await runProcess(
        "/usr/bin/env",
        [
          "kubectl", "--kubeconfig", c.fixture.kubeconfig.path, "exec", "-n", "default", "demo", "--", "python3", "-c",
          "import os; open('from-exec.txt', 'w').write('hi'); print(6 * 7, os.getuid(), os.getcwd())",
        ],
        environment: ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
      #expect(exec.status == 0, "\(exec.output)")
      #expect(exec.output.contains("42 1000 /workspace"), "\(exec.output)")
      #expect(FileManager.default.fileExists(atPath: c.workspace("demo-workspace").appendingPathComponent("from-exec.txt").path))
    }
  }

  /// Time and Runner writes for N Runners created at once until all are Ready. Runs only with
  /// `GRA_BENCH_RUNNERS=N` set; prints the figures.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH_RUNNERS"] != nil))
  func benchmarkRunnersToReady() async throws {
    let n = Int(ProcessInfo.processInfo.environment["GRA_BENCH_RUNNERS"] ?? "") ?? 20
    try await RunnerTestCluster.with { c in
      let counts = Mutex<[String: Int]>([:])
      let watcher = Informer(api: c.fixture.client.api(Runner.self, namespace: "default"), logger: quietLogger)
      watcher.onEvent { e in
        if case .applied(let old?, let new) = e, old.metadata.resourceVersion != new.metadata.resourceVersion {
          counts.withLock { $0[new.metadata.name ?? "", default: 0] += 1 }
        }
      }
      let task = Task { await watcher.run() }
      defer { task.cancel() }
      await watcher.waitUntilSynced()
      let start = ContinuousClock.now
      try await withThrowingTaskGroup(of: Void.self) { g in
        for i in 0..<n { g.addTask { try await c.create("bench-\(i)") } }
        try await g.waitForAll()
      }
      let created = ContinuousClock.now - start
      let allReady = try await eventually(timeout: .seconds(600)) {
        try await c.runners.list().items.filter { $0.status?.phase == .ready }.count == n
      }
      let elapsed = ContinuousClock.now - start
      try await Task.sleep(for: .seconds(2))
      let writes = counts.withLock { $0.values.reduce(0, +) }
      print("BENCH runners=\(n) allReady=\(allReady) creates=\(created) toReady=\(elapsed) runnerUpdates=\(writes) perRunner=\(Double(writes) / Double(n))")
      #expect(allReady)
    }
  }
}
