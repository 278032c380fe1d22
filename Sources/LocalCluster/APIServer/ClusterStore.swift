import CRDModels

/// In-process access to the local API server's objects, for components that run inside
/// the local cluster (the local kubelet, the garbage collector).
///
/// Objects are untyped `JSONValue`s exactly as they are stored. Writes go through the same
/// admission, defaulting, resourceVersion and watch machinery as HTTP requests, but skip
/// authentication and authorization (they act as the system). Errors are ``Status`` values
/// with the same code and reason an HTTP client would get.
public protocol ClusterStore: Sendable {
  func get(_ resource: ResourceDescriptor, namespace: String?, name: String) async throws -> JSONValue
  /// Returns the items and the list's resourceVersion.
  func list(
    _ resource: ResourceDescriptor, namespace: String?, labelSelector: String?, fieldSelector: String?
  )
    async throws -> (items: [JSONValue], resourceVersion: String)
  /// Events after `resourceVersion` (`nil`: an initial ADDED for every current object first).
  /// The stream ends when the store stops or the consumer cancels.
  func watch(
    _ resource: ResourceDescriptor, namespace: String?, resourceVersion: String?
  )
    async throws -> AsyncStream<StoreEvent>
  func create(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue
  /// Replaces the object; `metadata.resourceVersion`, when set, must match (else 409).
  func update(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue
  /// Replaces only `.status`; `metadata.resourceVersion`, when set, must match (else 409).
  func updateStatus(_ resource: ResourceDescriptor, namespace: String?, object: JSONValue) async throws -> JSONValue
  /// Deletes with the given grace period (`nil`: the object's default); 0 deletes at once.
  func delete(
    _ resource: ResourceDescriptor, namespace: String?, name: String, gracePeriodSeconds: Int64?)
    async throws
}

/// One change seen by ``ClusterStore/watch(_:namespace:resourceVersion:)``.
public struct StoreEvent: Sendable {
  public var type: WatchEventType
  public var object: JSONValue
  public init(type: WatchEventType, object: JSONValue) {
    self.type = type
    self.object = object
  }
}
