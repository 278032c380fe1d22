/// The type of a watch event, as the API server sends it.
public enum WatchEventType: String, Codable, Sendable {
  case added = "ADDED"
  case modified = "MODIFIED"
  case deleted = "DELETED"
  case bookmark = "BOOKMARK"
  case error = "ERROR"
}

/// One line of a watch stream: `{"type": …, "object": …}`.
///
/// For `ERROR` the object is a ``Status``, not a `T`; for `BOOKMARK` it is a `T` with only
/// `metadata.resourceVersion` set (so `T` must tolerate missing fields).
public enum WatchEvent<T: Decodable & Sendable>: Sendable, Decodable {
  case added(T)
  case modified(T)
  case deleted(T)
  /// The resourceVersion to resume from, and the bookmark's annotations
  /// (`k8s.io/initial-events-end`).
  case bookmark(resourceVersion: String, annotations: [String: String])
  case error(Status)

  private enum Keys: String, CodingKey { case type, object }
  private struct BookmarkObject: Decodable { var metadata: ObjectMeta }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Keys.self)
    let type = try c.decode(WatchEventType.self, forKey: .type)
    switch type {
    case .added: self = .added(try c.decode(T.self, forKey: .object))
    case .modified: self = .modified(try c.decode(T.self, forKey: .object))
    case .deleted: self = .deleted(try c.decode(T.self, forKey: .object))
    case .bookmark:
      let b = try c.decode(BookmarkObject.self, forKey: .object)
      self = .bookmark(resourceVersion: b.metadata.resourceVersion ?? "", annotations: b.metadata.annotations ?? [:])
    case .error: self = .error(try c.decode(Status.self, forKey: .object))
    }
  }

  public var type: WatchEventType {
    switch self {
    case .added: .added
    case .modified: .modified
    case .deleted: .deleted
    case .bookmark: .bookmark
    case .error: .error
    }
  }

  /// The object of ADDED, MODIFIED and DELETED events.
  public var object: T? {
    switch self {
    case .added(let o), .modified(let o), .deleted(let o): o
    default: nil
    }
  }
}
