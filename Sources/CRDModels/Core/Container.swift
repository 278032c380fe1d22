// core/v1 Container and the types it is built from.

/// `core/v1.Container`: one container of a pod.
public struct Container: Codable, Sendable, Equatable {
  /// DNS-1123 label, unique in the pod.
  public var name: String
  public var image: String?
  /// `Always`, `IfNotPresent` or `Never`.
  public var imagePullPolicy: String?
  /// Replaces the image's ENTRYPOINT.
  public var command: [String]?
  /// Replaces the image's CMD.
  public var args: [String]?
  public var workingDir: String?
  public var ports: [ContainerPort]?
  public var env: [EnvVar]?
  public var envFrom: [EnvFromSource]?
  public var resources: ResourceRequirements?
  public var volumeMounts: [VolumeMount]?
  public var livenessProbe: Probe?
  public var readinessProbe: Probe?
  public var startupProbe: Probe?
  public var securityContext: SecurityContext?
  public var stdin: Bool?
  public var tty: Bool?
  public var terminationMessagePath: String?
  /// `File` or `FallbackToLogsOnError`.
  public var terminationMessagePolicy: String?
  /// `Always` for native sidecars in initContainers.
  public var restartPolicy: String?

  public init(
    name: String, image: String? = nil, imagePullPolicy: String? = nil, command: [String]? = nil,
    args: [String]? = nil, workingDir: String? = nil, ports: [ContainerPort]? = nil,
    env: [EnvVar]? = nil,
    envFrom: [EnvFromSource]? = nil, resources: ResourceRequirements? = nil,
    volumeMounts: [VolumeMount]? = nil, livenessProbe: Probe? = nil, readinessProbe: Probe? = nil,
    startupProbe: Probe? = nil, securityContext: SecurityContext? = nil, stdin: Bool? = nil,
    tty: Bool? = nil, terminationMessagePath: String? = nil,
    terminationMessagePolicy: String? = nil,
    restartPolicy: String? = nil
  ) {
    self.name = name
    self.image = image
    self.imagePullPolicy = imagePullPolicy
    self.command = command
    self.args = args
    self.workingDir = workingDir
    self.ports = ports
    self.env = env
    self.envFrom = envFrom
    self.resources = resources
    self.volumeMounts = volumeMounts
    self.livenessProbe = livenessProbe
    self.readinessProbe = readinessProbe
    self.startupProbe = startupProbe
    self.securityContext = securityContext
    self.stdin = stdin
    self.tty = tty
    self.terminationMessagePath = terminationMessagePath
    self.terminationMessagePolicy = terminationMessagePolicy
    self.restartPolicy = restartPolicy
  }
}

/// `core/v1.ContainerPort`.
public struct ContainerPort: Codable, Sendable, Equatable {
  public var name: String?
  public var containerPort: Int32
  /// `TCP` (default), `UDP` or `SCTP`.
  public var `protocol`: String?
  public var hostPort: Int32?

  public init(
    name: String? = nil, containerPort: Int32, `protocol`: String? = nil, hostPort: Int32? = nil
  ) {
    self.name = name
    self.containerPort = containerPort
    self.`protocol` = `protocol`
    self.hostPort = hostPort
  }
}

/// `core/v1.EnvVar`: a literal `value` or a `valueFrom` reference.
public struct EnvVar: Codable, Sendable, Equatable {
  public var name: String
  public var value: String?
  public var valueFrom: EnvVarSource?

  public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
    self.name = name
    self.value = value
    self.valueFrom = valueFrom
  }
}

/// `core/v1.EnvVarSource`: exactly one of the references.
public struct EnvVarSource: Codable, Sendable, Equatable {
  public var secretKeyRef: SecretKeySelector?
  public var configMapKeyRef: ConfigMapKeySelector?
  public var fieldRef: ObjectFieldSelector?
  public var resourceFieldRef: ResourceFieldSelector?

