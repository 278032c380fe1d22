import CRDModels
import Foundation
import KubeClient
import Testing

@testable import Operator

/// A tiny tracer: `python -m tinytrace STEPS` writes `out/trace.txt`. The setup step of the
/// job writes it into the working directory from `$TINYTRACE_SRC`.
private let tinytrace = """
  import os, sys
  steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
  os.makedirs("out", exist_ok=True)
  with open("out/trace.txt", "w") as f:
      for i in range(steps):
          f.write(f"step={i} loss={1.0 / (i + 1):.4f}\\n")
  print("tinytrace wrote", steps, "steps")
  """

/// What `python -m tinytrace 3` writes.
private let tinytraceOutput = "step=0 loss=1.0000\nstep=1 loss=0.5000\nstep=2 loss=0.3333\n"

@Suite(
  "TracerJob controller on the local cluster", .serialized,
  .enabled(if: TracerJobTestCluster.unsupportedReason == nil, "needs root and util-linux for pod sandboxes"))
struct TracerJobIntegrationTests {
  @Test func aPythonModuleRunsAndItsArtifactIsListedWithItsSha256() async throws {
    try await TracerJobTestCluster.with { c in
      let results = try await c.makeClaim("results")
      try await c.create(
        "trace-ok",
        TracerJobSpec(
          module: "tinytrace", args: ["3"], env: [EnvVar(name: "TINYTRACE_SRC", value: tinytrace)],
          setup: [#"mkdir -p tinytrace && printf '%s\n' "$TINYTRACE_SRC" > tinytrace/__main__.py"#],
          timeoutSeconds: 60,
          artifacts: ArtifactsSpec(
            paths: ["out/*.txt"],
            destination: ArtifactDestination(persistentVolumeClaim: ClaimDestination(claimName: "results")))))
      let job = try #require(try await c.finished("trace-ok"))
      let s = try #require(job.status)
      #expect(s.phase == .succeeded, "\(s)")
      #expect(s.exitCode == 0)
      #expect(s.attempts == 1)
      #expect(s.conditions?[type: "Complete"]?.status == .true)
      #expect(s.conditions?[type: "Started"]?.status == .true)
      #expect(s.startTime != nil && s.completionTime != nil && s.duration != nil)
      #expect(s.observedGeneration == job.metadata.generation)
      let artifact = try #require(s.artifacts?.first)
      #expect(artifact.path == "out/trace.txt")
      #expect(artifact.size == Int64(tinytraceOutput.utf8.count))
      #expect(artifact.sha256 == (try await sha256Hex(Data(tinytraceOutput.utf8))))
      #expect(artifact.location == "pvc://results/trace-ok/1/out/trace.txt")
      #expect(s.attemptStatuses?.count == 1 && s.attemptStatuses?.first?.exitCode == 0)
      #expect(s.attemptStatuses?.first?.nodeName == "local-node")
      // The list came through gra-run's termination message.
      let pod = try await c.fixture.client.api(Pod.self, namespace: "default").get("trace-ok-1")
      let summary = try #require(
        pod.status?.containerStatuses?.first?.state?.terminated?.message.flatMap(RunSummary.decode))
      #expect(summary.files?.map(\.sha256) == [artifact.sha256])
      // The artifact, run.json and the log are on the claim.
      let kept = results.appendingPathComponent("trace-ok/1")
      #expect(try Data(contentsOf: kept.appendingPathComponent("out/trace.txt")) == Data(tinytraceOutput.utf8))
      let log = try String(contentsOf: kept.appendingPathComponent("run.log"), encoding: .utf8)
      #expect(log.contains("tinytrace wrote 3 steps"))
      // Events are recorded beside the status write, not before it: wait for them.
      let recorded = try await eventually {
        let reasons = try await c.eventReasons("trace-ok")
        return reasons.contains("Started") && reasons.contains("Succeeded")
      }
      let reasons = try await c.eventReasons("trace-ok")
      #expect(recorded, "\(reasons)")
    }
  }

