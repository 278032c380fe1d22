// Specs and statuses of the other Kubernetes kinds gra reads and writes.

/// `core/v1.PersistentVolumeClaimSpec`.
public struct PersistentVolumeClaimSpec: Codable, Sendable, Equatable {
  /// `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`.
  public var accessModes: [String]?
  public var resources: VolumeResourceRequirements?
  public var storageClassName: String?
  public var volumeMode: String?
  public var volumeName: String?
  public var selector: LabelSelector?

  public init(
    accessModes: [String]? = nil, resources: VolumeResourceRequirements? = nil,
    storageClassName: String? = nil, volumeMode: String? = nil, volumeName: String? = nil,
    selector: LabelSelector? = nil
  ) {
    self.accessModes = accessModes
    self.resources = resources
    self.storageClassName = storageClassName
    self.volumeMode = volumeMode
    self.volumeName = volumeName
    self.selector = selector
  }
}

/// `core/v1.VolumeResourceRequirements`: `requests.storage` is the claim's size.
public struct VolumeResourceRequirements: Codable, Sendable, Equatable {
  public var limits: [String: Quantity]?
  public var requests: [String: Quantity]?

  public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
    self.limits = limits
    self.requests = requests
  }
}

/// `core/v1.PersistentVolumeClaimStatus`.
public struct PersistentVolumeClaimStatus: Codable, Sendable, Equatable {
  /// `Pending`, `Bound` or `Lost`.
  public var phase: String?
  public var accessModes: [String]?
  public var capacity: [String: Quantity]?

  public init(
    phase: String? = nil, accessModes: [String]? = nil, capacity: [String: Quantity]? = nil
  ) {
    self.phase = phase
    self.accessModes = accessModes
    self.capacity = capacity
  }
}

/// `metav1.LabelSelector`.
public struct LabelSelector: Codable, Sendable, Equatable {
  public var matchLabels: [String: String]?
  public var matchExpressions: [LabelSelectorRequirement]?

  public init(
    matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil
  ) {
    self.matchLabels = matchLabels
    self.matchExpressions = matchExpressions
  }
}

/// `metav1.LabelSelectorRequirement`.
public struct LabelSelectorRequirement: Codable, Sendable, Equatable {
  public var key: String
  /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
  public var `operator`: String
  public var values: [String]?

  public init(key: String, `operator`: String, values: [String]? = nil) {
    self.key = key
    self.`operator` = `operator`
    self.values = values
  }
}

/// `core/v1.ServiceSpec`.
public struct ServiceSpec: Codable, Sendable, Equatable {
  /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
  public var type: String?
  public var selector: [String: String]?
  public var ports: [ServicePort]?
  public var clusterIP: String?
  public var clusterIPs: [String]?
  public var externalName: String?
  public var sessionAffinity: String?
  public var publishNotReadyAddresses: Bool?
  public var loadBalancerSourceRanges: [String]?
  public var externalTrafficPolicy: String?
  public var ipFamilies: [String]?
  public var ipFamilyPolicy: String?
  public var internalTrafficPolicy: String?

  public init(
    type: String? = nil, selector: [String: String]? = nil, ports: [ServicePort]? = nil,
    clusterIP: String? = nil, clusterIPs: [String]? = nil, externalName: String? = nil,
    sessionAffinity: String? = nil, publishNotReadyAddresses: Bool? = nil,
    loadBalancerSourceRanges: [String]? = nil, externalTrafficPolicy: String? = nil,
    ipFamilies: [String]? = nil, ipFamilyPolicy: String? = nil, internalTrafficPolicy: String? = nil
  ) {
    self.type = type
    self.selector = selector
    self.ports = ports
    self.clusterIP = clusterIP
    self.clusterIPs = clusterIPs
    self.externalName = externalName
    self.sessionAffinity = sessionAffinity
    self.publishNotReadyAddresses = publishNotReadyAddresses
    self.loadBalancerSourceRanges = loadBalancerSourceRanges
    self.externalTrafficPolicy = externalTrafficPolicy
    self.ipFamilies = ipFamilies
    self.ipFamilyPolicy = ipFamilyPolicy
    self.internalTrafficPolicy = internalTrafficPolicy
  }
}

/// `core/v1.ServicePort`.
public struct ServicePort: Codable, Sendable, Equatable {
  public var name: String?
  public var `protocol`: String?
  public var port: Int32
  public var targetPort: IntOrString?
  public var nodePort: Int32?
  public var appProtocol: String?

  public init(
    name: String? = nil, `protocol`: String? = nil, port: Int32 = 0, targetPort: IntOrString? = nil,
    nodePort: Int32? = nil, appProtocol: String? = nil
  ) {
    self.name = name
    self.`protocol` = `protocol`
    self.port = port
    self.targetPort = targetPort
    self.nodePort = nodePort
    self.appProtocol = appProtocol
  }
}

