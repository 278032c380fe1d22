import CRDModels

/// Builds the pod of one TracerJob attempt. Pure: the same job, runner and attempt always give
/// the same pod.
///
/// - Name `<job>-<attempt>` (attempts count from 1), `restartPolicy: Never`, the runner's
///   restricted security posture (UID/GID 1000, non-root, seccomp RuntimeDefault, no
///   capabilities, no privilege escalation), no service account token.
/// - `activeDeadlineSeconds` is `timeoutSeconds`, per attempt: every attempt gets the whole
///   timeout (the backoff between attempts is not counted).
/// - The container runs `sh -c` around `gra-run` (see ``wrapperScript``): it forwards SIGTERM to
///   gra-run and, after it ends, prints `run.json` as one log line starting with
///   ``recordMarker`` so the controller can read the artifact list (size, sha256) from the log;
///   gra-run's termination message only carries the artifact count.
/// - Volume `workspace` at the mount path: the Runner's workspace claim with `runnerRef`, else an
///   emptyDir. A `persistentVolumeClaim` artifact destination is mounted at ``artifactsMount``.
/// - The artifact directory (run.json, run.log, artifacts) is `<dest>/<attempt>`, where `<dest>`
///   is the workspace `subPath` (default `.gra/artifacts/<job>`) or the claim's `subPath`
///   (default `<job>`).
public enum TracerJobPodBuilder {
  public static let containerName = "job"
  public static let jobLabel = "gra.dev/tracerjob"
  public static let attemptLabel = "gra.dev/attempt"
  public static let managedByLabel = "app.kubernetes.io/managed-by"
  public static let managedByValue = "gra"
  public static let gpuResource = "nvidia.com/gpu"
  public static let artifactsMount = "/artifacts"
  /// Prefix of the log line that carries `run.json` (compact JSON) after gra-run ends.
  public static let recordMarker = "::gra-run-record::"

  /// `sh -c` script: runs `gra-run "$@"`, forwards TERM/INT to it, prints the record line and
  /// exits with gra-run's exit code.
  public static let wrapperScript = """
    gra-run "$@" & pid=$!
    trap 'kill -TERM $pid 2>/dev/null' TERM INT
    wait $pid; rc=$?
    while kill -0 $pid 2>/dev/null; do wait $pid; rc=$?; done
    f="${GRA_ARTIFACT_DIR}/run.json"
    if [ -f "$f" ]; then printf '%s' '\(recordMarker) '; python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' "$f" 2>/dev/null || echo '{}'; fi
    exit $rc
    """

  public static func podName(job: String, attempt: Int32) -> String { "\(job)-\(attempt)" }

  /// Where the workspace is mounted: the runner's `workspace.mountPath`, else `/workspace`.
  public static func mountPath(runner: Runner?) -> String {
    runner?.spec?.workspace?.mountPath ?? GraDefaults.workspaceMountPath
  }

  /// Where a `persistentVolumeClaim` artifact destination is mounted: ``artifactsMount``, or
  /// ``artifactsMountBesideWorkspace`` when the runner's workspace is mounted there already
  /// (the API server refuses a pod with two mounts at one path).
  public static func artifactsMountPath(runner: Runner?) -> String {
    let workspace = mountPath(runner: runner)
    return "/" + trim(workspace) == artifactsMount ? artifactsMountBesideWorkspace : artifactsMount
  }

  /// The artifact claim's mount when the workspace is at ``artifactsMount``.
  public static let artifactsMountBesideWorkspace = "/gra-artifacts"

  /// The artifact directory of an attempt, as the pod sees it.
  public static func artifactDirectory(job: TracerJob, runner: Runner?, attempt: Int32) -> String {
    let name = job.metadata.name ?? "job"
    let dest = job.spec?.artifacts?.destination
    if let claim = dest?.persistentVolumeClaim {
      return "\(artifactsMountPath(runner: runner))/\(trim(claim.subPath ?? name))/\(attempt)"
    }
    let sub = dest?.workspace?.subPath ?? ".gra/artifacts/\(name)"
    return "\(mountPath(runner: runner))/\(trim(sub))/\(attempt)"
  }

  /// The pod of attempt `attempt` of `job` (defaults applied by the caller, with
  /// `withDefaults(image: defaultImage)`). `runner` is the referenced Runner (it must have
  /// `status.workspaceClaim`), or nil without `runnerRef`. `defaultImage` is the operator's
  /// `--runner-image`: the image when neither the job nor its runner names one.
  public static func pod(
    job: TracerJob, runner: Runner?, attempt: Int32, defaultImage: String = GraDefaults.runnerImage
  ) -> Pod {
    let spec = job.spec ?? TracerJobSpec()
    let name = job.metadata.name ?? "job"
    let mount = mountPath(runner: runner)
    let artifactDir = artifactDirectory(job: job, runner: runner, attempt: attempt)
    let image = job.resolvedImage(runner: runner, defaultImage: defaultImage)

    var volumes: [Volume] = []
    var mounts: [VolumeMount] = []
    if let claim = runner?.status?.workspaceClaim {
      volumes.append(
        Volume(name: "workspace", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: claim)))
    } else {
      volumes.append(Volume(name: "workspace", emptyDir: EmptyDirVolumeSource()))
    }
    mounts.append(VolumeMount(name: "workspace", mountPath: mount))
    if let claim = spec.artifacts?.destination?.persistentVolumeClaim {
      volumes.append(
        Volume(name: "artifacts", persistentVolumeClaim: PersistentVolumeClaimVolumeSource(claimName: claim.claimName)))
      mounts.append(VolumeMount(name: "artifacts", mountPath: artifactsMountPath(runner: runner)))
    }

