// core/v1 PodSpec, PodStatus and Volume types.

/// `core/v1.PodSpec`, the subset gra writes and reads.
public struct PodSpec: Codable, Sendable, Equatable {
  public var containers: [Container]
  public var initContainers: [Container]?
  public var volumes: [Volume]?
  /// `Always`, `OnFailure` or `Never`.
  public var restartPolicy: String?
  public var terminationGracePeriodSeconds: Int64?
  public var activeDeadlineSeconds: Int64?
  public var nodeSelector: [String: String]?
  public var nodeName: String?
  public var serviceAccountName: String?
  public var automountServiceAccountToken: Bool?
  public var securityContext: PodSecurityContext?
  public var imagePullSecrets: [LocalObjectReference]?
  public var hostname: String?
  public var subdomain: String?
  /// `core/v1.Affinity`, carried as given (gra does not inspect it).
  public var affinity: JSONValue?
  public var tolerations: [Toleration]?
  public var runtimeClassName: String?
  public var priorityClassName: String?
  public var schedulerName: String?
  public var enableServiceLinks: Bool?
  public var shareProcessNamespace: Bool?

  public init(
    containers: [Container] = [], initContainers: [Container]? = nil, volumes: [Volume]? = nil,
    restartPolicy: String? = nil, terminationGracePeriodSeconds: Int64? = nil,
    activeDeadlineSeconds: Int64? = nil, nodeSelector: [String: String]? = nil,
    nodeName: String? = nil,
    serviceAccountName: String? = nil, automountServiceAccountToken: Bool? = nil,
    securityContext: PodSecurityContext? = nil, imagePullSecrets: [LocalObjectReference]? = nil,
    hostname: String? = nil, subdomain: String? = nil, affinity: JSONValue? = nil,
    tolerations: [Toleration]? = nil, runtimeClassName: String? = nil,
    priorityClassName: String? = nil,
    schedulerName: String? = nil, enableServiceLinks: Bool? = nil,
    shareProcessNamespace: Bool? = nil
  ) {
    self.containers = containers
    self.initContainers = initContainers
    self.volumes = volumes
    self.restartPolicy = restartPolicy
    self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    self.activeDeadlineSeconds = activeDeadlineSeconds
    self.nodeSelector = nodeSelector
    self.nodeName = nodeName
    self.serviceAccountName = serviceAccountName
    self.automountServiceAccountToken = automountServiceAccountToken
    self.securityContext = securityContext
    self.imagePullSecrets = imagePullSecrets
    self.hostname = hostname
    self.subdomain = subdomain
    self.affinity = affinity
    self.tolerations = tolerations
    self.runtimeClassName = runtimeClassName
    self.priorityClassName = priorityClassName
    self.schedulerName = schedulerName
    self.enableServiceLinks = enableServiceLinks
    self.shareProcessNamespace = shareProcessNamespace
  }
}

/// `core/v1.PodSecurityContext`: settings for every container of the pod.
public struct PodSecurityContext: Codable, Sendable, Equatable {
  public var runAsUser: Int64?
  public var runAsGroup: Int64?
  public var runAsNonRoot: Bool?
  public var fsGroup: Int64?
  /// `OnRootMismatch` or `Always`.
  public var fsGroupChangePolicy: String?
  public var supplementalGroups: [Int64]?
  public var seccompProfile: SeccompProfile?

  public init(
    runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
    fsGroup: Int64? = nil,
    fsGroupChangePolicy: String? = nil, supplementalGroups: [Int64]? = nil,
    seccompProfile: SeccompProfile? = nil
  ) {
    self.runAsUser = runAsUser
    self.runAsGroup = runAsGroup
    self.runAsNonRoot = runAsNonRoot
    self.fsGroup = fsGroup
    self.fsGroupChangePolicy = fsGroupChangePolicy
    self.supplementalGroups = supplementalGroups
    self.seccompProfile = seccompProfile
  }
}

/// `core/v1.LocalObjectReference`: a name in the same namespace.
public struct LocalObjectReference: Codable, Sendable, Equatable {
  public var name: String?

  public init(name: String? = nil) {
    self.name = name
  }
}

/// `core/v1.Toleration`.
public struct Toleration: Codable, Sendable, Equatable {
  public var key: String?
  /// `Exists` or `Equal` (default).
  public var `operator`: String?
  public var value: String?
  /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
  public var effect: String?
  public var tolerationSeconds: Int64?

  public init(
    key: String? = nil, `operator`: String? = nil, value: String? = nil, effect: String? = nil,
    tolerationSeconds: Int64? = nil
  ) {
    self.key = key
    self.`operator` = `operator`
    self.value = value
    self.effect = effect
    self.tolerationSeconds = tolerationSeconds
  }
}