  @Test func aFailingJobReportsItsExitCodeAndLogTail() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create(
        "trace-fail", TracerJobSpec(command: ["sh", "-c", "echo starting; echo 'disk full' >&2; exit 3"]))
      let job = try #require(try await c.finished("trace-fail"))
      let s = try #require(job.status)
      #expect(s.phase == .failed)
      #expect(s.exitCode == 3)
      #expect(s.reason == "BackoffLimitExceeded")
      #expect(s.message?.contains("disk full") == true, "\(s.message ?? "")")
      #expect(s.message?.contains("::gra-run-record::") == false)
      #expect(s.conditions?[type: "Failed"]?.status == .true)
      #expect(s.attemptStatuses?.first?.action == .count)
      #expect(try await eventually { try await c.eventReasons("trace-fail").contains("Failed") })
    }
  }

  @Test func aJobPastItsDeadlineIsStoppedAndSaysSo() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create("trace-slow", TracerJobSpec(command: ["sleep", "60"], timeoutSeconds: 2))
      let job = try #require(try await c.finished("trace-slow", within: 45))
      let s = try #require(job.status)
      #expect(s.phase == .failed)
      #expect(s.reason == "DeadlineExceeded")
      #expect(s.conditions?[type: "Failed"]?.reason == "DeadlineExceeded")
      #expect(s.attemptStatuses?.first?.reason == "DeadlineExceeded")
    }
  }

  @Test func retriesCountUpAndStopAtTheLimit() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create(
        "trace-retry",
        TracerJobSpec(
          command: ["sh", "-c", "exit 1"], backoffLimit: 2, retryBackoff: RetryBackoff(initialSeconds: 1, maxSeconds: 1)
        ))
      let job = try #require(try await c.finished("trace-retry", within: 90))
      let s = try #require(job.status)
      #expect(s.phase == .failed)
      #expect(s.reason == "BackoffLimitExceeded")
      #expect(s.attempts == 3)
      #expect(s.attemptStatuses?.map(\.attempt) == [1, 2, 3])
      #expect(s.attemptStatuses?.allSatisfy { $0.exitCode == 1 && $0.action == .count } == true)
      let pods = try await c.fixture.client.api(Pod.self, namespace: "default").list()
      #expect(Set(pods.items.compactMap(\.metadata.name)) == ["trace-retry-1", "trace-retry-2", "trace-retry-3"])
      #expect(s.attemptStatuses?.allSatisfy { $0.nodeName == "local-node" } == true)
      #expect(try await eventually { try await c.eventReasons("trace-retry").filter { $0 == "Retrying" }.count == 2 })
    }
  }

  @Test func ttlRemovesAFinishedJob() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create("trace-ttl", TracerJobSpec(command: ["true"], ttlSecondsAfterFinished: 1))
      let gone = try await eventually(timeout: .seconds(60)) { try await c.jobs.getIfExists("trace-ttl") == nil }
      #expect(gone)
    }
  }

  @Test func aJobWithRunnerRefSeesTheRunnersWorkspace() async throws {
    try await TracerJobTestCluster.with { c in
      // The Runner controller is not running here: the claim and the Runner's status are made by hand.
      let claimDir = try await c.makeClaim("ws-r1")
      var runner = Runner(spec: RunnerSpec())
      runner.metadata.name = "r1"
      let runners = c.fixture.client.api(Runner.self, namespace: "default")
      runner = try await runners.create(runner)
      runner.status = RunnerStatus(workspaceClaim: "ws-r1")
      _ = try await runners.replaceStatus(runner)
      try Data("from the workspace\n".utf8).write(to: claimDir.appendingPathComponent("data.txt"))

      try await c.create(
        "trace-ws",
        TracerJobSpec(
          runnerRef: LocalObjectReference(name: "r1"), command: ["sh", "-c", "cat data.txt; cp data.txt copy.txt"],
          artifacts: ArtifactsSpec(paths: ["copy.txt"])))
      let job = try #require(try await c.finished("trace-ws"))
      let s = try #require(job.status)
      #expect(s.phase == .succeeded, "\(s)")
      #expect(s.artifacts?.first?.sha256 == (try await sha256Hex(Data("from the workspace\n".utf8))))
      #expect(s.artifacts?.first?.location == "workspace:.gra/artifacts/trace-ws/1/copy.txt")
      // The log and run.json stay in the workspace after the pod is gone.
      let kept = claimDir.appendingPathComponent(".gra/artifacts/trace-ws/1")
      let log = try String(contentsOf: kept.appendingPathComponent("run.log"), encoding: .utf8)
      #expect(log.contains("from the workspace"))
      #expect(FileManager.default.fileExists(atPath: kept.appendingPathComponent("run.json").path))
    }
  }

  @Test func aMissingRunnerIsReportedAndAnInvalidSpecFailsWithoutAPod() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create(
        "trace-norunner", TracerJobSpec(runnerRef: LocalObjectReference(name: "nope"), command: ["true"]))
      // Passes the CRD schema, fails validate(): artifacts without anywhere to keep them.
      try await c.create("trace-invalid", TracerJobSpec(command: ["true"], artifacts: ArtifactsSpec(paths: ["x"])))
      var waiting: TracerJob?
      #expect(
        try await eventually {
          waiting = try await c.jobs.get("trace-norunner")
          return waiting?.status?.reason == "RunnerNotFound"
        })
      #expect(waiting?.status?.phase == .pending)
      #expect(waiting?.status?.conditions?[type: "Started"]?.status == .false)
      let invalid = try #require(try await c.finished("trace-invalid", within: 20))
      #expect(invalid.status?.reason == "InvalidSpec")
      #expect(invalid.status?.conditions?[type: "Failed"]?.reason == "InvalidSpec")
      let pods = try await c.fixture.client.api(Pod.self, namespace: "default").list()
      #expect(pods.items.isEmpty)
    }
  }

  @Test func aSuspendedJobWaitsAndAJobManagedElsewhereIsLeftAlone() async throws {
    try await TracerJobTestCluster.with { c in
      try await c.create("trace-kueue", TracerJobSpec(command: ["true"], managedBy: "kueue.x-k8s.io/multikueue"))
      try await c.create("trace-held", TracerJobSpec(command: ["true"], suspend: true))
      var held: TracerJob?
      #expect(
        try await eventually {
          held = try await c.jobs.get("trace-held")
          return held?.status?.conditions?[type: "Suspended"]?.status == .true
        })
      #expect(held?.status?.attempts == nil)
      _ = try await c.jobs.patch("trace-held", .merge(["spec": ["suspend": false]]))
      let released = try #require(try await c.finished("trace-held"))
      #expect(released.status?.phase == .succeeded)
      #expect(released.status?.conditions?[type: "Suspended"]?.status == .false)
      // The controller has had every chance to act on trace-kueue by now; it must not have.
      let other = try await c.jobs.get("trace-kueue")
      #expect(other.status == nil)
      let pods = try await c.fixture.client.api(Pod.self, namespace: "default").list()
      #expect(pods.items.compactMap(\.metadata.name) == ["trace-held-1"])
    }
  }
}
