import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Testing

@testable import Operator

/// The local API server with gra's CRDs, a local kubelet, and the Runner controller running
/// in-process on shared informers (as `gra-operator run` wires it).
struct RunnerTestCluster {
  let fixture: LocalClusterFixture
  let kubelet: LocalKubelet
  let dataDirectory: URL
  let tasks: [Task<Void, Never>]
  let controller: Controller<RunnerReconciler>

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func with(_ body: (RunnerTestCluster) async throws -> Void) async throws {
    let fixture = try await LocalClusterFixture.start(.init(crdPaths: [root.appendingPathComponent("manifests/crds")]))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-rn-\(UUID().uuidString.prefix(8))")
    let kubelet = LocalKubelet(
      store: fixture.server.store,
      configuration: KubeletConfiguration(
        dataDirectory: dir, runnerScriptsDirectory: root.appendingPathComponent("images/runner"),
        unschedulableRetryInterval: .seconds(1)),
      logger: quietLogger)
    try await kubelet.start()
    fixture.server.attach(nodeAgent: kubelet)
    let informers = InformerFactory(client: fixture.client, namespace: nil, logger: quietLogger)
    let controller = RunnerController.make(
      client: fixture.client, informers: informers, workers: 2, logger: quietLogger)
    let tasks = [
      Task { await informers.run() },
      Task {
        while !informers.allSynced { try? await Task.sleep(for: .milliseconds(10)) }
        await controller.run()
      },
    ]
    let c = RunnerTestCluster(
      fixture: fixture, kubelet: kubelet, dataDirectory: dir, tasks: tasks, controller: controller)
    do { try await body(c) } catch {
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

  var runners: Api<Runner> { fixture.client.api(Runner.self, namespace: "default") }
  var pods: Api<Pod> { fixture.client.api(Pod.self, namespace: "default") }
  var claims: Api<PersistentVolumeClaim> { fixture.client.api(PersistentVolumeClaim.self, namespace: "default") }

  func create(_ name: String, _ spec: RunnerSpec = RunnerSpec()) async throws {
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec))
  }

  func phase(_ name: String) async throws -> RunnerPhase? { try await runners.getIfExists(name)?.status?.phase }

  func waitFor(_ name: String, _ phase: RunnerPhase, timeout: Duration = .seconds(90)) async throws -> Bool {
    try await eventually(timeout: timeout) { try await self.phase(name) == phase }
  }

  /// The workspace claim's directory as the local kubelet keeps it.
  func workspace(_ claim: String) -> URL {
    dataDirectory.appendingPathComponent("volumes/default/\(claim)")
  }

  func events(about name: String) async throws -> [DynamicObject] {
    let api = fixture.client.dynamic(EventRecorder.resource, namespace: "default")
    return try await api.list().items.filter { $0["involvedObject"]["name"].stringValue == name }
  }
}

@Suite(.serialized) struct RunnerIntegrationTests {
  init() throws {
    try #require(LocalKubelet.unsupportedReason == nil, "the local kubelet cannot run here")
  }