/// `core/v1.ServiceStatus`.
public struct ServiceStatus: Codable, Sendable, Equatable {
  public var loadBalancer: LoadBalancerStatus?

  public init(loadBalancer: LoadBalancerStatus? = nil) {
    self.loadBalancer = loadBalancer
  }
}

/// `core/v1.LoadBalancerStatus`.
public struct LoadBalancerStatus: Codable, Sendable, Equatable {
  public var ingress: [LoadBalancerIngress]?

  public init(ingress: [LoadBalancerIngress]? = nil) {
    self.ingress = ingress
  }
}

/// `core/v1.LoadBalancerIngress`.
public struct LoadBalancerIngress: Codable, Sendable, Equatable {
  public var ip: String?
  public var hostname: String?

  public init(ip: String? = nil, hostname: String? = nil) {
    self.ip = ip
    self.hostname = hostname
  }
}

/// `core/v1.ObjectReference`: the object an Event is about.
public struct ObjectReference: Codable, Sendable, Equatable {
  public var kind: String?
  public var namespace: String?
  public var name: String?
  public var uid: String?
  public var apiVersion: String?
  public var resourceVersion: String?
  public var fieldPath: String?

  public init(
    kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil,
    apiVersion: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
  ) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
    self.uid = uid
    self.apiVersion = apiVersion
    self.resourceVersion = resourceVersion
    self.fieldPath = fieldPath
  }
}

/// `core/v1.EventSource`.
public struct EventSource: Codable, Sendable, Equatable {
  public var component: String?
  public var host: String?

  public init(component: String? = nil, host: String? = nil) {
    self.component = component
    self.host = host
  }
}

/// `events.k8s.io/v1.EventSeries`: a repeated event.
public struct EventSeries: Codable, Sendable, Equatable {
  public var count: Int32
  public var lastObservedTime: MicroTime

  public init(count: Int32 = 0, lastObservedTime: MicroTime) {
    self.count = count
    self.lastObservedTime = lastObservedTime
  }
}

/// `core/v1.NamespaceSpec`.
public struct NamespaceSpec: Codable, Sendable, Equatable {
  public var finalizers: [String]?

  public init(finalizers: [String]? = nil) {
    self.finalizers = finalizers
  }
}

/// `core/v1.NamespaceStatus`.
public struct NamespaceStatus: Codable, Sendable, Equatable {
  /// `Active` or `Terminating`.
  public var phase: String?

  public init(phase: String? = nil) {
    self.phase = phase
  }
}

/// `networking.k8s.io/v1.NetworkPolicySpec`.
public struct NetworkPolicySpec: Codable, Sendable, Equatable {
  public var podSelector: LabelSelector
  /// `Ingress`, `Egress`.
  public var policyTypes: [String]?
  public var ingress: [NetworkPolicyIngressRule]?
  public var egress: [NetworkPolicyEgressRule]?

  public init(
    podSelector: LabelSelector = LabelSelector(), policyTypes: [String]? = nil,
    ingress: [NetworkPolicyIngressRule]? = nil, egress: [NetworkPolicyEgressRule]? = nil
  ) {
    self.podSelector = podSelector
    self.policyTypes = policyTypes
    self.ingress = ingress
    self.egress = egress
  }
}

/// `networking.k8s.io/v1.NetworkPolicyIngressRule`.
public struct NetworkPolicyIngressRule: Codable, Sendable, Equatable {
  public var from: [NetworkPolicyPeer]?
  public var ports: [NetworkPolicyPort]?

  public init(from: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
    self.from = from
    self.ports = ports
  }
}

/// `networking.k8s.io/v1.NetworkPolicyEgressRule`: traffic allowed to `to` on `ports`
/// (an empty or missing list means all).
public struct NetworkPolicyEgressRule: Codable, Sendable, Equatable {
  public var to: [NetworkPolicyPeer]?
  public var ports: [NetworkPolicyPort]?

  public init(to: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
    self.to = to
    self.ports = ports
  }
}

/// `networking.k8s.io/v1.NetworkPolicyPeer`.
public struct NetworkPolicyPeer: Codable, Sendable, Equatable {
  public var podSelector: LabelSelector?
  public var namespaceSelector: LabelSelector?
  public var ipBlock: IPBlock?

  public init(
    podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil,
    ipBlock: IPBlock? = nil
  ) {
    self.podSelector = podSelector
    self.namespaceSelector = namespaceSelector
    self.ipBlock = ipBlock
  }
}

/// `networking.k8s.io/v1.IPBlock`, e.g. `0.0.0.0/0` except `169.254.169.254/32`.
public struct IPBlock: Codable, Sendable, Equatable {
  public var cidr: String
  public var except: [String]?

  public init(cidr: String, except: [String]? = nil) {
    self.cidr = cidr
    self.except = except
  }
}