  public init(
    secretKeyRef: SecretKeySelector? = nil, configMapKeyRef: ConfigMapKeySelector? = nil,
    fieldRef: ObjectFieldSelector? = nil, resourceFieldRef: ResourceFieldSelector? = nil
  ) {
    self.secretKeyRef = secretKeyRef
    self.configMapKeyRef = configMapKeyRef
    self.fieldRef = fieldRef
    self.resourceFieldRef = resourceFieldRef
  }
}

/// `core/v1.SecretKeySelector`: one key of a Secret in the pod's namespace.
public struct SecretKeySelector: Codable, Sendable, Equatable {
  public var name: String?
  public var key: String
  public var optional: Bool?

  public init(name: String? = nil, key: String, optional: Bool? = nil) {
    self.name = name
    self.key = key
    self.optional = optional
  }
}

/// `core/v1.ConfigMapKeySelector`: one key of a ConfigMap in the pod's namespace.
public struct ConfigMapKeySelector: Codable, Sendable, Equatable {
  public var name: String?
  public var key: String
  public var optional: Bool?

  public init(name: String? = nil, key: String, optional: Bool? = nil) {
    self.name = name
    self.key = key
    self.optional = optional
  }
}

/// `core/v1.ObjectFieldSelector`, e.g. `metadata.name` or `status.podIP`.
public struct ObjectFieldSelector: Codable, Sendable, Equatable {
  public var apiVersion: String?
  public var fieldPath: String

  public init(apiVersion: String? = nil, fieldPath: String) {
    self.apiVersion = apiVersion
    self.fieldPath = fieldPath
  }
}

/// `core/v1.ResourceFieldSelector`, e.g. `limits.memory`.
public struct ResourceFieldSelector: Codable, Sendable, Equatable {
  public var containerName: String?
  public var resource: String
  public var divisor: Quantity?

  public init(containerName: String? = nil, resource: String, divisor: Quantity? = nil) {
    self.containerName = containerName
    self.resource = resource
    self.divisor = divisor
  }
}

/// `core/v1.EnvFromSource`: every key of a Secret or ConfigMap as environment variables.
public struct EnvFromSource: Codable, Sendable, Equatable {
  public var prefix: String?
  public var configMapRef: ConfigMapEnvSource?
  public var secretRef: SecretEnvSource?

  public init(
    prefix: String? = nil, configMapRef: ConfigMapEnvSource? = nil,
    secretRef: SecretEnvSource? = nil
  ) {
    self.prefix = prefix
    self.configMapRef = configMapRef
    self.secretRef = secretRef
  }
}

/// `core/v1.ConfigMapEnvSource`.
public struct ConfigMapEnvSource: Codable, Sendable, Equatable {
  public var name: String?
  public var optional: Bool?

  public init(name: String? = nil, optional: Bool? = nil) {
    self.name = name
    self.optional = optional
  }
}

/// `core/v1.SecretEnvSource`.
public struct SecretEnvSource: Codable, Sendable, Equatable {
  public var name: String?
  public var optional: Bool?

  public init(name: String? = nil, optional: Bool? = nil) {
    self.name = name
    self.optional = optional
  }
}

/// `core/v1.VolumeMount`.
public struct VolumeMount: Codable, Sendable, Equatable {
  public var name: String
  public var mountPath: String
  public var subPath: String?
  public var readOnly: Bool?

  public init(name: String, mountPath: String, subPath: String? = nil, readOnly: Bool? = nil) {
    self.name = name
    self.mountPath = mountPath
    self.subPath = subPath
    self.readOnly = readOnly
  }
}

/// `core/v1.ResourceRequirements`: keys are resource names (`cpu`, `memory`,
/// `nvidia.com/gpu`, `ephemeral-storage`).
public struct ResourceRequirements: Codable, Sendable, Equatable {
  public var limits: [String: Quantity]?
  public var requests: [String: Quantity]?

  public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
    self.limits = limits
    self.requests = requests
  }
}

/// `core/v1.Probe`: exactly one handler, plus timings (seconds).
public struct Probe: Codable, Sendable, Equatable {
  public var exec: ExecAction?
  public var httpGet: HTTPGetAction?
  public var tcpSocket: TCPSocketAction?
  public var initialDelaySeconds: Int32?
  /// Default 1.
  public var timeoutSeconds: Int32?
  /// Default 10.
  public var periodSeconds: Int32?
  public var successThreshold: Int32?
  /// Default 3.
  public var failureThreshold: Int32?
  public var terminationGracePeriodSeconds: Int64?