    var env: [EnvVar] = [
      EnvVar(name: "GRA_IMAGE", value: image),
      EnvVar(name: "GRA_JOB_NAME", value: name),
      EnvVar(name: "GRA_JOB_NAMESPACE", value: job.metadata.namespace ?? "default"),
      EnvVar(name: "GRA_JOB_UID", value: job.metadata.uid ?? ""),
      EnvVar(name: "GRA_JOB_ATTEMPT", value: String(attempt)),
      EnvVar(name: "GRA_ARTIFACT_DIR", value: artifactDir),
      EnvVar(name: "GRA_WORKSPACE", value: mount),
    ]
    var envFrom: [EnvFromSource]? = nil
    if let s3 = spec.artifacts?.destination?.s3 {
      if let endpoint = s3.endpoint { env.append(EnvVar(name: "AWS_ENDPOINT_URL_S3", value: endpoint)) }
      if let region = s3.region { env.append(EnvVar(name: "AWS_DEFAULT_REGION", value: region)) }
      if let secret = s3.credentialsSecretRef?.name {
        envFrom = [EnvFromSource(secretRef: SecretEnvSource(name: secret))]
      }
    }
    // The user's variables come last so they win over gra's.
    env += spec.env ?? []

    var resources = spec.resources
    var tolerations: [Toleration]? = nil
    if let gpus = resources?.limits?[gpuResource] ?? resources?.requests?[gpuResource], !gpus.isZero {
      // Extended resources need limits; requests default to them.
      var r = resources ?? ResourceRequirements()
      r.limits = (r.limits ?? [:]).merging([gpuResource: gpus]) { a, _ in a }
      resources = r
      tolerations = [Toleration(key: gpuResource, operator: "Exists", effect: "NoSchedule")]
    }

    let container = Container(
      name: containerName, image: image, command: ["sh", "-c", wrapperScript, "gra-run"],
      args: runArguments(job: job, workingDir: spec.workingDir ?? mount), env: env, envFrom: envFrom,
      resources: resources, volumeMounts: mounts,
      securityContext: SecurityContext(
        runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false,
        capabilities: Capabilities(drop: ["ALL"]), seccompProfile: SeccompProfile(type: "RuntimeDefault")),
      terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "FallbackToLogsOnError")

    let podSpec = PodSpec(
      containers: [container], volumes: volumes, restartPolicy: "Never", terminationGracePeriodSeconds: 30,
      activeDeadlineSeconds: spec.timeoutSeconds, automountServiceAccountToken: false,
      securityContext: PodSecurityContext(
        runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, fsGroup: 1000,
        seccompProfile: SeccompProfile(type: "RuntimeDefault")),
      tolerations: tolerations, enableServiceLinks: false)

    var meta = ObjectMeta()
    meta.name = podName(job: name, attempt: attempt)
    meta.namespace = job.metadata.namespace
    meta.labels = [jobLabel: name, attemptLabel: String(attempt), managedByLabel: managedByValue]
    meta.ownerReferences = [
      OwnerReference(
        apiVersion: TracerJob.resource.apiVersion, kind: TracerJob.resource.kind, name: name,
        uid: job.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    ]
    return Pod(metadata: meta, spec: podSpec)
  }

  /// gra-run's arguments: options, then the module/script/command, then `--` and `args`.
  public static func runArguments(job: TracerJob, workingDir: String) -> [String] {
    let spec = job.spec ?? TracerJobSpec()
    var a = ["--workdir", workingDir]
    if let git = spec.source?.git {
      a += ["--git-repo", git.repo]
      if let ref = git.ref { a += ["--git-ref", ref] }
    }
    for step in spec.setup ?? [] { a += ["--setup", step] }
    for glob in spec.artifacts?.paths ?? [] { a += ["--artifact", glob] }
    if let s3 = spec.artifacts?.destination?.s3 {
      let prefix = s3.prefix ?? "\(job.metadata.namespace ?? "default")/\(job.metadata.name ?? "job")/"
      a += ["--upload", "s3://\(s3.bucket)/\(trim(prefix))"]
    }
    if let command = spec.command, let prog = command.first {
      a += ["--command", prog, "--"] + command.dropFirst() + (spec.args ?? [])
    } else if let script = spec.script {
      // A script with a newline is inline source; otherwise a path.
      a += script.contains("\n") ? ["--inline-script", script] : ["--script", script]
      a += ["--"] + (spec.args ?? [])
    } else {
      a += ["--module", spec.module ?? GraDefaults.tracerModule, "--"] + (spec.args ?? [])
    }
    return a
  }

  private static func trim(_ path: String) -> String {
    var p = Substring(path)
    while p.hasPrefix("/") { p = p.dropFirst() }
    while p.hasSuffix("/") { p = p.dropLast() }
    return String(p)
  }
}
