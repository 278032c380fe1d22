// Runner spec and status.

/// The desired state of a ``Runner``.
public struct RunnerSpec: Codable, Sendable, Equatable {
  /// Runner image; default the operator's `--runner-image` (``GraDefaults/runnerImage`` unless set).
  public var image: String?
  /// `Always`, `IfNotPresent` or `Never`; Kubernetes' default when unset.
  public var imagePullPolicy: PullPolicy?
  /// CPU, memory and `nvidia.com/gpu` requests and limits.
  public var resources: ResourceRequirements?
  public var env: [EnvVar]?
  public var envFrom: [EnvFromSource]?
  public var workspace: WorkspaceSpec?
  public var ssh: SSHSpec?
  public var s3: S3Spec?
  /// True deletes the pod and keeps the workspace; false brings it back.
  public var suspend: Bool?
  /// Go duration (`30m`, `1h30m`): suspend after this long without exec or ssh activity.
  public var idleTimeout: String?
  /// Go duration: suspend this long after the pod started, whatever the activity.
  public var maxLifetime: String?
  public var network: NetworkSpec?
  public var exec: ExecLimits?
  public var nodeSelector: [String: String]?
  public var tolerations: [Toleration]?
  /// A `core/v1.Affinity`, passed to the pod unchanged.
  public var affinity: JSONValue?
  /// e.g. `nvidia` or `gvisor`.
  public var runtimeClassName: String?
  public var serviceAccountName: String?
  /// Default false: the runner's code gets no Kubernetes credentials.
  public var automountServiceAccountToken: Bool?

  public init(
    image: String? = nil, imagePullPolicy: PullPolicy? = nil,
    resources: ResourceRequirements? = nil,
    env: [EnvVar]? = nil, envFrom: [EnvFromSource]? = nil, workspace: WorkspaceSpec? = nil,
    ssh: SSHSpec? = nil, s3: S3Spec? = nil, suspend: Bool? = nil, idleTimeout: String? = nil,
    maxLifetime: String? = nil, network: NetworkSpec? = nil, exec: ExecLimits? = nil,
    nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil,
    affinity: JSONValue? = nil,
    runtimeClassName: String? = nil, serviceAccountName: String? = nil,
    automountServiceAccountToken: Bool? = nil
  ) {
    self.image = image
    self.imagePullPolicy = imagePullPolicy
    self.resources = resources
    self.env = env
    self.envFrom = envFrom
    self.workspace = workspace
    self.ssh = ssh
    self.s3 = s3
    self.suspend = suspend
    self.idleTimeout = idleTimeout
    self.maxLifetime = maxLifetime
    self.network = network
    self.exec = exec
    self.nodeSelector = nodeSelector
    self.tolerations = tolerations
    self.affinity = affinity
    self.runtimeClassName = runtimeClassName
    self.serviceAccountName = serviceAccountName
    self.automountServiceAccountToken = automountServiceAccountToken
  }
}

/// The persistent volume mounted at `mountPath`: a claim gra creates (`size`) or an existing one.
public struct WorkspaceSpec: Codable, Sendable, Equatable {
  /// Size of the claim gra creates; default 10Gi. Not with `existingClaim`.
  public var size: Quantity?
  /// Storage class of the claim gra creates; the cluster default when unset.
  public var storageClassName: String?
  /// Use this PersistentVolumeClaim instead of creating one. Not with `size`.
  public var existingClaim: String?
  /// Where the workspace is mounted; default `/workspace`.
  public var mountPath: String?
  /// `Delete` (default) removes the claim gra created with the Runner; `Retain` keeps it.
  public var reclaimPolicy: ReclaimPolicy?

  public init(
    size: Quantity? = nil, storageClassName: String? = nil, existingClaim: String? = nil,
    mountPath: String? = nil, reclaimPolicy: ReclaimPolicy? = nil
  ) {
    self.size = size
    self.storageClassName = storageClassName
    self.existingClaim = existingClaim
    self.mountPath = mountPath
    self.reclaimPolicy = reclaimPolicy
  }
}

/// sshd in the runner, keys only.
public struct SSHSpec: Codable, Sendable, Equatable {
  /// Default false.
  public var enabled: Bool?
  /// Public keys (`ssh-ed25519 AAAA… user@host`).
  public var authorizedKeys: [String]?
  /// A Secret key holding an authorized_keys file.
  public var authorizedKeysSecretRef: SecretKeyReference?
  /// How the ssh Service is exposed; default `ClusterIP`.
  public var serviceType: ServiceType?
  /// Port sshd listens on in the pod and the Service exposes; default 2222.
  public var port: Int32?

