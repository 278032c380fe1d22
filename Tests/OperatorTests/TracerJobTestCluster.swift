import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging
import TestSupport

@testable import Operator

/// The local API server with gra's CRDs, a local kubelet that runs pods as processes, and the
/// TracerJob controller running in-process against them.
struct TracerJobTestCluster {
  let fixture: LocalClusterFixture
  let kubelet: LocalKubelet
  let dataDirectory: URL
  let tasks: [Task<Void, Never>]
  let controller: Controller<TracerJobReconciler>

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static var unsupportedReason: String? { LocalKubelet.unsupportedReason }

  static func start() async throws -> TracerJobTestCluster {
    let fixture = try await LocalClusterFixture.start(.init(crdPaths: [root.appendingPathComponent("manifests/crds")]))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-tj-\(UUID().uuidString.prefix(8))")
    let kubelet = LocalKubelet(
      store: fixture.server.store,
      configuration: KubeletConfiguration(
        dataDirectory: dir, runnerScriptsDirectory: root.appendingPathComponent("images/runner"),
        unschedulableRetryInterval: .seconds(1)),
      logger: quietLogger)
    try await kubelet.start()
    fixture.server.attach(nodeAgent: kubelet)

    let client = fixture.client
    let jobs = Informer(api: client.allNamespaces(TracerJob.self), logger: quietLogger)
    let pods = Informer(api: client.allNamespaces(Pod.self), logger: quietLogger)
    let runners = Informer(api: client.allNamespaces(Runner.self), logger: quietLogger)
    let events = EventRecorder(client: client, instance: "test", logger: quietLogger)
    let reconciler = TracerJobReconciler(
      client: client, jobs: jobs.cache, pods: pods.cache, runners: runners.cache, events: events, logger: quietLogger)
    let controller = Controller(reconciler: reconciler, workers: 2, logger: quietLogger)
    TracerJobController.register(controller, jobs: jobs, pods: pods, runners: runners)
    let tasks = [
      Task { await jobs.run() }, Task { await pods.run() }, Task { await runners.run() },
      Task {
        await jobs.waitUntilSynced()
        await pods.waitUntilSynced()
        await runners.waitUntilSynced()
        await controller.run()
      },
    ]
    return TracerJobTestCluster(
      fixture: fixture, kubelet: kubelet, dataDirectory: dir, tasks: tasks, controller: controller)
  }

  /// Runs `body` with a fresh cluster and stops it afterwards, also when `body` throws.
  static func with(_ body: (TracerJobTestCluster) async throws -> Void) async throws {
    let c = try await start()
    do {
      try await body(c)
    } catch {
      await c.stop()
      throw error
    }
    await c.stop()
  }

  func stop() async {
    await controller.stop()
    for t in tasks { t.cancel() }
    await kubelet.shutdown()
    await fixture.stop()
    try? FileManager.default.removeItem(at: dataDirectory)
  }

  var jobs: Api<TracerJob> { fixture.client.api(TracerJob.self, namespace: "default") }

  func create(_ name: String, _ spec: TracerJobSpec) async throws {
    var meta = ObjectMeta()
    meta.name = name
    meta.namespace = "default"
    _ = try await jobs.create(TracerJob(metadata: meta, spec: spec))
  }

  /// Creates a claim (the local kubelet binds it to `volumes/default/<name>/` at once) and
  /// returns its directory.
  @discardableResult
  func makeClaim(_ name: String) async throws -> URL {
    var claim = PersistentVolumeClaim()
    claim.metadata.name = name
    claim.spec = PersistentVolumeClaimSpec(
      accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": "1Gi"]))
    _ = try await fixture.client.api(PersistentVolumeClaim.self, namespace: "default").create(claim)
    let dir = dataDirectory.appendingPathComponent("volumes/default/\(name)")
    _ = await eventually { FileManager.default.fileExists(atPath: dir.path) }
    return dir
  }

  /// The job once it is Succeeded or Failed (or its last state after `seconds`).
  func finished(_ name: String, within seconds: Int = 60) async throws -> TracerJob? {
    var last: TracerJob?
    _ = try await eventually(timeout: .seconds(seconds)) {
      last = try await jobs.getIfExists(name)
      return last?.status?.phase == .succeeded || last?.status?.phase == .failed
    }
    return last
  }

  /// Reasons of the core/v1 Events about `name`.
  func eventReasons(_ name: String) async throws -> [String] {
    let list = try await fixture.client.dynamic(
      ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true),
      namespace: "default"
    ).list()
    return list.items.filter { $0["involvedObject"]["name"].stringValue == name }
      .compactMap { $0["reason"].stringValue }
  }
}

/// sha256 of `data` as hex, by the system's sha256sum.
func sha256Hex(_ data: Data) async throws -> String {
  let result = try await runProcess("/usr/bin/sha256sum", [], stdin: data)
  return result.output.split(separator: " ").first.map(String.init) ?? ""
}
