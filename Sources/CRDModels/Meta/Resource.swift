/// Identifies a REST resource: group, version, plural name and scope.
public struct ResourceDescriptor: Sendable, Hashable, CustomStringConvertible {
  /// Empty for the core group.
  public var group: String
  public var version: String
  public var plural: String
  public var kind: String
  public var namespaced: Bool

  public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
    self.group = group
    self.version = version
    self.plural = plural
    self.kind = kind
    self.namespaced = namespaced
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// `/api/v1` or `/apis/GROUP/VERSION`.
  public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

  /// The collection path, in a namespace or across all of them (`namespace == nil`).
  public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
    var p = groupVersionPath
    if namespaced, let ns = namespace { p += "/namespaces/\(ns)" }
    p += "/\(plural)"
    if let name { p += "/\(name)" }
    if let subresource { p += "/\(subresource)" }
    return p
  }
}

/// A typed Kubernetes object gra reads or writes.
public protocol KubernetesObject: Codable, Sendable {
  static var resource: ResourceDescriptor { get }
  var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
  public static var apiVersion: String { resource.apiVersion }
  public static var kind: String { resource.kind }
}

/// A list of objects as the API server returns it (`RunnerList`, `PodList`, …).
public struct ObjectList<T: Codable & Sendable>: Codable, Sendable {
  public var apiVersion: String?
  public var kind: String?
  public var metadata: ListMeta
  public var items: [T]
  public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [T]) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.metadata = metadata
    self.items = items
  }
}
extension ObjectList: Equatable where T: Equatable {}