  public init(
    enabled: Bool? = nil, authorizedKeys: [String]? = nil,
    authorizedKeysSecretRef: SecretKeyReference? = nil,
    serviceType: ServiceType? = nil, port: Int32? = nil
  ) {
    self.enabled = enabled
    self.authorizedKeys = authorizedKeys
    self.authorizedKeysSecretRef = authorizedKeysSecretRef
    self.serviceType = serviceType
    self.port = port
  }
}

/// S3 (or compatible) storage made available to the runner through environment variables.
public struct S3Spec: Codable, Sendable, Equatable {
  /// e.g. `https://s3.eu-west-1.amazonaws.com` or a MinIO URL; AWS when unset.
  public var endpoint: String?
  public var bucket: String
  public var region: String?
  /// A Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
  public var credentialsSecretRef: LocalObjectReference?

  public init(
    endpoint: String? = nil, bucket: String, region: String? = nil,
    credentialsSecretRef: LocalObjectReference? = nil
  ) {
    self.endpoint = endpoint
    self.bucket = bucket
    self.region = region
    self.credentialsSecretRef = credentialsSecretRef
  }
}

/// Network policy for the runner pod.
public struct NetworkSpec: Codable, Sendable, Equatable {
  /// `Deny`, `Public` (default: internet but not cluster-internal ranges or cloud metadata) or `Allow`.
  public var egress: EgressPolicy?

  public init(egress: EgressPolicy? = nil) {
    self.egress = egress
  }
}

/// Limits of the exec bridge (`runners/exec`) for this runner.
public struct ExecLimits: Codable, Sendable, Equatable {
  /// Concurrent exec sessions; default 4.
  public var maxConcurrent: Int32?
  /// Timeout of an exec that sets none; default 300.
  public var defaultTimeoutSeconds: Int64?
  /// stdout+stderr bytes kept per exec; default 10 MiB.
  public var outputLimitBytes: Int64?

  public init(
    maxConcurrent: Int32? = nil, defaultTimeoutSeconds: Int64? = nil, outputLimitBytes: Int64? = nil
  ) {
    self.maxConcurrent = maxConcurrent
    self.defaultTimeoutSeconds = defaultTimeoutSeconds
    self.outputLimitBytes = outputLimitBytes
  }
}

/// The observed state of a ``Runner``, written by the operator through `/status`.
public struct RunnerStatus: Codable, Sendable, Equatable {
  public var phase: RunnerPhase?
  /// Why the runner is in this phase, for humans.
  public var message: String?
  public var podName: String?
  public var podIP: String?
  public var nodeName: String?
  public var ssh: SSHEndpoint?
  /// Name of the PersistentVolumeClaim mounted as the workspace.
  public var workspaceClaim: String?
  /// Last exec or ssh activity (drives `idleTimeout`).
  public var lastActivityTime: Time?
  /// When the current pod started (drives `maxLifetime`).
  public var startTime: Time?
  /// Container restarts of the current pod.
  public var restartCount: Int32?
  public var conditions: [Condition]?
  public var observedGeneration: Int64?

  public init(
    phase: RunnerPhase? = nil, message: String? = nil, podName: String? = nil, podIP: String? = nil,
    nodeName: String? = nil, ssh: SSHEndpoint? = nil, workspaceClaim: String? = nil,
    lastActivityTime: Time? = nil, startTime: Time? = nil, restartCount: Int32? = nil,
    conditions: [Condition]? = nil, observedGeneration: Int64? = nil
  ) {
    self.phase = phase
    self.message = message
    self.podName = podName
    self.podIP = podIP
    self.nodeName = nodeName
    self.ssh = ssh
    self.workspaceClaim = workspaceClaim
    self.lastActivityTime = lastActivityTime
    self.startTime = startTime
    self.restartCount = restartCount
    self.conditions = conditions
    self.observedGeneration = observedGeneration
  }
}

/// Where to reach sshd.
public struct SSHEndpoint: Codable, Sendable, Equatable {
  /// Service DNS name or load balancer address.
  public var host: String?
  public var port: Int32?
  public var serviceName: String?
  /// e.g. `ssh -p 2222 runner@demo-ssh.default.svc`.
  public var command: String?

  public init(
    host: String? = nil, port: Int32? = nil, serviceName: String? = nil, command: String? = nil
  ) {
    self.host = host
    self.port = port
    self.serviceName = serviceName
    self.command = command
  }
}

/// A key of a Secret in the Runner's namespace.
public struct SecretKeyReference: Codable, Sendable, Equatable {
  public var name: String
  /// Default `authorized_keys`.
  public var key: String?

  public init(name: String, key: String? = nil) {
    self.name = name
    self.key = key
  }
}