/// `networking.k8s.io/v1.NetworkPolicyPort`.
public struct NetworkPolicyPort: Codable, Sendable, Equatable {
  public var `protocol`: String?
  public var port: IntOrString?
  public var endPort: Int32?

  public init(`protocol`: String? = nil, port: IntOrString? = nil, endPort: Int32? = nil) {
    self.`protocol` = `protocol`
    self.port = port
    self.endPort = endPort
  }
}

/// `coordination.k8s.io/v1.LeaseSpec`. The times are ``MicroTime``s.
public struct LeaseSpec: Codable, Sendable, Equatable {
  public var holderIdentity: String?
  public var leaseDurationSeconds: Int32?
  public var acquireTime: MicroTime?
  public var renewTime: MicroTime?
  public var leaseTransitions: Int32?

  public init(
    holderIdentity: String? = nil, leaseDurationSeconds: Int32? = nil,
    acquireTime: MicroTime? = nil,
    renewTime: MicroTime? = nil, leaseTransitions: Int32? = nil
  ) {
    self.holderIdentity = holderIdentity
    self.leaseDurationSeconds = leaseDurationSeconds
    self.acquireTime = acquireTime
    self.renewTime = renewTime
    self.leaseTransitions = leaseTransitions
  }
}

/// `authentication.k8s.io/v1.TokenReviewSpec`.
public struct TokenReviewSpec: Codable, Sendable, Equatable {
  public var token: String?
  public var audiences: [String]?

  public init(token: String? = nil, audiences: [String]? = nil) {
    self.token = token
    self.audiences = audiences
  }
}

/// `authentication.k8s.io/v1.TokenReviewStatus`.
public struct TokenReviewStatus: Codable, Sendable, Equatable {
  public var authenticated: Bool?
  public var user: UserInfo?
  public var audiences: [String]?
  public var error: String?

  public init(
    authenticated: Bool? = nil, user: UserInfo? = nil, audiences: [String]? = nil,
    error: String? = nil
  ) {
    self.authenticated = authenticated
    self.user = user
    self.audiences = audiences
    self.error = error
  }
}

/// `authentication.k8s.io/v1.UserInfo`.
public struct UserInfo: Codable, Sendable, Equatable {
  public var username: String?
  public var uid: String?
  public var groups: [String]?
  public var extra: [String: [String]]?

  public init(
    username: String? = nil, uid: String? = nil, groups: [String]? = nil,
    extra: [String: [String]]? = nil
  ) {
    self.username = username
    self.uid = uid
    self.groups = groups
    self.extra = extra
  }
}

/// `authorization.k8s.io/v1.SubjectAccessReviewSpec`: who (`user`, `groups`) wants to do what.
public struct SubjectAccessReviewSpec: Codable, Sendable, Equatable {
  public var resourceAttributes: ResourceAttributes?
  public var nonResourceAttributes: NonResourceAttributes?
  public var user: String?
  public var groups: [String]?
  public var extra: [String: [String]]?
  public var uid: String?

  public init(
    resourceAttributes: ResourceAttributes? = nil,
    nonResourceAttributes: NonResourceAttributes? = nil,
    user: String? = nil, groups: [String]? = nil, extra: [String: [String]]? = nil,
    uid: String? = nil
  ) {
    self.resourceAttributes = resourceAttributes
    self.nonResourceAttributes = nonResourceAttributes
    self.user = user
    self.groups = groups
    self.extra = extra
    self.uid = uid
  }
}

/// `authorization.k8s.io/v1.ResourceAttributes`, e.g. verb `create` on `runners/exec` in group `gra.dev`.
public struct ResourceAttributes: Codable, Sendable, Equatable {
  public var namespace: String?
  public var verb: String?
  public var group: String?
  public var version: String?
  public var resource: String?
  public var subresource: String?
  public var name: String?

  public init(
    namespace: String? = nil, verb: String? = nil, group: String? = nil, version: String? = nil,
    resource: String? = nil, subresource: String? = nil, name: String? = nil
  ) {
    self.namespace = namespace
    self.verb = verb
    self.group = group
    self.version = version
    self.resource = resource
    self.subresource = subresource
    self.name = name
  }
}

/// `authorization.k8s.io/v1.NonResourceAttributes`.
public struct NonResourceAttributes: Codable, Sendable, Equatable {
  public var path: String?
  public var verb: String?

  public init(path: String? = nil, verb: String? = nil) {
    self.path = path
    self.verb = verb
  }
}

/// `authorization.k8s.io/v1.SubjectAccessReviewStatus`.
public struct SubjectAccessReviewStatus: Codable, Sendable, Equatable {
  public var allowed: Bool
  public var denied: Bool?
  public var reason: String?
  public var evaluationError: String?

  public init(
    allowed: Bool = false, denied: Bool? = nil, reason: String? = nil,
    evaluationError: String? = nil
  ) {
    self.allowed = allowed
    self.denied = denied
    self.reason = reason
    self.evaluationError = evaluationError
  }
}