/// `core/v1.PodStatus`.
public struct PodStatus: Codable, Sendable, Equatable {
  /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
  public var phase: String?
  public var conditions: [PodCondition]?
  public var message: String?
  /// e.g. `Evicted`.
  public var reason: String?
  public var hostIP: String?
  public var podIP: String?
  public var podIPs: [PodIP]?
  public var startTime: Time?
  public var initContainerStatuses: [ContainerStatus]?
  public var containerStatuses: [ContainerStatus]?
  public var qosClass: String?

  public init(
    phase: String? = nil, conditions: [PodCondition]? = nil, message: String? = nil,
    reason: String? = nil,
    hostIP: String? = nil, podIP: String? = nil, podIPs: [PodIP]? = nil, startTime: Time? = nil,
    initContainerStatuses: [ContainerStatus]? = nil, containerStatuses: [ContainerStatus]? = nil,
    qosClass: String? = nil
  ) {
    self.phase = phase
    self.conditions = conditions
    self.message = message
    self.reason = reason
    self.hostIP = hostIP
    self.podIP = podIP
    self.podIPs = podIPs
    self.startTime = startTime
    self.initContainerStatuses = initContainerStatuses
    self.containerStatuses = containerStatuses
    self.qosClass = qosClass
  }
}

/// `core/v1.PodIP`.
public struct PodIP: Codable, Sendable, Equatable {
  public var ip: String?

  public init(ip: String? = nil) {
    self.ip = ip
  }
}

/// `core/v1.PodCondition` (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, …).
public struct PodCondition: Codable, Sendable, Equatable {
  public var type: String
  /// `True`, `False` or `Unknown`.
  public var status: String
  public var lastProbeTime: Time?
  public var lastTransitionTime: Time?
  public var reason: String?
  public var message: String?

  public init(
    type: String, status: String, lastProbeTime: Time? = nil, lastTransitionTime: Time? = nil,
    reason: String? = nil, message: String? = nil
  ) {
    self.type = type
    self.status = status
    self.lastProbeTime = lastProbeTime
    self.lastTransitionTime = lastTransitionTime
    self.reason = reason
    self.message = message
  }
}

/// `core/v1.ContainerStatus`.
public struct ContainerStatus: Codable, Sendable, Equatable {
  public var name: String
  public var state: ContainerState?
  public var lastState: ContainerState?
  public var ready: Bool
  public var restartCount: Int32
  public var image: String?
  public var imageID: String?
  public var containerID: String?
  public var started: Bool?

  public init(
    name: String, state: ContainerState? = nil, lastState: ContainerState? = nil,
    ready: Bool = false,
    restartCount: Int32 = 0, image: String? = nil, imageID: String? = nil,
    containerID: String? = nil,
    started: Bool? = nil
  ) {
    self.name = name
    self.state = state
    self.lastState = lastState
    self.ready = ready
    self.restartCount = restartCount
    self.image = image
    self.imageID = imageID
    self.containerID = containerID
    self.started = started
  }
}

/// `core/v1.ContainerState`: at most one of the three is set.
public struct ContainerState: Codable, Sendable, Equatable {
  public var waiting: ContainerStateWaiting?
  public var running: ContainerStateRunning?
  public var terminated: ContainerStateTerminated?

  public init(
    waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
    terminated: ContainerStateTerminated? = nil
  ) {
    self.waiting = waiting
    self.running = running
    self.terminated = terminated
  }
}

/// `core/v1.ContainerStateWaiting`, e.g. reason `ImagePullBackOff` or `CrashLoopBackOff`.
public struct ContainerStateWaiting: Codable, Sendable, Equatable {
  public var reason: String?
  public var message: String?

  public init(reason: String? = nil, message: String? = nil) {
    self.reason = reason
    self.message = message
  }
}

/// `core/v1.ContainerStateRunning`.
public struct ContainerStateRunning: Codable, Sendable, Equatable {
  public var startedAt: Time?

  public init(startedAt: Time? = nil) {
    self.startedAt = startedAt
  }
}

/// `core/v1.ContainerStateTerminated`.
public struct ContainerStateTerminated: Codable, Sendable, Equatable {
  public var exitCode: Int32
  public var signal: Int32?
  /// e.g. `Completed`, `Error`, `OOMKilled`.
  public var reason: String?
  public var message: String?
  public var startedAt: Time?
  public var finishedAt: Time?
  public var containerID: String?

  public init(
    exitCode: Int32 = 0, signal: Int32? = nil, reason: String? = nil, message: String? = nil,
    startedAt: Time? = nil, finishedAt: Time? = nil, containerID: String? = nil
  ) {
    self.exitCode = exitCode
    self.signal = signal
    self.reason = reason
    self.message = message
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.containerID = containerID
  }
}

