// TracerJob spec and status.

/// The desired state of a ``TracerJob``. Exactly one of `module`, `script` or `command` runs;
/// with none, `module` defaults to `gradienttracer`.
public struct TracerJobSpec: Codable, Sendable, Equatable {
  /// Run with that Runner's workspace (and image, unless `image` is set).
  public var runnerRef: LocalObjectReference?
  /// Default: the runner's image, else the operator's `--runner-image` (``GraDefaults/runnerImage``
  /// unless set).
  public var image: String?
  /// `python -m MODULE ARGS…`.
  public var module: String?
  /// Path of a Python file (relative to `workingDir`): `python SCRIPT ARGS…`.
  public var script: String?
  /// An arbitrary command: `COMMAND… ARGS…`.
  public var command: [String]?
  public var args: [String]?
  /// Default: the checkout of `source.git`, else the workspace.
  public var workingDir: String?
  public var env: [EnvVar]?
  public var source: SourceSpec?
  /// Shell commands run in order before the main command (e.g. a dataset download).
  public var setup: [String]?
  public var resources: ResourceRequirements?
  /// Deadline of each attempt; exceeded means reason DeadlineExceeded.
  public var timeoutSeconds: Int64?
  /// Retries after a failed attempt; default 0.
  public var backoffLimit: Int32?
  public var retryBackoff: RetryBackoff?
  public var podFailurePolicy: PodFailurePolicy?
  /// Delete the TracerJob this long after it finished.
  public var ttlSecondsAfterFinished: Int32?
  /// True stops a running attempt and starts none until false.
  public var suspend: Bool?
  /// Controller that owns this job; default `gra.dev/operator`. Other values are left alone.
  public var managedBy: String?
  public var artifacts: ArtifactsSpec?

  public init(
    runnerRef: LocalObjectReference? = nil, image: String? = nil, module: String? = nil,
    script: String? = nil, command: [String]? = nil, args: [String]? = nil,
    workingDir: String? = nil,
    env: [EnvVar]? = nil, source: SourceSpec? = nil, setup: [String]? = nil,
    resources: ResourceRequirements? = nil, timeoutSeconds: Int64? = nil,
    backoffLimit: Int32? = nil,
    retryBackoff: RetryBackoff? = nil, podFailurePolicy: PodFailurePolicy? = nil,
    ttlSecondsAfterFinished: Int32? = nil, suspend: Bool? = nil, managedBy: String? = nil,
    artifacts: ArtifactsSpec? = nil
  ) {
    self.runnerRef = runnerRef
    self.image = image
    self.module = module
    self.script = script
    self.command = command
    self.args = args
    self.workingDir = workingDir
    self.env = env
    self.source = source
    self.setup = setup
    self.resources = resources
    self.timeoutSeconds = timeoutSeconds
    self.backoffLimit = backoffLimit
    self.retryBackoff = retryBackoff
    self.podFailurePolicy = podFailurePolicy
    self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
    self.suspend = suspend
    self.managedBy = managedBy
    self.artifacts = artifacts
  }
}

/// Code to fetch before running.
public struct SourceSpec: Codable, Sendable, Equatable {
  public var git: GitSource?

  public init(git: GitSource? = nil) {
    self.git = git
  }
}

/// A git checkout.
public struct GitSource: Codable, Sendable, Equatable {
  /// Clone URL (`https://…` or `git@…`).
  public var repo: String
  /// Branch, tag or commit; default the remote HEAD.
  public var ref: String?

  public init(repo: String = "", ref: String? = nil) {
    self.repo = repo
    self.ref = ref
  }
}

/// Delay between attempts: `initialSeconds`, doubling up to `maxSeconds`.
public struct RetryBackoff: Codable, Sendable, Equatable {
  /// Default 10.
  public var initialSeconds: Int32?
  /// Default 300.
  public var maxSeconds: Int32?

  public init(initialSeconds: Int32? = nil, maxSeconds: Int32? = nil) {
    self.initialSeconds = initialSeconds
    self.maxSeconds = maxSeconds
  }
}

/// What an attempt's exit code means, like `batch/v1` Job's `podFailurePolicy`. The first
/// matching rule applies; with no match the failure counts toward `backoffLimit`.
public struct PodFailurePolicy: Codable, Sendable, Equatable {
  public var rules: [PodFailurePolicyRule]

  public init(rules: [PodFailurePolicyRule] = []) {
    self.rules = rules
  }
}

/// One rule: an action for a set of exit codes.
public struct PodFailurePolicyRule: Codable, Sendable, Equatable {
  /// `FailJob`, `Ignore` or `Count`.
  public var action: FailureAction
  public var onExitCodes: ExitCodeRequirement

  public init(
    action: FailureAction = .count, onExitCodes: ExitCodeRequirement = ExitCodeRequirement()
  ) {
    self.action = action
    self.onExitCodes = onExitCodes
  }
}

/// Exit codes matched by a rule.
public struct ExitCodeRequirement: Codable, Sendable, Equatable {
  /// `In` or `NotIn`.
  public var `operator`: ExitCodeOperator
  /// Distinct exit codes; 0 is not allowed with `In`.
  public var values: [Int32]

  public init(`operator`: ExitCodeOperator = .in, values: [Int32] = []) {
    self.`operator` = `operator`
    self.values = values
  }
}

