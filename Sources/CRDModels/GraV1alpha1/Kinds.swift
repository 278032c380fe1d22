// The gra.dev/v1alpha1 kinds.

/// `gra.dev/v1alpha1` Runner: a long-lived Python sandbox, one pod with sshd and a persistent
/// `/workspace`, that can be suspended (pod gone, workspace kept) and resumed.
public struct Runner: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "gra.dev", version: "v1alpha1", plural: "runners", kind: "Runner", namespaced: true)

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: RunnerSpec?
  public var status: RunnerStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: RunnerSpec? = nil, status: RunnerStatus? = nil
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
    spec = try c.decodeIfPresent(RunnerSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(RunnerStatus.self, forKey: .status)
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

/// `gra.dev/v1alpha1` TracerJob: a batch run of a Python module, script or command, with
/// timeout, retries, exit code, logs and collected artifacts.
public struct TracerJob: KubernetesObject, PreservesUnknownFields, Equatable {
  public static let resource = ResourceDescriptor(
    group: "gra.dev", version: "v1alpha1", plural: "tracerjobs", kind: "TracerJob", namespaced: true
  )

  public var apiVersion: String?
  public var kind: String?
  public var metadata: ObjectMeta
  public var spec: TracerJobSpec?
  public var status: TracerJobStatus?
  /// The JSON this object was decoded from (see ``PreservesUnknownFields``).
  public var raw = RawJSON()

  public init(
    metadata: ObjectMeta = ObjectMeta(), spec: TracerJobSpec? = nil, status: TracerJobStatus? = nil
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
    spec = try c.decodeIfPresent(TracerJobSpec.self, forKey: .spec)
    status = try c.decodeIfPresent(TracerJobStatus.self, forKey: .status)
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
