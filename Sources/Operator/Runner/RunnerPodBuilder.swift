import CRDModels

/// Builds the Runner's pod: a pure function of the Runner and the image to run when the Runner
/// names none (the operator's `--runner-image`).
///
/// The pod meets the restricted Pod Security Standard (UID/GID 1000, `runAsNonRoot`, seccomp
/// `RuntimeDefault`, every capability dropped, no privilege escalation) and uses the runner
/// image as `docs/images.md` describes: the image's entrypoint (`gra-runner`), `GRA_SSH`,
/// `GRA_SSH_PORT` and `GRA_WORKSPACE`, mounted keys at `/etc/gra/ssh/authorized_keys` and host
/// keys at `/etc/gra/ssh-host-keys`,
/// readiness on sshd's port when ssh is on, else the `healthcheck` script.
///
/// The `gra.dev/spec-hash` annotation is the hash of the returned pod's spec; the reconciler
/// replaces a pod whose annotation differs.
public enum RunnerPodBuilder {
  public static func pod(_ runner: Runner, defaultImage: String = GraDefaults.runnerImage) -> Pod {
    let r = runner.withDefaults(image: defaultImage)
    let name = r.metadata.name ?? ""
    let spec = podSpec(r)
    var meta = RunnerNames.meta(r, name: RunnerNames.pod(name))
    meta.annotations = [RunnerNames.specHashAnnotation: SpecHash.of(spec)]
    return Pod(metadata: meta, spec: spec)
  }

  static func podSpec(_ r: Runner) -> PodSpec {
    let s = r.spec ?? RunnerSpec()
    let ssh = s.ssh ?? SSHSpec()
    let sshOn = ssh.enabled == true
    let port = ssh.port ?? GraDefaults.sshPort
    let mountPath = s.workspace?.mountPath ?? GraDefaults.workspaceMountPath
    let name = r.metadata.name ?? ""

    var volumes = [
      Volume(
        name: RunnerNames.workspaceVolume,
        persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: RunnerNames.claim(r)))
    ]
    var mounts = [VolumeMount(name: RunnerNames.workspaceVolume, mountPath: mountPath)]
    if sshOn, !(ssh.authorizedKeys ?? []).isEmpty {
      volumes.append(
        Volume(
          name: RunnerNames.keysVolume,
          secret: SecretVolumeSource(secretName: RunnerNames.keysSecret(name), defaultMode: 0o444)))
      mounts.append(VolumeMount(name: RunnerNames.keysVolume, mountPath: RunnerNames.keysMountPath, readOnly: true))
    }
    if sshOn {
      // 0444: the container runs as UID 1000 only; gra-runner copies the key to a 0600 file
      // of its own (sshd refuses keys others can read).
      volumes.append(
        Volume(
          name: RunnerNames.hostKeysVolume,
          secret: SecretVolumeSource(secretName: RunnerNames.hostKeysSecret(name), defaultMode: 0o444)))
      mounts.append(
        VolumeMount(name: RunnerNames.hostKeysVolume, mountPath: RunnerNames.hostKeysMountPath, readOnly: true))
    }

    var container = Container(name: RunnerNames.containerName, image: s.image ?? GraDefaults.runnerImage)
    container.imagePullPolicy = s.imagePullPolicy?.rawValue
    container.env = env(r, sshOn: sshOn, port: port, mountPath: mountPath) + (s.env ?? [])
    container.envFrom = s.envFrom
    container.resources = resources(s.resources)
    container.volumeMounts = mounts
    container.workingDir = mountPath
    if sshOn {
      container.ports = [ContainerPort(name: RunnerNames.sshPortName, containerPort: port, protocol: "TCP")]
      container.readinessProbe = Probe(
        tcpSocket: TCPSocketAction(port: .string(RunnerNames.sshPortName)), periodSeconds: 5, failureThreshold: 3)
    } else {
      container.readinessProbe = Probe(
        exec: ExecAction(command: ["healthcheck"]), timeoutSeconds: 10, periodSeconds: 5, failureThreshold: 3)
    }
    container.livenessProbe = Probe(
      exec: ExecAction(command: ["healthcheck"]), initialDelaySeconds: 30, timeoutSeconds: 20, periodSeconds: 60,
      failureThreshold: 3)
    container.securityContext = SecurityContext(
      runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: Capabilities(drop: ["ALL"]),
      seccompProfile: SeccompProfile(type: "RuntimeDefault"))

