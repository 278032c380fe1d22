@testable import CRDModels

/// A Runner with every field set, so that its JSON exercises every property of the schema.
let fullRunner: Runner = {
  var spec = RunnerSpec(
    image: "ghcr.io/gra-dev/gra-runner:v1", imagePullPolicy: .ifNotPresent,
    resources: ResourceRequirements(
      limits: ["cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"], requests: ["cpu": "500m"]))
  spec.env = [
    EnvVar(name: "A", value: "1"),
    EnvVar(
      name: "B",
      valueFrom: EnvVarSource(
        secretKeyRef: SecretKeySelector(name: "s", key: "k", optional: true),
        configMapKeyRef: ConfigMapKeySelector(name: "c", key: "k", optional: false),
        fieldRef: ObjectFieldSelector(apiVersion: "v1", fieldPath: "metadata.name"),
        resourceFieldRef: ResourceFieldSelector(
          containerName: "runner", resource: "limits.memory", divisor: "1Mi"))),
  ]
  spec.envFrom = [
    EnvFromSource(
      prefix: "X_", configMapRef: ConfigMapEnvSource(name: "cm", optional: true),
      secretRef: SecretEnvSource(name: "sec", optional: true))
  ]
  spec.workspace = WorkspaceSpec(
    size: "20Gi", storageClassName: "fast", existingClaim: "shared", mountPath: "/workspace",
    reclaimPolicy: .retain)
  spec.ssh = SSHSpec(
    enabled: true, authorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== a@b"],
    authorizedKeysSecretRef: SecretKeyReference(name: "keys", key: "authorized_keys"),
    serviceType: .nodePort, port: 2222)
  spec.s3 = S3Spec(
    endpoint: "https://minio.example.com", bucket: "data", region: "eu-west-1",
    credentialsSecretRef: LocalObjectReference(name: "s3"))
  spec.suspend = false
  spec.idleTimeout = "30m"
  spec.maxLifetime = "24h"
  spec.network = NetworkSpec(egress: .deny)
  spec.exec = ExecLimits(maxConcurrent: 2, defaultTimeoutSeconds: 60, outputLimitBytes: 1_048_576)
  spec.nodeSelector = ["gpu": "a100"]
  spec.tolerations = [
    Toleration(
      key: "gpu", operator: "Equal", value: "yes", effect: "NoExecute", tolerationSeconds: 30)
  ]
  spec.affinity = [
    "nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": []]]
  ]
  spec.runtimeClassName = "nvidia"
  spec.serviceAccountName = "runner"
  spec.automountServiceAccountToken = false
  var status = RunnerStatus(
    phase: .ready, message: "ready", podName: "demo", podIP: "10.0.0.1", nodeName: "node-1",
    ssh: SSHEndpoint(
      host: "demo-ssh.default.svc", port: 2222, serviceName: "demo-ssh",
      command: "ssh -p 2222 runner@demo-ssh.default.svc"),
    workspaceClaim: "demo-workspace", lastActivityTime: Time.now(), startTime: Time.now(),
    restartCount: 0)
  status.conditions = [
    Condition(
      type: "Ready", status: .true, observedGeneration: 1, reason: "PodReady", message: "ok")
  ]
  status.observedGeneration = 1
  return Runner(
    metadata: ObjectMeta(name: "demo", namespace: "default"), spec: spec, status: status)
}()

/// A TracerJob with every field set.
let fullTracerJob: TracerJob = {
  var spec = TracerJobSpec(
    runnerRef: LocalObjectReference(name: "demo"), image: "ghcr.io/gra-dev/gra-runner:v1",
    module: "gradienttracer",
    script: "train.py", command: ["python", "-c", "print(1)"], args: ["--steps", "10"],
    workingDir: "/workspace/src")
  spec.env = fullRunner.spec?.env
  spec.source = SourceSpec(
    git: GitSource(repo: "https://github.com/gra-dev/examples.git", ref: "main"))
  spec.setup = ["pip install -r requirements.txt"]
  spec.resources = ResourceRequirements(limits: ["nvidia.com/gpu": 1], requests: ["cpu": "1"])
  spec.timeoutSeconds = 3600
  spec.backoffLimit = 2
  spec.retryBackoff = RetryBackoff(initialSeconds: 5, maxSeconds: 60)
  spec.podFailurePolicy = PodFailurePolicy(rules: [
    PodFailurePolicyRule(
      action: .failJob, onExitCodes: ExitCodeRequirement(operator: .in, values: [42]))
  ])
  spec.ttlSecondsAfterFinished = 600
  spec.suspend = false
  spec.managedBy = "gra.dev/operator"
  spec.artifacts = ArtifactsSpec(
    paths: ["out/*.json"],
    destination: ArtifactDestination(
      workspace: WorkspaceDestination(subPath: "results"),
      persistentVolumeClaim: ClaimDestination(claimName: "results", subPath: "x"),
      s3: S3Destination(
        endpoint: "https://s3.example.com", bucket: "results", prefix: "runs/", region: "us-east-1",
        credentialsSecretRef: LocalObjectReference(name: "s3"))))
  var status = TracerJobStatus(
    phase: .failed, attempts: 1, exitCode: 42, reason: "PodFailurePolicy", message: "Traceback…",
    startTime: Time.now(),
    completionTime: Time.now(), duration: "1m32s", podName: "trace-1")
  status.attemptStatuses = [
    AttemptStatus(
      attempt: 1, podName: "trace-1", nodeName: "node-1", exitCode: 42, reason: "Error", action: .failJob,
      startTime: Time.now(), completionTime: Time.now())
  ]
  status.artifacts = [
    ArtifactRecord(
      path: "out/trace.json", size: 1024, sha256: String(repeating: "ab", count: 32),
      location: "workspace:results/out/trace.json")
  ]
  status.conditions = [
    Condition(
      type: "Failed", status: .true, observedGeneration: 1, reason: "PodFailurePolicy",
      message: "exit 42")
  ]
  status.observedGeneration = 1
  return TracerJob(
    metadata: ObjectMeta(name: "trace", namespace: "default"), spec: spec, status: status)
}()
