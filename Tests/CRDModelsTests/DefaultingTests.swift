import Testing

@testable import CRDModels

@Suite struct DefaultingTests {
  @Test func emptyRunnerGetsEveryDefault() throws {
    let r = Runner(metadata: ObjectMeta(name: "demo")).withDefaults()
    let s = try #require(r.spec)
    #expect(s.image == "ghcr.io/gra-dev/gra-runner:latest")
    #expect(s.workspace?.size == Quantity("10Gi"))
    #expect(s.workspace?.mountPath == "/workspace")
    #expect(s.workspace?.reclaimPolicy == .delete)
    #expect(s.ssh?.enabled == false)
    #expect(s.ssh?.port == 2222)
    #expect(s.ssh?.serviceType == .clusterIP)
    #expect(s.network?.egress == .public)
    #expect(s.exec?.maxConcurrent == 4)
    #expect(s.exec?.defaultTimeoutSeconds == 300)
    #expect(s.exec?.outputLimitBytes == 10_485_760)
    #expect(s.automountServiceAccountToken == false)
    #expect(s.suspend == false)
    #expect(r.validate() == [])
    #expect(r.withDefaults().validate() == [])
  }

  @Test func defaultsNeverOverrideTheUser() {
    var spec = RunnerSpec(image: "python:3.12", automountServiceAccountToken: true)
    spec.workspace = WorkspaceSpec(size: "50Gi", mountPath: "/data", reclaimPolicy: .retain)
    spec.exec = ExecLimits(maxConcurrent: 1)
    spec.ssh = SSHSpec(
      enabled: true, authorizedKeysSecretRef: SecretKeyReference(name: "keys"), port: 2200)
    let s = Runner(metadata: ObjectMeta(name: "x"), spec: spec).withDefaults().spec!
    #expect(s.image == "python:3.12")
    #expect(s.workspace?.size == Quantity("50Gi"))
    #expect(s.workspace?.mountPath == "/data")
    #expect(s.workspace?.reclaimPolicy == .retain)
    #expect(s.exec?.maxConcurrent == 1)
    #expect(s.exec?.defaultTimeoutSeconds == 300)
    #expect(s.automountServiceAccountToken == true)
    #expect(s.ssh?.port == 2200)
    #expect(s.ssh?.authorizedKeysSecretRef?.key == "authorized_keys")
  }

  @Test func existingClaimGetsNoSize() {
    let spec = RunnerSpec(workspace: WorkspaceSpec(existingClaim: "shared"))
    let r = Runner(metadata: ObjectMeta(name: "x"), spec: spec).withDefaults()
    #expect(r.spec?.workspace?.size == nil)
    #expect(r.validate() == [])
  }

  @Test func defaultingIsIdempotent() {
    let once = Runner(metadata: ObjectMeta(name: "x")).withDefaults()
    #expect(once.withDefaults() == once)
    let job = TracerJob(metadata: ObjectMeta(name: "j")).withDefaults()
    #expect(job.withDefaults() == job)
  }

  @Test func tracerJobDefaults() throws {
    let j = TracerJob(metadata: ObjectMeta(name: "trace")).withDefaults()
    let s = try #require(j.spec)
    #expect(s.module == "gradienttracer")
    #expect(s.image == GraDefaults.runnerImage)
    #expect(s.backoffLimit == 0)
    #expect(s.retryBackoff == RetryBackoff(initialSeconds: 10, maxSeconds: 300))
    #expect(s.managedBy == "gra.dev/operator")
    #expect(j.isManagedByGra)
    #expect(j.validate() == [])
  }

  @Test func tracerJobWithScriptOrRunnerKeepsThem() throws {
    var spec = TracerJobSpec(runnerRef: LocalObjectReference(name: "demo"), script: "train.py")
    spec.artifacts = ArtifactsSpec(paths: ["out/*.json"])
    let j = TracerJob(metadata: ObjectMeta(name: "trace"), spec: spec).withDefaults()
    #expect(j.spec?.module == nil)
    #expect(j.spec?.image == nil)
    #expect(j.spec?.artifacts?.destination?.workspace?.subPath == ".gra/artifacts/trace")
    var runner = Runner(metadata: ObjectMeta(name: "demo"))
    #expect(j.resolvedImage(runner: runner) == GraDefaults.runnerImage)
    runner.spec = RunnerSpec(image: "custom:1")
    #expect(j.resolvedImage(runner: runner) == "custom:1")
    #expect(j.validate() == [])
  }
}