    var spec = PodSpec(containers: [container], volumes: volumes)
    spec.restartPolicy = "Always"
    spec.terminationGracePeriodSeconds = 30
    spec.securityContext = PodSecurityContext(
      runAsUser: RunnerNames.uid, runAsGroup: RunnerNames.uid, runAsNonRoot: true, fsGroup: RunnerNames.uid,
      fsGroupChangePolicy: "OnRootMismatch", seccompProfile: SeccompProfile(type: "RuntimeDefault"))
    spec.enableServiceLinks = false
    spec.automountServiceAccountToken = s.automountServiceAccountToken ?? GraDefaults.automountServiceAccountToken
    spec.serviceAccountName = s.serviceAccountName
    spec.runtimeClassName = s.runtimeClassName
    spec.nodeSelector = s.nodeSelector
    spec.affinity = s.affinity
    spec.tolerations = tolerations(s)
    spec.hostname = name.count <= 63 ? name : nil
    return spec
  }

  /// gra's variables first; the user's `env` comes after and wins on a duplicate name, as in
  /// Kubernetes.
  static func env(_ r: Runner, sshOn: Bool, port: Int32, mountPath: String) -> [EnvVar] {
    let s = r.spec ?? RunnerSpec()
    var env = [
      EnvVar(name: "GRA_RUNNER_NAME", value: r.metadata.name ?? ""),
      EnvVar(name: "GRA_SSH", value: sshOn ? "on" : "off"),
      EnvVar(name: "GRA_SSH_PORT", value: String(port)),
      EnvVar(name: "GRA_WORKSPACE", value: mountPath),
    ]
    if sshOn, let ref = s.ssh?.authorizedKeysSecretRef {
      env.append(
        EnvVar(
          name: "GRA_AUTHORIZED_KEYS",
          valueFrom: EnvVarSource(
            secretKeyRef: SecretKeySelector(name: ref.name, key: ref.key ?? GraDefaults.authorizedKeysKey))))
    }
    if let s3 = s.s3 {
      env.append(EnvVar(name: "S3_BUCKET", value: s3.bucket))
      if let e = s3.endpoint {
        env.append(EnvVar(name: "S3_ENDPOINT", value: e))
        env.append(EnvVar(name: "AWS_ENDPOINT_URL_S3", value: e))
        env.append(EnvVar(name: "FSSPEC_S3_ENDPOINT_URL", value: e))
      }
      if let region = s3.region {
        env.append(EnvVar(name: "AWS_REGION", value: region))
        env.append(EnvVar(name: "AWS_DEFAULT_REGION", value: region))
      }
      if let secret = s3.credentialsSecretRef?.name {
        for (key, optional) in [
          ("AWS_ACCESS_KEY_ID", false), ("AWS_SECRET_ACCESS_KEY", false), ("AWS_SESSION_TOKEN", true),
        ] {
          env.append(
            EnvVar(
              name: key,
              valueFrom: EnvVarSource(
                secretKeyRef: SecretKeySelector(name: secret, key: key, optional: optional ? true : nil))))
        }
      }
    }
    return env
  }

  /// Kubernetes requires extended resources such as `nvidia.com/gpu` in `limits`, equal to any
  /// request: a GPU given only on one side is copied to the other.
  static func resources(_ given: ResourceRequirements?) -> ResourceRequirements? {
    guard var res = given else { return nil }
    let gpu = RunnerNames.gpuResource
    if let q = res.requests?[gpu], res.limits?[gpu] == nil { res.limits = (res.limits ?? [:]).merging([gpu: q]) { $1 } }
    if let q = res.limits?[gpu], res.requests?[gpu] == nil, res.requests != nil {
      res.requests?[gpu] = q
    }
    return res
  }

  static func requestsGPU(_ s: RunnerSpec) -> Bool {
    let gpu = RunnerNames.gpuResource
    let q = s.resources?.limits?[gpu] ?? s.resources?.requests?[gpu]
    return q.map { !$0.isZero } ?? false
  }

  /// The user's tolerations, plus `nvidia.com/gpu:NoSchedule` when GPUs are requested and no
  /// toleration covers that taint yet.
  static func tolerations(_ s: RunnerSpec) -> [Toleration]? {
    var t = s.tolerations ?? []
    let gpu = RunnerNames.gpuResource
    if requestsGPU(s),
      !t.contains(where: {
        ($0.key == gpu || ($0.key == nil && $0.operator == "Exists")) && ($0.effect == nil || $0.effect == "NoSchedule")
      })
    {
      t.append(Toleration(key: gpu, operator: "Exists", effect: "NoSchedule"))
    }
    return t.isEmpty ? nil : t
  }
}
