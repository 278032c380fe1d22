/// Identifies one object to reconcile: its namespace (nil for cluster-scoped kinds) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var namespace: String?
  public var name: String
  public init(namespace: String?, name: String) {
    self.namespace = namespace
    self.name = name
  }
  /// `namespace/name`, or `name` for cluster-scoped objects, as kubectl and client-go print keys.
  public var description: String { namespace.map { "\($0)/\(name)" } ?? name }
  public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.description < b.description }
}
