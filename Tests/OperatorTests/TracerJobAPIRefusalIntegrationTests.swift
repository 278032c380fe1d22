import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Testing

@testable import Operator

/// What the TracerJob controller does when the API server refuses an attempt's pod (422
/// Invalid): the job ends `Failed` with reason `PodInvalid` and the server's message, one
/// Warning Event, and the create is not retried.
@Suite(
  "TracerJob pods the API server refuses", .serialized,
  .enabled(if: TracerJobTestCluster.unsupportedReason == nil, "needs root and util-linux for pod sandboxes"))
struct TracerJobAPIRefusalIntegrationTests {
  /// gra's validation accepts these, the API server (kube 1.32 rules) does not: a non-ASCII env
  /// var name (gra refuses only '=' and whitespace) and an extended resource requested without
  /// a limit (gra copies requests to limits for nvidia.com/gpu only). An env var name with '='
  /// never gets as far as a pod: gra's own validation fails it as `InvalidSpec`.
  @Test func aRefusedPodFailsTheJobOnceWithTheServersMessage() async throws {
    try await TracerJobTestCluster.with { c in
      let refusals = RefusedCreates(c.fixture.client)

      var cafe = TracerJobSpec(command: ["true"], env: [EnvVar(name: "CAFÉ", value: "au lait")])
      cafe.backoffLimit = 3
      try await c.create("trace-cafe", cafe)
      var fpga = TracerJobSpec(command: ["true"])
      fpga.resources = ResourceRequirements(requests: ["example.com/fpga": "1"])
      try await c.create("trace-fpga", fpga)
      try await c.create("trace-eq", TracerJobSpec(command: ["true"], env: [EnvVar(name: "A=B", value: "1")]))

      let job = try #require(try await c.finished("trace-cafe", within: 30))
      #expect(job.validate().isEmpty)
      let s = try #require(job.status)
      #expect(s.phase == .failed, "\(s)")
      #expect(s.reason == "PodInvalid")
      let message = s.message ?? ""
      #expect(message.contains(#"Pod "trace-cafe-1" is invalid: spec.containers[0].env["#), "\(message)")
      #expect(message.contains(#"Invalid value: "CAFÉ""#), "\(message)")
      // The pod's env[7] is the job's env[0] (gra's variables come first).
      #expect(message.hasSuffix("; fix spec.env[0].name of the TracerJob and create the job again"), "\(message)")
      let failed = try #require(s.conditions?[type: "Failed"])
      #expect(failed.status == .true && failed.reason == "PodInvalid" && failed.message == message)
      #expect(failed.observedGeneration == job.metadata.generation)
      #expect(s.observedGeneration == job.metadata.generation)
      #expect(s.completionTime != nil)
      // A refused create is not an attempt: nothing ran, so backoffLimit is not touched.
      #expect(s.attempts == nil && s.attemptStatuses == nil)

      let fpgaJob = try #require(try await c.finished("trace-fpga", within: 30))
      #expect(fpgaJob.validate().isEmpty)
      #expect(fpgaJob.status?.reason == "PodInvalid")
      #expect(
        fpgaJob.status?.message?.contains(
          "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources")
          == true, "\(fpgaJob.status?.message ?? "")")
      #expect(fpgaJob.status?.message?.contains("fix spec.resources.limits of the TracerJob") == true)

      let eq = try #require(try await c.finished("trace-eq", within: 30))
      #expect(eq.status?.reason == "InvalidSpec")

      let pods = try await c.fixture.client.api(Pod.self, namespace: "default").list()
      #expect(pods.items.isEmpty)

      // Not retried: another job running to the end is the clock (no sleeps); the refused creates
      // stay at one per job, give or take a reconcile that ran before its cache had the Failed
      // status (its status write then conflicts).
      try await c.create("trace-clock", TracerJobSpec(command: ["true"]))
      #expect(try await c.finished("trace-clock")?.status?.phase == .succeeded)
      let refused = refusals.count
      #expect(refused >= 2 && refused <= 4, "\(refused) refused creates")

      // Exactly one Warning Event about the refusal, written once.
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await c.events(about: "trace-cafe").contains { $0["reason"].stringValue == "PodInvalid" }
        })
      let warnings = try await c.events(about: "trace-cafe").filter { $0["reason"].stringValue == "PodInvalid" }
      #expect(warnings.count == 1)
      #expect(warnings.first?["type"].stringValue == "Warning")
      #expect((warnings.first?["count"].intValue ?? 1) == 1)
      #expect(warnings.first?["message"].stringValue == message)

      // The job is finished: fixing its spec is observed but does not run it (as batch/v1).
      let fixed = try await c.jobs.patch("trace-cafe", .merge(["spec": ["env": [["name": "CAFE", "value": "au lait"]]]]))
      let generation = try #require(fixed.metadata.generation)
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await c.jobs.get("trace-cafe").status?.observedGeneration == generation
        })
      let after = try await c.jobs.get("trace-cafe")
      #expect(after.status?.phase == .failed && after.status?.reason == "PodInvalid")
      #expect(try await c.fixture.client.api(Pod.self, namespace: "default").getIfExists("trace-cafe-1") == nil)
      #expect(refusals.count == refused)
      // The same holds for a job gra's own validation failed.
      let eqFixed = try await c.jobs.patch("trace-eq", .merge(["spec": ["env": [["name": "AB", "value": "1"]]]]))
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await c.jobs.get("trace-eq").status?.observedGeneration == eqFixed.metadata.generation
        })
      #expect(try await c.jobs.get("trace-eq").status?.phase == .failed)
      #expect(try await c.fixture.client.api(Pod.self, namespace: "default").getIfExists("trace-eq-1") == nil)
      let warningsAfter = try await c.events(about: "trace-cafe").filter { $0["reason"].stringValue == "PodInvalid" }
      #expect(warningsAfter.count == 1 && (warningsAfter.first?["count"].intValue ?? 1) == 1)
    }
  }

  /// A Runner whose workspace is mounted at `/artifacts`, where gra mounts a
  /// `persistentVolumeClaim` artifact destination: both specs are valid, so gra mounts the
  /// claim beside the workspace instead of building a pod with two mounts at one path (which
  /// the API server refuses: `volumeMounts[1].mountPath: Invalid value: "/artifacts": must be unique`).
  @Test func aWorkspaceAtTheArtifactsMountDoesNotCollideWithTheArtifactClaim() async throws {
    try await TracerJobTestCluster.with { c in
      let results = try await c.makeClaim("results")
      _ = try await c.makeClaim("ws-r1")
      var runner = Runner(spec: RunnerSpec(workspace: WorkspaceSpec(mountPath: "/artifacts")))
      runner.metadata.name = "r1"
      let runners = c.fixture.client.api(Runner.self, namespace: "default")
      runner = try await runners.create(runner)
      runner.status = RunnerStatus(workspaceClaim: "ws-r1")
      _ = try await runners.replaceStatus(runner)
      #expect(runner.validate().isEmpty)

      try await c.create(
        "trace-both",
        TracerJobSpec(
          runnerRef: LocalObjectReference(name: "r1"), command: ["sh", "-c", "echo kept > out.txt"],
          artifacts: ArtifactsSpec(
            paths: ["out.txt"],
            destination: ArtifactDestination(persistentVolumeClaim: ClaimDestination(claimName: "results")))))
      let job = try #require(try await c.finished("trace-both"))
      #expect(job.status?.phase == .succeeded, "\(job.status.map { "\($0)" } ?? "no status")")
      #expect(job.status?.artifacts?.first?.location == "pvc://results/trace-both/1/out.txt")
      let kept = results.appendingPathComponent("trace-both/1/out.txt")
      #expect((try? String(contentsOf: kept, encoding: .utf8)) == "kept\n")
    }
  }
}

