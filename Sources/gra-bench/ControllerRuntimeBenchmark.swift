import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging
import Operator
import Synchronization

/// Issue 6's figures: start-up time to synced and memory per cached object for N objects,
/// and reconciles per second of a no-op reconciler over all of them.
struct ControllerRuntimeBenchmark {
  struct BenchConfigMap: KubernetesObject {
    static let resource = ResourceDescriptor(
      group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    var apiVersion: String? = "v1"
    var kind: String? = "ConfigMap"
    var metadata: ObjectMeta
    var data: [String: String]?
  }

  final class NoopReconciler: Reconciler {
    let name = "noop"
    let count = Mutex(0)
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
      count.withLock { $0 += 1 }
      return .done
    }
  }

  let objects: Int

  func run() async throws -> [(String, String)] {
    let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
    let server = try await LocalAPIServer.start()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-bench-\(UUID().uuidString)")
    let kubeconfig = dir.appendingPathComponent("kubeconfig")
    try await server.writeKubeconfig(to: kubeconfig)
    let client = try KubernetesClient(
      configuration: try Kubeconfig.load(paths: [kubeconfig.path]).configuration(), logger: quiet)
    let api = client.api(BenchConfigMap.self, namespace: "default")

    let createStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for worker in 0..<16 {
        group.addTask {
          for i in stride(from: worker, to: objects, by: 16) {
            let cm = BenchConfigMap(
              metadata: ObjectMeta(
                name: "cm-\(i)", namespace: "default", labels: ["bench": "runtime", "shard": "\(i % 10)"]),
              data: ["key": "value-\(i)", "other": String(repeating: "x", count: 64)])
            _ = try await api.create(cm)
          }
        }
      }
      try await group.waitForAll()
    }
    let createTime = ContinuousClock.now - createStart

    let rssBefore = ResidentMemory.bytes()
    let informer = Informer(api: api, config: WatcherConfig(labelSelector: "bench=runtime"), logger: quiet)
    let reconciler = NoopReconciler()
    let controller = Controller(reconciler: reconciler, workers: 4, logger: quiet)
    let syncStart = ContinuousClock.now
    let informerTask = Task { await informer.run() }
    await informer.waitUntilSynced()
    let syncTime = ContinuousClock.now - syncStart
    let rssAfter = ResidentMemory.bytes()

    let controllerTask = Task { await controller.run() }
    let reconcileStart = ContinuousClock.now
    for o in informer.cache.list() { await controller.enqueue(ObjectCache<BenchConfigMap>.key(of: o)) }
    while reconciler.count.withLock({ $0 }) < objects { try await Task.sleep(for: .milliseconds(5)) }
    let reconcileTime = ContinuousClock.now - reconcileStart

    await controller.stop()
    controllerTask.cancel()
    informerTask.cancel()
    try? await client.shutdown()
    await server.shutdown()
    try? FileManager.default.removeItem(at: dir)

    let perObject = rssAfter > rssBefore ? (rssAfter - rssBefore) / objects : 0
    return [
      ("objects", "\(objects)"),
      (
        "create through the API (16 concurrent clients)",
        "\(seconds(createTime)) s, \(Int(Double(objects) / seconds(createTime))) objects/s"
      ),
      ("informer start-up to synced (list in pages of 500)", "\(seconds(syncTime)) s"),
      (
        "process RSS growth while syncing (cache + decode garbage)",
        "\(mib(rssAfter - rssBefore)) MiB, ~\(perObject / 1024) KiB/object"
      ),
      ("no-op reconciles (4 workers)", "\(Int(Double(objects) / seconds(reconcileTime))) reconciles/s"),
    ]
  }

  func seconds(_ d: Duration) -> Double {
    let c = d.components
    return ((Double(c.seconds) + Double(c.attoseconds) / 1e18) * 1000).rounded() / 1000
  }
  func mib(_ b: Int) -> String { String(format: "%.1f", Double(b) / 1_048_576) }
}

/// The process's resident set size, from /proc/self/statm.
enum ResidentMemory {
  static func bytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = s.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }
}
