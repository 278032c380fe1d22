import CRDModels
import Testing

@testable import Operator

@Suite struct TracerJobPodBuilderTests {
  func job(_ spec: TracerJobSpec, name: String = "trace") -> TracerJob {
    var meta = ObjectMeta()
    meta.name = name
    meta.namespace = "team-a"
    meta.uid = "uid-1"
    return TracerJob(metadata: meta, spec: spec).withDefaults()
  }

  @Test func podOfAnAttemptIsRestrictedAndOwned() throws {
    let pod = TracerJobPodBuilder.pod(
      job: job(TracerJobSpec(module: "gt", args: ["run"], timeoutSeconds: 60)), runner: nil, attempt: 2)
    #expect(pod.metadata.name == "trace-2")
    #expect(pod.metadata.labels?["gra.dev/tracerjob"] == "trace")
    #expect(pod.metadata.labels?["app.kubernetes.io/managed-by"] == "gra")
    let owner = try #require(pod.metadata.controllerRef)
    #expect(owner.kind == "TracerJob" && owner.uid == "uid-1" && owner.blockOwnerDeletion == true)
    let spec = try #require(pod.spec)
    #expect(spec.restartPolicy == "Never")
    #expect(spec.activeDeadlineSeconds == 60)
    #expect(spec.automountServiceAccountToken == false)
    #expect(spec.securityContext?.runAsNonRoot == true && spec.securityContext?.runAsUser == 1000)
    let c = try #require(spec.containers.first)
    #expect(c.image == GraDefaults.runnerImage)
    #expect(c.securityContext?.capabilities?.drop == ["ALL"])
    #expect(c.securityContext?.allowPrivilegeEscalation == false)
    #expect(c.securityContext?.seccompProfile?.type == "RuntimeDefault")
    #expect(c.terminationMessagePolicy == "FallbackToLogsOnError")
    #expect(c.command?.first == "sh")
    #expect(c.args == ["--workdir", "/workspace", "--module", "gt", "--", "run"])
    #expect(spec.volumes?.first?.emptyDir != nil)
    #expect(c.env?.first { $0.name == "GRA_ARTIFACT_DIR" }?.value == "/workspace/.gra/artifacts/trace/2")
    #expect(c.env?.first { $0.name == "GRA_JOB_ATTEMPT" }?.value == "2")
  }

  @Test func runnerWorkspaceClaimIsMountedAtItsPath() throws {
    var runner = Runner(
      spec: RunnerSpec(workspace: WorkspaceSpec(mountPath: "/data")), status: RunnerStatus(workspaceClaim: "ws-r1"))
    runner.metadata.name = "r1"
    runner.spec?.image = "ghcr.io/gra-dev/gra-runner:v2"
    let j = job(
      TracerJobSpec(
        runnerRef: LocalObjectReference(name: "r1"), script: "train.py", artifacts: ArtifactsSpec(paths: ["out/*"])))
    let pod = TracerJobPodBuilder.pod(job: j, runner: runner, attempt: 1)
    let spec = try #require(pod.spec)
    #expect(spec.volumes?.first?.persistentVolumeClaim?.claimName == "ws-r1")
    #expect(spec.containers[0].volumeMounts?.first?.mountPath == "/data")
    #expect(spec.containers[0].image == "ghcr.io/gra-dev/gra-runner:v2")
    #expect(spec.containers[0].args == ["--workdir", "/data", "--artifact", "out/*", "--script", "train.py", "--"])
    #expect(spec.containers[0].env?.first { $0.name == "GRA_ARTIFACT_DIR" }?.value == "/data/.gra/artifacts/trace/1")
  }

  @Test(arguments: [
    (TracerJobSpec(command: ["bash", "-c", "true"], args: ["x"]), ["--command", "bash", "--", "-c", "true", "x"]),
    (TracerJobSpec(script: "print(1)\nprint(2)"), ["--inline-script", "print(1)\nprint(2)", "--"]),
    (
      TracerJobSpec(source: SourceSpec(git: GitSource(repo: "https://g/r.git", ref: "v1")), setup: ["make data"]),
      ["--git-repo", "https://g/r.git", "--git-ref", "v1", "--setup", "make data", "--module", "gradienttracer", "--"]
    ),
  ])
  func runArguments(spec: TracerJobSpec, expected: [String]) {
    let args = TracerJobPodBuilder.runArguments(job: job(spec), workingDir: "/w")
    #expect(args == ["--workdir", "/w"] + expected)
  }

  @Test func gpusGetALimitAndATolerationAndUserEnvComesLast() throws {
    let res = ResourceRequirements(requests: ["nvidia.com/gpu": "1", "cpu": "2"])
    let j = job(TracerJobSpec(env: [EnvVar(name: "GRA_WORKSPACE", value: "/mine")], resources: res))
    let pod = TracerJobPodBuilder.pod(job: j, runner: nil, attempt: 1)
    let c = try #require(pod.spec?.containers.first)
    #expect(c.resources?.limits?["nvidia.com/gpu"] == "1")
    #expect(pod.spec?.tolerations?.first?.key == "nvidia.com/gpu")
    #expect(c.env?.last { $0.name == "GRA_WORKSPACE" }?.value == "/mine")
  }

  @Test func claimDestinationIsMountedForArtifacts() throws {
    let dest = ArtifactDestination(persistentVolumeClaim: ClaimDestination(claimName: "results", subPath: "runs"))
    let pod = TracerJobPodBuilder.pod(
      job: job(TracerJobSpec(artifacts: ArtifactsSpec(paths: ["*.json"], destination: dest))), runner: nil, attempt: 3)
    let c = try #require(pod.spec?.containers.first)
    #expect(pod.spec?.volumes?.contains { $0.persistentVolumeClaim?.claimName == "results" } == true)
    #expect(c.env?.first { $0.name == "GRA_ARTIFACT_DIR" }?.value == "/artifacts/runs/3")
  }
}