  public init(
    exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
    initialDelaySeconds: Int32? = nil, timeoutSeconds: Int32? = nil, periodSeconds: Int32? = nil,
    successThreshold: Int32? = nil, failureThreshold: Int32? = nil,
    terminationGracePeriodSeconds: Int64? = nil
  ) {
    self.exec = exec
    self.httpGet = httpGet
    self.tcpSocket = tcpSocket
    self.initialDelaySeconds = initialDelaySeconds
    self.timeoutSeconds = timeoutSeconds
    self.periodSeconds = periodSeconds
    self.successThreshold = successThreshold
    self.failureThreshold = failureThreshold
    self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
  }
}

/// `core/v1.ExecAction`: a command run in the container; exit 0 is success.
public struct ExecAction: Codable, Sendable, Equatable {
  public var command: [String]?

  public init(command: [String]? = nil) {
    self.command = command
  }
}

/// `core/v1.HTTPGetAction`.
public struct HTTPGetAction: Codable, Sendable, Equatable {
  public var path: String?
  public var port: IntOrString
  public var host: String?
  /// `HTTP` or `HTTPS`.
  public var scheme: String?
  public var httpHeaders: [HTTPHeader]?

  public init(
    path: String? = nil, port: IntOrString, host: String? = nil, scheme: String? = nil,
    httpHeaders: [HTTPHeader]? = nil
  ) {
    self.path = path
    self.port = port
    self.host = host
    self.scheme = scheme
    self.httpHeaders = httpHeaders
  }
}

/// `core/v1.HTTPHeader`.
public struct HTTPHeader: Codable, Sendable, Equatable {
  public var name: String
  public var value: String

  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}

/// `core/v1.TCPSocketAction`.
public struct TCPSocketAction: Codable, Sendable, Equatable {
  public var port: IntOrString
  public var host: String?

  public init(port: IntOrString, host: String? = nil) {
    self.port = port
    self.host = host
  }
}

/// `core/v1.SecurityContext`: per-container security settings.
public struct SecurityContext: Codable, Sendable, Equatable {
  public var runAsUser: Int64?
  public var runAsGroup: Int64?
  public var runAsNonRoot: Bool?
  public var privileged: Bool?
  public var allowPrivilegeEscalation: Bool?
  public var readOnlyRootFilesystem: Bool?
  public var capabilities: Capabilities?
  public var seccompProfile: SeccompProfile?

  public init(
    runAsUser: Int64? = nil, runAsGroup: Int64? = nil, runAsNonRoot: Bool? = nil,
    privileged: Bool? = nil,
    allowPrivilegeEscalation: Bool? = nil, readOnlyRootFilesystem: Bool? = nil,
    capabilities: Capabilities? = nil, seccompProfile: SeccompProfile? = nil
  ) {
    self.runAsUser = runAsUser
    self.runAsGroup = runAsGroup
    self.runAsNonRoot = runAsNonRoot
    self.privileged = privileged
    self.allowPrivilegeEscalation = allowPrivilegeEscalation
    self.readOnlyRootFilesystem = readOnlyRootFilesystem
    self.capabilities = capabilities
    self.seccompProfile = seccompProfile
  }
}

/// `core/v1.Capabilities`, e.g. `drop: ["ALL"]`.
public struct Capabilities: Codable, Sendable, Equatable {
  public var add: [String]?
  public var drop: [String]?

  public init(add: [String]? = nil, drop: [String]? = nil) {
    self.add = add
    self.drop = drop
  }
}

/// `core/v1.SeccompProfile`: `RuntimeDefault`, `Localhost` (with `localhostProfile`) or `Unconfined`.
public struct SeccompProfile: Codable, Sendable, Equatable {
  public var type: String
  public var localhostProfile: String?

  public init(type: String, localhostProfile: String? = nil) {
    self.type = type
    self.localhostProfile = localhostProfile
  }
}
