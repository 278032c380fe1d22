/// `metav1.ObjectMeta`: the metadata every persisted Kubernetes object carries.
public struct ObjectMeta: Codable, Sendable, Equatable {
  public var name: String?
  public var generateName: String?
  public var namespace: String?
  public var uid: String?
  /// Opaque: compare for equality only, never numerically.
  public var resourceVersion: String?
  public var generation: Int64?
  public var creationTimestamp: Time?
  public var deletionTimestamp: Time?
  public var deletionGracePeriodSeconds: Int64?
  public var labels: [String: String]?
  public var annotations: [String: String]?
  public var ownerReferences: [OwnerReference]?
  public var finalizers: [String]?
  /// Kept as received; gra never writes it.
  public var managedFields: [JSONValue]?

  public init(
    name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
    resourceVersion: String? = nil, generation: Int64? = nil, creationTimestamp: Time? = nil,
    deletionTimestamp: Time? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
    ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil
  ) {
    self.name = name
    self.generateName = generateName
    self.namespace = namespace
    self.uid = uid
    self.resourceVersion = resourceVersion
    self.generation = generation
    self.creationTimestamp = creationTimestamp
    self.deletionTimestamp = deletionTimestamp
    self.labels = labels
    self.annotations = annotations
    self.ownerReferences = ownerReferences
    self.finalizers = finalizers
  }

  /// The controller owner reference, if any (`controller: true`).
  public var controllerRef: OwnerReference? { ownerReferences?.first { $0.controller == true } }
}

/// `metav1.OwnerReference`. Owners must be in the same namespace as the dependent
/// (or cluster-scoped); at most one reference may have `controller: true`.
public struct OwnerReference: Codable, Sendable, Equatable {
  public var apiVersion: String
  public var kind: String
  public var name: String
  public var uid: String
  public var controller: Bool?
  public var blockOwnerDeletion: Bool?

  public init(
    apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
    blockOwnerDeletion: Bool? = nil
  ) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.name = name
    self.uid = uid
    self.controller = controller
    self.blockOwnerDeletion = blockOwnerDeletion
  }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Equatable {
  public var resourceVersion: String?
  /// Token for the next page; an expired token answers 410 Gone.
  public var `continue`: String?
  public var remainingItemCount: Int64?
  public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
    self.resourceVersion = resourceVersion
    self.continue = `continue`
    self.remainingItemCount = remainingItemCount
  }
}

/// The `apiVersion`/`kind` pair every object and list carries on the wire.
public struct TypeMeta: Codable, Sendable, Equatable {
  public var apiVersion: String?
  public var kind: String?
  public init(apiVersion: String? = nil, kind: String? = nil) {
    self.apiVersion = apiVersion
    self.kind = kind
  }
}