/// The job fields named in a refused pod's status message (pure).
@Suite struct TracerJobPodRefusalTests {
  @Test func podFieldsAreNamedAsTheJobsFields() throws {
    var meta = ObjectMeta()
    meta.name = "trace"
    meta.namespace = "default"
    // An S3 destination with endpoint and region adds two of gra's variables: nine before the job's.
    let s3 = S3Destination(endpoint: "https://s3.example.com", bucket: "b", region: "eu-1")
    let job = TracerJob(
      metadata: meta,
      spec: TracerJobSpec(
        command: ["true"], env: [EnvVar(name: "OK", value: "1"), EnvVar(name: "BAD", value: "2")],
        artifacts: ArtifactsSpec(paths: ["x"], destination: ArtifactDestination(s3: s3)))
    ).withDefaults()
    let pod = TracerJobPodBuilder.pod(job: job, runner: nil, attempt: 1)
    let env = try #require(pod.spec?.containers.first?.env)
    #expect(env.count == 11 && env[10].name == "BAD")
    let causes = [
      StatusCause(field: "spec.containers[0].env[10].name"), StatusCause(field: "spec.containers[0].env[2].name"),
      StatusCause(field: "spec.containers[0].resources.limits"),
      StatusCause(field: "spec.containers[0].resources.limits"), StatusCause(field: "metadata.labels"),
    ]
    let fields = PodRefusal.jobFields(causes, pod: pod, job: job)
    #expect(fields == ["spec.env[1].name", "spec.resources.limits"])
    #expect(
      PodRefusal.message(serverMessage: "Pod \"trace-1\" is invalid: x", jobFields: [], attempt: 1)
        == #"the API server refused the pod of attempt 1: Pod "trace-1" is invalid: x; fix the TracerJob's spec and create the job again"#
    )
  }
}

extension TracerJobTestCluster {
  /// The core/v1 Events about `name`.
  func events(about name: String) async throws -> [DynamicObject] {
    let api = fixture.client.dynamic(EventRecorder.resource, namespace: "default")
    return try await api.list().items.filter { $0["involvedObject"]["name"].stringValue == name }
  }
}