  @Test func runnerBecomesReadyAndItsWorkspaceSurvivesPodDeletionAndSuspend() async throws {
    try await RunnerTestCluster.with { c in
      try await c.create("demo")
      #expect(try await c.waitFor("demo", .ready))
      let runner = try await c.runners.get("demo")
      #expect(runner.status?.podName == "demo")
      #expect(runner.status?.workspaceClaim == "demo-workspace")
      #expect(runner.status?.conditions?[type: "Ready"]?.status == .true)
      #expect(runner.status?.observedGeneration == runner.metadata.generation)
      let pod = try await c.pods.get("demo")
      #expect(pod.metadata.controllerRef?.uid == runner.metadata.uid)
      #expect(pod.spec?.securityContext?.runAsUser == 1000)
      #expect(pod.spec?.containers.first?.volumeMounts?.first?.mountPath == "/workspace")
      let claim = try await c.claims.get("demo-workspace")
      #expect(claim.spec?.resources?.requests?["storage"] == "10Gi")
      #expect(claim.metadata.controllerRef?.uid == runner.metadata.uid)

      // A file in the workspace survives deleting the pod.
      let file = c.workspace("demo-workspace").appendingPathComponent("notes.txt")
      try Data("kept\n".utf8).write(to: file)
      let firstUID = pod.metadata.uid
      _ = try await c.pods.delete("demo", DeleteParams(gracePeriodSeconds: 0))
      #expect(
        try await eventually(timeout: .seconds(90)) {
          let p = try await c.pods.getIfExists("demo")
          let r = try await c.runners.get("demo")
          return p != nil && p?.metadata.uid != firstUID && r.status?.phase == .ready
        })
      #expect(try String(contentsOf: file, encoding: .utf8) == "kept\n")
      #expect(try await c.events(about: "demo").contains { $0["reason"].stringValue == "PodDeleted" })

      // Suspend deletes the pod and keeps the claim; resume brings a pod back.
      _ = try await c.runners.patch("demo", .merge(["spec": ["suspend": true]]))
      #expect(try await c.waitFor("demo", .suspended))
      #expect(try await eventually(timeout: .seconds(60)) { try await c.pods.getIfExists("demo") == nil })
      #expect(try await c.claims.getIfExists("demo-workspace") != nil)
      _ = try await c.runners.patch("demo", .merge(["spec": ["suspend": false]]))
      #expect(try await c.waitFor("demo", .ready))
      #expect(try String(contentsOf: file, encoding: .utf8) == "kept\n")
    }
  }

  @Test func missingSecretAndBadImageAreReportedWithEvents() async throws {
    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.s3 = S3Spec(bucket: "data", credentialsSecretRef: LocalObjectReference(name: "nope"))
      try await c.create("nosecret", spec)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("nosecret").status?.conditions?[type: "Ready"]?.reason == "SecretNotFound"
        })
      #expect(try await c.pods.getIfExists("nosecret") == nil)
      #expect(
        try await c.events(about: "nosecret").contains {
          $0["reason"].stringValue == "SecretNotFound" && $0["type"].stringValue == "Warning"
        })

      var bad = RunnerSpec()
      bad.image = "registry.example/unknown:1"
      try await c.create("badimage", bad)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          let reason = try await c.runners.get("badimage").status?.conditions?[type: "Ready"]?.reason
          return reason == "ErrImagePull" || reason == "ImagePullBackOff"
        })
    }
  }

  @Test func deletingTheRunnerRemovesWhatItOwnsOrRetainsTheClaim() async throws {
    try await RunnerTestCluster.with { c in
      try await c.create("gone")
      var retained = RunnerSpec()
      retained.workspace = WorkspaceSpec(reclaimPolicy: .retain)
      try await c.create("kept", retained)
      #expect(try await c.waitFor("gone", .ready))
      #expect(try await c.waitFor("kept", .ready))
      #expect(try await c.runners.get("kept").metadata.finalizers == ["gra.dev/workspace-protection"])

      _ = try await c.runners.delete("gone")
      _ = try await c.runners.delete("kept")
      let cleaned = try await eventually(timeout: .seconds(90)) {
        let r1 = try await c.runners.getIfExists("gone")
        let r2 = try await c.runners.getIfExists("kept")
        let p = try await c.pods.getIfExists("gone")
        let cl = try await c.claims.getIfExists("gone-workspace")
        return r1 == nil && r2 == nil && p == nil && cl == nil
      }
      let left = try await leftovers(c)
      #expect(cleaned, "left: \(left)")
      let claim = try await c.claims.getIfExists("kept-workspace")
      #expect(claim != nil)
      #expect(claim?.metadata.ownerReferences?.isEmpty ?? true)
    }
  }
  @Test func aChangedSpecReplacesThePodAndAnUnchangedOneWritesNothing() async throws {
    try await RunnerTestCluster.with { c in
      try await c.create("edit")
      #expect(try await c.waitFor("edit", .ready))
      let before = try await c.pods.get("edit")
      let settled = try await c.runners.get("edit").metadata.resourceVersion
      // Nothing changed: another pass writes nothing, so the Runner's resourceVersion stays.
      await c.controller.enqueue(ObjectKey(namespace: "default", name: "edit"))
      try await Task.sleep(for: .seconds(1))
      #expect(try await c.runners.get("edit").metadata.resourceVersion == settled)

      _ = try await c.runners.patch("edit", .merge(["spec": ["env": [["name": "MODE", "value": "fast"]]]]))
      #expect(
        try await eventually(timeout: .seconds(90)) {
          let p = try await c.pods.getIfExists("edit")
          let r = try await c.runners.get("edit")
          return p != nil && p?.metadata.uid != before.metadata.uid && r.status?.phase == .ready
        })
      let after = try await c.pods.get("edit")
      #expect(after.metadata.annotations?["gra.dev/spec-hash"] != before.metadata.annotations?["gra.dev/spec-hash"])
      #expect(after.spec?.containers.first?.env?.contains(EnvVar(name: "MODE", value: "fast")) == true)
    }
  }
  @Test func anInvalidRunnerGetsInvalidSpecAndAWarningEventAndNoPod() async throws {
    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.ssh = SSHSpec(enabled: true)  // ssh without any key
      try await c.create("invalid", spec)
      #expect(try await c.waitFor("invalid", .failed))
      let ready = try await c.runners.get("invalid").status?.conditions?[type: "Ready"]
      #expect(ready?.reason == "InvalidSpec")
      #expect(ready?.message.contains("authorizedKeys") == true)
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await c.events(about: "invalid").contains {
            $0["reason"].stringValue == "InvalidSpec" && $0["type"].stringValue == "Warning"
          }
        })
      #expect(try await c.pods.getIfExists("invalid") == nil)
      #expect(try await c.claims.getIfExists("invalid-workspace") == nil)
    }
  }
}

/// What of the deleted Runners "gone" and "kept" is still there, for a failure message.
private func leftovers(_ c: RunnerTestCluster) async throws -> String {
  let gone = try await c.runners.getIfExists("gone")
  let kept = try await c.runners.getIfExists("kept")
  let pod = try await c.pods.getIfExists("gone")
  let claim = try await c.claims.getIfExists("gone-workspace")
  return
    "runner gone: \(gone?.metadata.finalizers ?? ["<deleted>"]), runner kept: \(kept?.metadata.finalizers ?? ["<deleted>"]), pod gone: \(pod.map { "deletionTimestamp \($0.metadata.deletionTimestamp?.description ?? "none")" } ?? "<deleted>"), claim gone-workspace: \(claim.map { "finalizers \($0.metadata.finalizers ?? []) owners \($0.metadata.ownerReferences?.count ?? 0)" } ?? "<deleted>")"
}
