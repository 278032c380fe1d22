import CRDModels
import Foundation
import KubeClient
import Testing

@testable import Operator

/// The operator's default runner image (`gra-operator run --runner-image`) for Runners that
/// name none.
@Suite struct RunnerDefaultImageTests {
  let configured = "registry.example.com/team/gra-runner:dev-42"

  @Test func aRunnerWithoutAnImageRunsTheConfiguredDefault() throws {
    let pod = RunnerPodBuilder.pod(sampleRunner(), defaultImage: configured)
    #expect(pod.spec?.containers.first?.image == configured)
    var empty = RunnerSpec()
    empty.image = ""
    let fromEmpty = RunnerPodBuilder.pod(sampleRunner(spec: empty), defaultImage: configured)
    #expect(fromEmpty.spec?.containers.first?.image == configured)
  }

  @Test func aRunnerWithItsOwnImageKeepsIt() throws {
    var spec = RunnerSpec()
    spec.image = "ghcr.io/gra-dev/gra-runner:v2"
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec), defaultImage: configured)
    #expect(pod.spec?.containers.first?.image == "ghcr.io/gra-dev/gra-runner:v2")
    #expect(
      pod.metadata.annotations?[RunnerNames.specHashAnnotation]
        == RunnerPodBuilder.pod(sampleRunner(spec: spec)).metadata.annotations?[RunnerNames.specHashAnnotation],
      "the default does not touch Runners that name an image")
  }

  @Test func withoutAConfiguredDefaultTheBuiltInOneIsUsed() {
    #expect(RunnerPodBuilder.pod(sampleRunner()).spec?.containers.first?.image == GraDefaults.runnerImage)
    #expect(RunnerReconciler.Options().defaultImage == GraDefaults.runnerImage)
  }

  @Test func anotherDefaultIsAnotherPodSpec() {
    // The reconciler replaces a pod whose spec hash differs: a new --runner-image rolls the
    // pods of Runners that use the default.
    let a = RunnerPodBuilder.pod(sampleRunner(), defaultImage: configured)
    let b = RunnerPodBuilder.pod(sampleRunner(), defaultImage: configured + "-next")
    #expect(
      a.metadata.annotations?[RunnerNames.specHashAnnotation] != b.metadata.annotations?[RunnerNames.specHashAnnotation]
    )
  }

  @Test func theControllerCreatesPodsWithTheConfiguredImage() async throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let f = try await LocalClusterFixture.start(.init(crdPaths: [root.appendingPathComponent("manifests/crds")]))
    let informers = InformerFactory(client: f.client, namespace: nil, logger: quietLogger)
    var options = RunnerReconciler.Options()
    options.defaultImage = configured
    options.networkPolicies = false
    let controller = RunnerController.make(
      client: f.client, informers: informers, workers: 1, logger: quietLogger, options: options)
    let tasks = [
      Task { await informers.run() },
      Task {
        while !informers.allSynced { try? await Task.sleep(for: .milliseconds(10)) }
        await controller.run()
      },
    ]
    let runners = f.client.api(Runner.self, namespace: "default")
    let pods = f.client.api(Pod.self, namespace: "default")
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: "plain", namespace: "default"), spec: RunnerSpec()))
    var own = RunnerSpec()
    own.image = "ghcr.io/gra-dev/gra-runner:v2"
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: "own", namespace: "default"), spec: own))

    #expect(await eventually { (try? await pods.getIfExists("plain")) != nil })
    #expect(await eventually { (try? await pods.getIfExists("own")) != nil })
    #expect(try await pods.get("plain").spec?.containers.first?.image == configured)
    #expect(try await pods.get("own").spec?.containers.first?.image == "ghcr.io/gra-dev/gra-runner:v2")
    let stored = try await runners.get("plain")
    #expect(stored.spec?.image == nil, "the default is not written into the Runner")

    await controller.stop()
    for t in tasks { t.cancel() }
    await f.stop()
  }
}
