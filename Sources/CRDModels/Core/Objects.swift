import Foundation

// The top-level Kubernetes objects gra reads and writes. Each keeps the JSON it was decoded
// from, so that writing it back never drops fields gra does not model.

/// `core/v1.Pod`.
public struct Pod: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: PodSpec?
  public var status: PodStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: PodSpec? = nil, status: PodStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(PodSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(PodStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.PersistentVolumeClaim`: the Runner's workspace.
public struct PersistentVolumeClaim: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim",
    namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: PersistentVolumeClaimSpec?
  public var status: PersistentVolumeClaimStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: PersistentVolumeClaimSpec? = nil,
    status: PersistentVolumeClaimStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(PersistentVolumeClaimSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(PersistentVolumeClaimStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.Service`: the Runner's ssh endpoint.
public struct Service: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: ServiceSpec?
  public var status: ServiceStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: ServiceSpec? = nil, status: ServiceStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(ServiceSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(ServiceStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.Secret`. `data` values are base64 in JSON; ``Secret/decodedData`` decodes them.
public struct Secret: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  /// Base64-encoded values.
  public var data: [String: String]?
  /// Write-only plain values, merged into `data` by the server.
  public var stringData: [String: String]?
  /// e.g. `Opaque`, `kubernetes.io/ssh-auth`.
  public var type: String?
  public var immutable: Bool?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil,
    stringData: [String: String]? = nil,
    type: String? = nil, immutable: Bool? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.data = data
    self.stringData = stringData
    self.type = type
    self.immutable = immutable
  }

  private enum CodingKeys: String, CodingKey {
    case apiVersion, kind, metadata, data, stringData, type, immutable
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    data = try c.decodeIfPresent([String: String].self, forKey: .data)
    stringData = try c.decodeIfPresent([String: String].self, forKey: .stringData)
    type = try c.decodeIfPresent(String.self, forKey: .type)
    immutable = try c.decodeIfPresent(Bool.self, forKey: .immutable)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(data, forKey: .data)
    try c.encodeIfPresent(stringData, forKey: .stringData)
    try c.encodeIfPresent(type, forKey: .type)
    try c.encodeIfPresent(immutable, forKey: .immutable)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.ConfigMap`.
public struct ConfigMap: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var data: [String: String]?
  /// Base64-encoded values.
  public var binaryData: [String: String]?
  public var immutable: Bool?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), data: [String: String]? = nil,
    binaryData: [String: String]? = nil,
    immutable: Bool? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.data = data
    self.binaryData = binaryData
    self.immutable = immutable
  }

  private enum CodingKeys: String, CodingKey {
    case apiVersion, kind, metadata, data, binaryData, immutable
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    data = try c.decodeIfPresent([String: String].self, forKey: .data)
    binaryData = try c.decodeIfPresent([String: String].self, forKey: .binaryData)
    immutable = try c.decodeIfPresent(Bool.self, forKey: .immutable)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(data, forKey: .data)
    try c.encodeIfPresent(binaryData, forKey: .binaryData)
    try c.encodeIfPresent(immutable, forKey: .immutable)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.Event`, the older view of events that `kubectl describe` and `kubectl get events` show.
public struct CoreEvent: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var involvedObject: ObjectReference?
  public var reason: String?
  public var message: String?
  public var source: EventSource?
  public var firstTimestamp: Time?
  public var lastTimestamp: Time?
  public var count: Int32?
  /// `Normal` or `Warning`.
  public var type: String?
  public var eventTime: MicroTime?
  public var action: String?
  public var reportingComponent: String?
  public var reportingInstance: String?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference? = nil,
    reason: String? = nil,
    message: String? = nil, source: EventSource? = nil, firstTimestamp: Time? = nil,
    lastTimestamp: Time? = nil, count: Int32? = nil, type: String? = nil,
    eventTime: MicroTime? = nil,
    action: String? = nil, reportingComponent: String? = nil, reportingInstance: String? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.involvedObject = involvedObject
    self.reason = reason
    self.message = message
    self.source = source
    self.firstTimestamp = firstTimestamp
    self.lastTimestamp = lastTimestamp
    self.count = count
    self.type = type
    self.eventTime = eventTime
    self.action = action
    self.reportingComponent = reportingComponent
    self.reportingInstance = reportingInstance
  }

  private enum CodingKeys: String, CodingKey {
    case apiVersion, kind, metadata, involvedObject, reason, message, source, firstTimestamp,
      lastTimestamp, count, type, eventTime, action, reportingComponent, reportingInstance
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    involvedObject = try c.decodeIfPresent(ObjectReference.self, forKey: .involvedObject)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    message = try c.decodeIfPresent(String.self, forKey: .message)
    source = try c.decodeIfPresent(EventSource.self, forKey: .source)
    firstTimestamp = try c.decodeIfPresent(Time.self, forKey: .firstTimestamp)
    lastTimestamp = try c.decodeIfPresent(Time.self, forKey: .lastTimestamp)
    count = try c.decodeIfPresent(Int32.self, forKey: .count)
    type = try c.decodeIfPresent(String.self, forKey: .type)
    eventTime = try c.decodeIfPresent(MicroTime.self, forKey: .eventTime)
    action = try c.decodeIfPresent(String.self, forKey: .action)
    reportingComponent = try c.decodeIfPresent(String.self, forKey: .reportingComponent)
    reportingInstance = try c.decodeIfPresent(String.self, forKey: .reportingInstance)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(involvedObject, forKey: .involvedObject)
    try c.encodeIfPresent(reason, forKey: .reason)
    try c.encodeIfPresent(message, forKey: .message)
    try c.encodeIfPresent(source, forKey: .source)
    try c.encodeIfPresent(firstTimestamp, forKey: .firstTimestamp)
    try c.encodeIfPresent(lastTimestamp, forKey: .lastTimestamp)
    try c.encodeIfPresent(count, forKey: .count)
    try c.encodeIfPresent(type, forKey: .type)
    try c.encodeIfPresent(eventTime, forKey: .eventTime)
    try c.encodeIfPresent(action, forKey: .action)
    try c.encodeIfPresent(reportingComponent, forKey: .reportingComponent)
    try c.encodeIfPresent(reportingInstance, forKey: .reportingInstance)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `events.k8s.io/v1.Event`: `eventTime` is a ``MicroTime``; repeats within 6 minutes update `series`.
public struct EventsV1Event: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var eventTime: MicroTime?
  public var series: EventSeries?
  /// ≤ 128 characters, e.g. `gra.dev/operator`.
  public var reportingController: String?
  /// ≤ 128 characters.
  public var reportingInstance: String?
  /// ≤ 128 characters.
  public var action: String?
  /// ≤ 128 characters.
  public var reason: String?
  public var regarding: ObjectReference?
  public var related: ObjectReference?
  /// ≤ 1 kB.
  public var note: String?
  /// `Normal` or `Warning`.
  public var type: String?
  public var deprecatedSource: EventSource?
  public var deprecatedFirstTimestamp: Time?
  public var deprecatedLastTimestamp: Time?
  public var deprecatedCount: Int32?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), eventTime: MicroTime? = nil, series: EventSeries? = nil,
    reportingController: String? = nil, reportingInstance: String? = nil, action: String? = nil,
    reason: String? = nil, regarding: ObjectReference? = nil, related: ObjectReference? = nil,
    note: String? = nil, type: String? = nil, deprecatedSource: EventSource? = nil,
    deprecatedFirstTimestamp: Time? = nil, deprecatedLastTimestamp: Time? = nil,
    deprecatedCount: Int32? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.eventTime = eventTime
    self.series = series
    self.reportingController = reportingController
    self.reportingInstance = reportingInstance
    self.action = action
    self.reason = reason
    self.regarding = regarding
    self.related = related
    self.note = note
    self.type = type
    self.deprecatedSource = deprecatedSource
    self.deprecatedFirstTimestamp = deprecatedFirstTimestamp
    self.deprecatedLastTimestamp = deprecatedLastTimestamp
    self.deprecatedCount = deprecatedCount
  }

  private enum CodingKeys: String, CodingKey {
    case apiVersion, kind, metadata, eventTime, series, reportingController, reportingInstance,
      action, reason, regarding, related, note, type, deprecatedSource, deprecatedFirstTimestamp,
      deprecatedLastTimestamp, deprecatedCount
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    eventTime = try c.decodeIfPresent(MicroTime.self, forKey: .eventTime)
    series = try c.decodeIfPresent(EventSeries.self, forKey: .series)
    reportingController = try c.decodeIfPresent(String.self, forKey: .reportingController)
    reportingInstance = try c.decodeIfPresent(String.self, forKey: .reportingInstance)
    action = try c.decodeIfPresent(String.self, forKey: .action)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    regarding = try c.decodeIfPresent(ObjectReference.self, forKey: .regarding)
    related = try c.decodeIfPresent(ObjectReference.self, forKey: .related)
    note = try c.decodeIfPresent(String.self, forKey: .note)
    type = try c.decodeIfPresent(String.self, forKey: .type)
    deprecatedSource = try c.decodeIfPresent(EventSource.self, forKey: .deprecatedSource)
    deprecatedFirstTimestamp = try c.decodeIfPresent(Time.self, forKey: .deprecatedFirstTimestamp)
    deprecatedLastTimestamp = try c.decodeIfPresent(Time.self, forKey: .deprecatedLastTimestamp)
    deprecatedCount = try c.decodeIfPresent(Int32.self, forKey: .deprecatedCount)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(eventTime, forKey: .eventTime)
    try c.encodeIfPresent(series, forKey: .series)
    try c.encodeIfPresent(reportingController, forKey: .reportingController)
    try c.encodeIfPresent(reportingInstance, forKey: .reportingInstance)
    try c.encodeIfPresent(action, forKey: .action)
    try c.encodeIfPresent(reason, forKey: .reason)
    try c.encodeIfPresent(regarding, forKey: .regarding)
    try c.encodeIfPresent(related, forKey: .related)
    try c.encodeIfPresent(note, forKey: .note)
    try c.encodeIfPresent(type, forKey: .type)
    try c.encodeIfPresent(deprecatedSource, forKey: .deprecatedSource)
    try c.encodeIfPresent(deprecatedFirstTimestamp, forKey: .deprecatedFirstTimestamp)
    try c.encodeIfPresent(deprecatedLastTimestamp, forKey: .deprecatedLastTimestamp)
    try c.encodeIfPresent(deprecatedCount, forKey: .deprecatedCount)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `core/v1.Namespace`.
public struct Namespace: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: NamespaceSpec?
  public var status: NamespaceStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(NamespaceSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(NamespaceStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `networking.k8s.io/v1.NetworkPolicy`: how gra enforces a Runner's `network.egress`.
public struct NetworkPolicy: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy",
    namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: NetworkPolicySpec?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: NetworkPolicySpec? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(NetworkPolicySpec.self, forKey: .spec)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `coordination.k8s.io/v1.Lease`, used for leader election.
public struct Lease: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: LeaseSpec?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: LeaseSpec? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(LeaseSpec.self, forKey: .spec)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `authentication.k8s.io/v1.TokenReview`: created to ask who a bearer token belongs to.
public struct TokenReview: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview",
    namespaced: false)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: TokenReviewSpec?
  public var status: TokenReviewStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: TokenReviewSpec? = nil,
    status: TokenReviewStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(TokenReviewSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(TokenReviewStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

/// `authorization.k8s.io/v1.SubjectAccessReview`: created to ask whether a user may do something.
public struct SubjectAccessReview: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews",
    kind: "SubjectAccessReview", namespaced: false)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: SubjectAccessReviewSpec?
  public var status: SubjectAccessReviewStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: SubjectAccessReviewSpec? = nil,
    status: SubjectAccessReviewStatus? = nil
  ) {
    self.apiVersion = Self.resource.apiVersion
    self.kind = Self.resource.kind
    self.metadata = metadata
    self.spec = spec
    self.status = status
  }

  private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
    kind = try c.decodeIfPresent(String.self, forKey: .kind)
    metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    spec = try c.decodeIfPresent(SubjectAccessReviewSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(SubjectAccessReviewStatus.self, forKey: .status)
    raw = try RawJSON.capture(from: decoder)
  }

  public func encodeKnownFields(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
    try c.encodeIfPresent(kind, forKey: .kind)
    try c.encode(metadata, forKey: .metadata)
    try c.encodeIfPresent(spec, forKey: .spec)
    try c.encodeIfPresent(status, forKey: .status)
  }

  public func encode(to encoder: any Encoder) throws {
    try encodePreservingUnknownFields(to: encoder)
  }
}

extension Secret {
  /// `data` with its base64 values decoded; keys whose value is not valid base64 are left out.
  public var decodedData: [String: Data] {
    var out: [String: Data] = [:]
    for (k, v) in data ?? [:] {
      if let d = Data(base64Encoded: v) { out[k] = d }
    }
    return out
  }
}
