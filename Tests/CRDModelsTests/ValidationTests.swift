import Foundation
import Testing

@testable import CRDModels

private func runner(_ name: String = "demo", _ build: (inout RunnerSpec) -> Void) -> Runner {
  var spec = RunnerSpec()
  build(&spec)
  return Runner(metadata: ObjectMeta(name: name), spec: spec)
}

private func job(_ name: String = "trace", _ build: (inout TracerJobSpec) -> Void) -> TracerJob {
  var spec = TracerJobSpec()
  build(&spec)
  return TracerJob(metadata: ObjectMeta(name: name), spec: spec)
}

private let key =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsY1uVqK8l1m0n2nN8q7xkqgq5z1Y8m8J0b8zq7Yp3x alice@laptop"

@Suite struct ValidationTests {
  @Test func sizeAndExistingClaimTogether() throws {
    let errs = runner { $0.workspace = WorkspaceSpec(size: "10Gi", existingClaim: "shared") }
      .validate()
    let e = try #require(errs.first)
    #expect(errs.count == 1)
    #expect(e.field == "spec.workspace.size")
    #expect(e.kind == .forbidden)
    #expect(
      e.description
        == "spec.workspace.size: Forbidden: size and existingClaim are mutually exclusive: remove size to use the claim shared, or remove existingClaim to let gra create a claim of that size"
    )
    #expect(e.cause.reason == "FieldValueForbidden")
    #expect(e.cause.field == "spec.workspace.size")
  }

  @Test func badQuantityInAManifestNamesTheField() throws {
    let json = try KubeJSON.decode(
      JSONValue.self,
      from:
        Data(
          #"{"apiVersion":"gra.dev/v1alpha1","kind":"Runner","metadata":{"name":"demo"},"spec":{"workspace":{"size":"ten"}}}"#
            .utf8))
    let (r, errs) = ManifestDecoder.runner(json)
    #expect(r == nil)
    let e = try #require(errs.first)
    #expect(e.field == "spec.workspace.size")
    #expect(e.value == "ten")
    #expect(
      e.description.hasPrefix(
        #"spec.workspace.size: Invalid value: "ten": must be a quantity such as 500m, 2, 10Gi or 1.5G"#
      ))

    let json2 = try KubeJSON.decode(
      JSONValue.self,
      from:
        Data(#"{"metadata":{"name":"demo"},"spec":{"resources":{"limits":{"memory":"4GB"}}}}"#.utf8)
    )
    let e2 = try #require(ManifestDecoder.runner(json2).1.first)
    #expect(e2.field == "spec.resources.limits[memory]")
    #expect(e2.value == "4GB")

    let json3 = try KubeJSON.decode(
      JSONValue.self,
      from: Data(#"{"metadata":{"name":"demo"},"spec":{"exec":{"maxConcurrent":"four"}}}"#.utf8))
    let e3 = try #require(ManifestDecoder.runner(json3).1.first)
    #expect(
      e3.description == #"spec.exec.maxConcurrent: Invalid value: "four": must be of type integer"#)

    let json4 = try KubeJSON.decode(
      JSONValue.self,
      from: Data(#"{"metadata":{"name":"demo"},"spec":{"network":{"egress":"Open"}}}"#.utf8))
    let e4 = try #require(ManifestDecoder.runner(json4).1.first)
    #expect(e4.field == "spec.network.egress")
    #expect(e4.value == "Open")
  }

  @Test func requestsAboveLimitsAndFractionalGPUs() {
    let errs = runner {
      $0.resources = ResourceRequirements(
        limits: ["cpu": "1", "nvidia.com/gpu": "1"],
        requests: ["cpu": "1500m", "nvidia.com/gpu": "500m", "memory": "-1Gi"])
    }.validate().map(\.description)
    #expect(
      errs.contains(
        "spec.resources.requests[cpu]: Invalid value: \"1500m\": must be less than or equal to the cpu limit 1; raise the limit or lower the request"
      ))
    #expect(
      errs.contains(
        "spec.resources.requests[nvidia.com/gpu]: Invalid value: \"500m\": nvidia.com/gpu is counted in whole devices; use an integer such as 1"
      ))
    #expect(
      errs.contains(
        "spec.resources.requests[memory]: Invalid value: \"-1Gi\": must be greater than or equal to 0"
      ))
  }

  @Test(arguments: ["30", "1d", "1h 30m", "-5m", "0s"])
  func idleTimeoutMustBeAGoDuration(value: String) throws {
    let errs = runner { $0.idleTimeout = value }.validate()
    let e = try #require(errs.first)
    #expect(e.field == "spec.idleTimeout")
    #expect(e.value == value)
    #expect(e.detail.contains("30m"))
  }

  @Test func goodDurationsPass() {
    #expect(
      runner {
        $0.idleTimeout = "1h30m"
        $0.maxLifetime = "720h"
      }.validate() == [])
  }

  @Test(arguments: [
    ("Demo", "lower case"), ("9lives", "start with a lowercase letter"), ("a_b", "lower case"),
    (String(repeating: "a", count: 53), "no more than 52"),
  ])
  func namesMustBeDNSLabels(name: String, fragment: String) throws {
    let e = try #require(Runner(metadata: ObjectMeta(name: name)).validate().first)
    #expect(e.field == "metadata.name")
    #expect(e.detail.contains(fragment), "\(e)")
  }

  @Test func sshNeedsKeysAndAHighPort() {
    let errs = runner { $0.ssh = SSHSpec(enabled: true, port: 22) }.validate().map(\.description)
    #expect(
      errs == [
        "spec.ssh.authorizedKeys: Required value: ssh accepts keys only: add a public key to authorizedKeys or name a Secret in authorizedKeysSecretRef",
        "spec.ssh.port: Invalid value: \"22\": must be between 1024 and 65535: the runner runs as a non-root user and cannot bind lower ports",
      ])
    #expect(runner { $0.ssh = SSHSpec(enabled: true, authorizedKeys: [key]) }.validate() == [])
    let bad = runner {
      $0.ssh = SSHSpec(enabled: true, authorizedKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----"])
    }.validate()
    #expect(bad.first?.field == "spec.ssh.authorizedKeys[0]")
  }

  @Test func execLimitsAndEnv() {
    let errs = runner {
      $0.exec = ExecLimits(maxConcurrent: 0, defaultTimeoutSeconds: -1, outputLimitBytes: 10)
      $0.env = [EnvVar(name: "A", value: "1"), EnvVar(name: "A", value: "2"), EnvVar(name: "B=C")]
    }.validate().map(\.field)
    #expect(
      errs == [
        "spec.env[1].name", "spec.env[2].name", "spec.exec.maxConcurrent",
        "spec.exec.defaultTimeoutSeconds",
        "spec.exec.outputLimitBytes",
      ])
  }

  @Test func s3AndScheduling() {
    let errs = runner {
      $0.s3 = S3Spec(endpoint: "minio:9000", bucket: "My_Bucket")
      $0.tolerations = [Toleration(key: "gpu", operator: "Exists", value: "yes")]
      $0.nodeSelector = ["gpu type": "a100"]
    }.validate().map(\.field)
    #expect(
      errs == [
        "spec.s3.bucket", "spec.s3.endpoint", "spec.nodeSelector", "spec.tolerations[0].operator",
      ])
  }

  @Test func moreThanOneOfModuleScriptCommand() throws {
    let errs = job {
      $0.module = "gradienttracer"
      $0.command = ["python", "-V"]
    }.validate()
    let e = try #require(errs.first)
    #expect(errs.count == 1)
    #expect(
      e.description
        == "spec.command: Forbidden: set exactly one of module, script or command (or none, to run the default module gradienttracer); module and command are both set"
    )
  }

  @Test func tracerJobFieldChecks() {
    let errs = job {
      $0.module = "my-module"
      $0.timeoutSeconds = -5
      $0.backoffLimit = -1
      $0.source = SourceSpec(git: GitSource(repo: "not a url", ref: "--upload-pack=x"))
      $0.setup = ["pip install -r requirements.txt", " "]
      $0.retryBackoff = RetryBackoff(initialSeconds: 30, maxSeconds: 5)
      $0.managedBy = "someone"
    }.validate().map(\.description)
    #expect(
      errs == [
        "spec.module: Invalid value: \"my-module\": must be a Python module path such as gradienttracer or pkg.sub (letters, digits, _ and dots)",
        "spec.source.git.repo: Invalid value: \"not a url\": must be a git URL: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git",
        "spec.source.git.ref: Invalid value: \"--upload-pack=x\": must be a branch, tag or commit: no spaces, no '..', not starting with '-'",
        "spec.setup[1]: Required value: each setup entry is a shell command; remove the empty one",
        "spec.timeoutSeconds: Invalid value: \"-5\": must be at least 1 second; leave it unset for no timeout",
        "spec.backoffLimit: Invalid value: \"-1\": must be between 0 (no retries) and 100",
        "spec.retryBackoff.maxSeconds: Invalid value: \"5\": must be at least initialSeconds (30)",
        "spec.managedBy: Invalid value: \"someone\": must be a domain-prefixed path of at most 63 characters, e.g. gra.dev/operator or example.com/my-controller",
      ])
  }

  @Test func gitSourcesThatAreFine() {
    for repo in [
      "https://github.com/gra-dev/examples.git", "git@github.com:gra-dev/examples.git",
      "ssh://git@host/x.git",
    ] {
      #expect(
        job { $0.source = SourceSpec(git: GitSource(repo: repo, ref: "v1.2")) }.validate() == [],
        "\(repo)")
    }
  }

  @Test func podFailurePolicyRules() {
    let errs = job {
      $0.podFailurePolicy = PodFailurePolicy(rules: [
        PodFailurePolicyRule(
          action: .failJob, onExitCodes: ExitCodeRequirement(operator: .in, values: [0, 42, 42])),
        PodFailurePolicyRule(
          action: .ignore, onExitCodes: ExitCodeRequirement(operator: .notIn, values: [])),
      ])
    }.validate().map(\.description)
    #expect(
      errs == [
        "spec.podFailurePolicy.rules[0].onExitCodes.values: Duplicate value: \"0,42,42\": list each exit code once",
        "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: \"0\": 0 is success and cannot be matched with In; use NotIn to match every failure except some codes",
        "spec.podFailurePolicy.rules[1].onExitCodes.values: Required value: list at least one exit code",
      ])
  }

  @Test func artifactsNeedADestinationWithoutARunner() {
    let errs = job { $0.artifacts = ArtifactsSpec(paths: ["/etc/passwd", "out/../../x"]) }
      .validate().map(\.description)
    #expect(
      errs == [
        "spec.artifacts.paths[0]: Invalid value: \"/etc/passwd\": must be a relative path inside the working directory, without '..'",
        "spec.artifacts.paths[1]: Invalid value: \"out/../../x\": must be a relative path inside the working directory, without '..'",
        "spec.artifacts.destination: Required value: without runnerRef there is no workspace to keep artifacts in: set destination.persistentVolumeClaim or destination.s3",
      ])
  }

  @Test func errorsBecomeAnInvalidStatus() {
    let errs = runner {
      $0.idleTimeout = "soon"
      $0.exec = ExecLimits(maxConcurrent: 100)
    }.validate()
    let status = errs.status(group: "gra.dev", kind: "Runner", name: "demo")
    #expect(status.code == 422)
    #expect(status.reason == "Invalid")
    #expect(
      status.message?.hasPrefix(
        "Runner.gra.dev \"demo\" is invalid: [spec.idleTimeout: Invalid value: \"soon\"") == true)
    #expect(
      status.details?.causes?.map(\.field) == ["spec.idleTimeout", "spec.exec.maxConcurrent"])
  }
}
