import CRDModels
import Foundation
import KubeClient
import Testing

@testable import Operator

/// The operator's default runner image (`gra-operator run --runner-image`) for TracerJobs that
/// name none: the same image a Runner without `spec.image` runs, so a job and its Runner agree.
@Suite struct TracerJobDefaultImageTests {
  let configured = "registry.example.com/team/gra-runner:dev-42"

  func job(_ spec: TracerJobSpec, name: String = "trace", defaultImage: String) -> TracerJob {
    TracerJob(metadata: ObjectMeta(name: name, namespace: "team-a"), spec: spec).withDefaults(image: defaultImage)
  }

  func runner(image: String?) -> Runner {
    var spec = RunnerSpec()
    spec.image = image
    var r = Runner(metadata: ObjectMeta(name: "r1", namespace: "team-a"), spec: spec)
    r.status = RunnerStatus(workspaceClaim: "r1-workspace")
    return r
  }

  @Test func aJobWithoutImageOrRunnerRunsTheConfiguredDefault() throws {
    let pod = TracerJobPodBuilder.pod(
      job: job(TracerJobSpec(module: "gt"), defaultImage: configured), runner: nil, attempt: 1,
      defaultImage: configured)
    let c = try #require(pod.spec?.containers.first)
    #expect(c.image == configured)
    #expect(c.env?.first { $0.name == "GRA_IMAGE" }?.value == configured)
  }

  @Test func aJobOnARunnerWithoutImageRunsTheConfiguredDefaultLikeTheRunner() throws {
    let r = runner(image: nil).withDefaults(image: configured)
    let spec = TracerJobSpec(runnerRef: LocalObjectReference(name: "r1"), module: "gt")
    let pod = TracerJobPodBuilder.pod(
      job: job(spec, defaultImage: configured), runner: r, attempt: 1, defaultImage: configured)
    #expect(pod.spec?.containers.first?.image == configured)
    #expect(
      pod.spec?.containers.first?.image
        == RunnerPodBuilder.pod(runner(image: nil), defaultImage: configured).spec?.containers.first?.image)
  }

  @Test func imagesTheJobOrItsRunnerNameWinOverTheDefault() throws {
    let own = TracerJobSpec(image: "ghcr.io/me/tracer:1", module: "gt")
    let ownPod = TracerJobPodBuilder.pod(
      job: job(own, defaultImage: configured), runner: nil, attempt: 1, defaultImage: configured)
    #expect(ownPod.spec?.containers.first?.image == "ghcr.io/me/tracer:1")
    let r = runner(image: "ghcr.io/gra-dev/gra-runner:v2").withDefaults(image: configured)
    let onRunner = TracerJobSpec(runnerRef: LocalObjectReference(name: "r1"), module: "gt")
    let runnerPod = TracerJobPodBuilder.pod(
      job: job(onRunner, defaultImage: configured), runner: r, attempt: 1, defaultImage: configured)
    #expect(runnerPod.spec?.containers.first?.image == "ghcr.io/gra-dev/gra-runner:v2")
  }

  @Test func withoutAConfiguredDefaultTheBuiltInOneIsUsed() {
    let pod = TracerJobPodBuilder.pod(
      job: TracerJob(metadata: ObjectMeta(name: "t")).withDefaults(), runner: nil, attempt: 1)
    #expect(pod.spec?.containers.first?.image == GraDefaults.runnerImage)
    #expect(TracerJob(metadata: ObjectMeta(name: "t")).resolvedImage(runner: nil) == GraDefaults.runnerImage)
    #expect(
      TracerJob(metadata: ObjectMeta(name: "t")).resolvedImage(runner: nil, defaultImage: configured) == configured)
  }

  /// The controllers `gra-operator run --runner-image` starts (``OperatorControllers``), against
  /// the local API server: the pods of a Runner and of the jobs on it or on their own run the
  /// configured image; nothing is written back into the objects.
  @Test func theOperatorsJobPodsRunTheConfiguredImage() async throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let f = try await LocalClusterFixture.start(.init(crdPaths: [root.appendingPathComponent("manifests/crds")]))
    var managerOptions = Manager.Options()
    managerOptions.healthPort = nil
    managerOptions.metricsPort = nil
    let manager = Manager(
      client: f.client, watchNamespace: "default", metrics: MetricsRegistry(), options: managerOptions,
      logger: quietLogger)
    var runnerOptions = RunnerReconciler.Options()
    runnerOptions.defaultImage = configured
    runnerOptions.networkPolicies = false
    let controllers = OperatorControllers.make(manager: manager, workers: 2, logger: quietLogger, runner: runnerOptions)
    let run = Task { try await manager.run(controllers) }

    let runners = f.client.api(Runner.self, namespace: "default")
    let jobs = f.client.api(TracerJob.self, namespace: "default")
    let pods = f.client.api(Pod.self, namespace: "default")
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: "plain", namespace: "default"), spec: RunnerSpec()))
    _ = try await jobs.create(
      TracerJob(
        metadata: ObjectMeta(name: "on-runner", namespace: "default"),
        spec: TracerJobSpec(runnerRef: LocalObjectReference(name: "plain"), command: ["true"])))
    _ = try await jobs.create(
      TracerJob(metadata: ObjectMeta(name: "alone", namespace: "default"), spec: TracerJobSpec(command: ["true"])))
    _ = try await jobs.create(
      TracerJob(
        metadata: ObjectMeta(name: "own", namespace: "default"),
        spec: TracerJobSpec(image: "ghcr.io/me/tracer:1", command: ["true"])))

    for name in ["plain", "on-runner-1", "alone-1", "own-1"] {
      #expect(await eventually(timeout: .seconds(30)) { (try? await pods.getIfExists(name)) != nil }, "pod \(name)")
    }
    #expect(try await pods.get("plain").spec?.containers.first?.image == configured)
    #expect(try await pods.get("on-runner-1").spec?.containers.first?.image == configured)
    #expect(try await pods.get("alone-1").spec?.containers.first?.image == configured)
    #expect(try await pods.get("own-1").spec?.containers.first?.image == "ghcr.io/me/tracer:1")
    #expect(try await jobs.get("alone").spec?.image == nil, "the default is not written into the TracerJob")

    run.cancel()
    _ = await run.result
    await f.stop()
  }
}