/// `core/v1.Volume`: a name and exactly one source.
public struct Volume: Codable, Sendable, Equatable {
  public var name: String
  public var emptyDir: EmptyDirVolumeSource?
  public var persistentVolumeClaim: PersistentVolumeClaimVolumeSource?
  public var secret: SecretVolumeSource?
  public var configMap: ConfigMapVolumeSource?
  public var projected: ProjectedVolumeSource?

  public init(
    name: String, emptyDir: EmptyDirVolumeSource? = nil,
    persistentVolumeClaim: PersistentVolumeClaimVolumeSource? = nil,
    secret: SecretVolumeSource? = nil,
    configMap: ConfigMapVolumeSource? = nil, projected: ProjectedVolumeSource? = nil
  ) {
    self.name = name
    self.emptyDir = emptyDir
    self.persistentVolumeClaim = persistentVolumeClaim
    self.secret = secret
    self.configMap = configMap
    self.projected = projected
  }
}

/// `core/v1.EmptyDirVolumeSource`.
public struct EmptyDirVolumeSource: Codable, Sendable, Equatable {
  /// `""` (node disk) or `Memory`.
  public var medium: String?
  public var sizeLimit: Quantity?

  public init(medium: String? = nil, sizeLimit: Quantity? = nil) {
    self.medium = medium
    self.sizeLimit = sizeLimit
  }
}

/// `core/v1.PersistentVolumeClaimVolumeSource`.
public struct PersistentVolumeClaimVolumeSource: Codable, Sendable, Equatable {
  public var claimName: String
  public var readOnly: Bool?

  public init(claimName: String, readOnly: Bool? = nil) {
    self.claimName = claimName
    self.readOnly = readOnly
  }
}

/// `core/v1.SecretVolumeSource`.
public struct SecretVolumeSource: Codable, Sendable, Equatable {
  public var secretName: String?
  public var items: [KeyToPath]?
  /// File mode bits, e.g. `0o400` (JSON carries it in decimal).
  public var defaultMode: Int32?
  public var optional: Bool?

  public init(
    secretName: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil,
    optional: Bool? = nil
  ) {
    self.secretName = secretName
    self.items = items
    self.defaultMode = defaultMode
    self.optional = optional
  }
}

/// `core/v1.ConfigMapVolumeSource`.
public struct ConfigMapVolumeSource: Codable, Sendable, Equatable {
  public var name: String?
  public var items: [KeyToPath]?
  public var defaultMode: Int32?
  public var optional: Bool?

  public init(
    name: String? = nil, items: [KeyToPath]? = nil, defaultMode: Int32? = nil, optional: Bool? = nil
  ) {
    self.name = name
    self.items = items
    self.defaultMode = defaultMode
    self.optional = optional
  }
}

/// `core/v1.KeyToPath`.
public struct KeyToPath: Codable, Sendable, Equatable {
  public var key: String
  public var path: String
  public var mode: Int32?

  public init(key: String, path: String, mode: Int32? = nil) {
    self.key = key
    self.path = path
    self.mode = mode
  }
}

/// `core/v1.ProjectedVolumeSource`.
public struct ProjectedVolumeSource: Codable, Sendable, Equatable {
  public var sources: [VolumeProjection]?
  public var defaultMode: Int32?

  public init(sources: [VolumeProjection]? = nil, defaultMode: Int32? = nil) {
    self.sources = sources
    self.defaultMode = defaultMode
  }
}

/// `core/v1.VolumeProjection`: one of the sources.
public struct VolumeProjection: Codable, Sendable, Equatable {
  public var secret: SecretProjection?
  public var configMap: ConfigMapProjection?
  public var serviceAccountToken: ServiceAccountTokenProjection?

  public init(
    secret: SecretProjection? = nil, configMap: ConfigMapProjection? = nil,
    serviceAccountToken: ServiceAccountTokenProjection? = nil
  ) {
    self.secret = secret
    self.configMap = configMap
    self.serviceAccountToken = serviceAccountToken
  }
}

/// `core/v1.SecretProjection`.
public struct SecretProjection: Codable, Sendable, Equatable {
  public var name: String?
  public var items: [KeyToPath]?
  public var optional: Bool?

  public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
    self.name = name
    self.items = items
    self.optional = optional
  }
}

/// `core/v1.ConfigMapProjection`.
public struct ConfigMapProjection: Codable, Sendable, Equatable {
  public var name: String?
  public var items: [KeyToPath]?
  public var optional: Bool?

  public init(name: String? = nil, items: [KeyToPath]? = nil, optional: Bool? = nil) {
    self.name = name
    self.items = items
    self.optional = optional
  }
}

/// `core/v1.ServiceAccountTokenProjection`.
public struct ServiceAccountTokenProjection: Codable, Sendable, Equatable {
  public var audience: String?
  public var expirationSeconds: Int64?
  public var path: String

  public init(audience: String? = nil, expirationSeconds: Int64? = nil, path: String) {
    self.audience = audience
    self.expirationSeconds = expirationSeconds
    self.path = path
  }
}