/// Files collected after the run, with their size and sha256 recorded in the status.
public struct ArtifactsSpec: Codable, Sendable, Equatable {
  /// Glob patterns relative to the working directory, e.g. `out/*.json`.
  public var paths: [String]
  public var destination: ArtifactDestination?

  public init(paths: [String] = [], destination: ArtifactDestination? = nil) {
    self.paths = paths
    self.destination = destination
  }
}

/// Where artifacts are copied. Exactly one; default the runner's workspace when `runnerRef` is set.
public struct ArtifactDestination: Codable, Sendable, Equatable {
  public var workspace: WorkspaceDestination?
  public var persistentVolumeClaim: ClaimDestination?
  public var s3: S3Destination?

  public init(
    workspace: WorkspaceDestination? = nil, persistentVolumeClaim: ClaimDestination? = nil,
    s3: S3Destination? = nil
  ) {
    self.workspace = workspace
    self.persistentVolumeClaim = persistentVolumeClaim
    self.s3 = s3
  }
}

/// The runner's workspace.
public struct WorkspaceDestination: Codable, Sendable, Equatable {
  /// Default `.gra/artifacts/<job name>`.
  public var subPath: String?

  public init(subPath: String? = nil) {
    self.subPath = subPath
  }
}

/// An existing PersistentVolumeClaim.
public struct ClaimDestination: Codable, Sendable, Equatable {
  public var claimName: String
  public var subPath: String?

  public init(claimName: String = "", subPath: String? = nil) {
    self.claimName = claimName
    self.subPath = subPath
  }
}

/// An S3 (or compatible) bucket.
public struct S3Destination: Codable, Sendable, Equatable {
  public var endpoint: String?
  public var bucket: String
  /// Key prefix; default `<namespace>/<job name>/`.
  public var prefix: String?
  public var region: String?
  public var credentialsSecretRef: LocalObjectReference?

  public init(
    endpoint: String? = nil, bucket: String = "", prefix: String? = nil, region: String? = nil,
    credentialsSecretRef: LocalObjectReference? = nil
  ) {
    self.endpoint = endpoint
    self.bucket = bucket
    self.prefix = prefix
    self.region = region
    self.credentialsSecretRef = credentialsSecretRef
  }
}

/// The observed state of a ``TracerJob``, written by the operator through `/status`.
public struct TracerJobStatus: Codable, Sendable, Equatable {
  public var phase: TracerJobPhase?
  /// Attempts started so far.
  public var attempts: Int32?
  /// Exit code of the last finished attempt.
  public var exitCode: Int32?
  /// e.g. `Completed`, `DeadlineExceeded`, `BackoffLimitExceeded`, `PodFailurePolicy`.
  public var reason: String?
  /// On failure, the tail of the log.
  public var message: String?
  public var startTime: Time?
  public var completionTime: Time?
  /// Go duration from start to completion, e.g. `1m32s`.
  public var duration: String?
  /// Pod of the current or last attempt.
  public var podName: String?
  public var attemptStatuses: [AttemptStatus]?
  public var artifacts: [ArtifactRecord]?
  public var conditions: [Condition]?
  public var observedGeneration: Int64?

  public init(
    phase: TracerJobPhase? = nil, attempts: Int32? = nil, exitCode: Int32? = nil,
    reason: String? = nil,
    message: String? = nil, startTime: Time? = nil, completionTime: Time? = nil,
    duration: String? = nil,
    podName: String? = nil, attemptStatuses: [AttemptStatus]? = nil,
    artifacts: [ArtifactRecord]? = nil,
    conditions: [Condition]? = nil, observedGeneration: Int64? = nil
  ) {
    self.phase = phase
    self.attempts = attempts
    self.exitCode = exitCode
    self.reason = reason
    self.message = message
    self.startTime = startTime
    self.completionTime = completionTime
    self.duration = duration
    self.podName = podName
    self.attemptStatuses = attemptStatuses
    self.artifacts = artifacts
    self.conditions = conditions
    self.observedGeneration = observedGeneration
  }
}

/// One attempt (one pod).
public struct AttemptStatus: Codable, Sendable, Equatable {
  /// 1-based.
  public var attempt: Int32
  public var podName: String?
  /// Node the attempt's pod ran on.
  public var nodeName: String?
  public var exitCode: Int32?
  public var reason: String?
  /// What the pod failure policy made of this attempt.
  public var action: FailureAction?
  public var startTime: Time?
  public var completionTime: Time?

  public init(
    attempt: Int32 = 0, podName: String? = nil, nodeName: String? = nil, exitCode: Int32? = nil,
    reason: String? = nil, action: FailureAction? = nil, startTime: Time? = nil,
    completionTime: Time? = nil
  ) {
    self.attempt = attempt
    self.podName = podName
    self.nodeName = nodeName
    self.exitCode = exitCode
    self.reason = reason
    self.action = action
    self.startTime = startTime
    self.completionTime = completionTime
  }
}

/// One collected file.
public struct ArtifactRecord: Codable, Sendable, Equatable {
  public var path: String
  /// Bytes.
  public var size: Int64
  /// Hex digest.
  public var sha256: String
  /// Where it was copied (`s3://…`, `pvc://claim/path`, `workspace:path`).
  public var location: String?

  public init(path: String = "", size: Int64 = 0, sha256: String = "", location: String? = nil) {
    self.path = path
    self.size = size
    self.sha256 = sha256
    self.location = location
  }
}
