import CRDModels

/// The identifying metadata of an object, however it is represented.
public struct ObjectIdentity: Sendable, Hashable {
  public var name: String?
  public var namespace: String?
  public var uid: String?
  public var resourceVersion: String?
  public init(name: String? = nil, namespace: String? = nil, uid: String? = nil, resourceVersion: String? = nil) {
    self.name = name
    self.namespace = namespace
    self.uid = uid
    self.resourceVersion = resourceVersion
  }

  /// `namespace/name`, or `name` for cluster-scoped objects.
  public var key: String { namespace.map { "\($0)/\(name ?? "")" } ?? (name ?? "") }
}

/// Reads an object's identity; ``Api`` carries one so it can work on typed objects and on
/// untyped JSON alike.
public typealias IdentityReader<K> = @Sendable (K) -> ObjectIdentity

extension KubernetesObject {
  public var identity: ObjectIdentity {
    ObjectIdentity(
      name: metadata.name, namespace: metadata.namespace, uid: metadata.uid, resourceVersion: metadata.resourceVersion)
  }
}

/// An object of any kind, kept as JSON (the untyped API: `client.dynamic(descriptor)`).
public typealias DynamicObject = JSONValue

extension JSONValue {
  /// `metadata.name`, `namespace`, `uid` and `resourceVersion` of an object held as JSON.
  public var identity: ObjectIdentity {
    let m = self["metadata"]
    return ObjectIdentity(
      name: m["name"].stringValue, namespace: m["namespace"].stringValue, uid: m["uid"].stringValue,
      resourceVersion: m["resourceVersion"].stringValue)
  }
}
