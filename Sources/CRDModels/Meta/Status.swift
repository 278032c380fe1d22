/// `metav1.Status`: the body of every API error, and of ERROR watch events and
/// the exec status channel.
public struct Status: Codable, Sendable, Equatable, Error {
  public var kind: String? = "Status"
  public var apiVersion: String? = "v1"
  public var metadata: ListMeta? = ListMeta()
  /// `Success` or `Failure`.
  public var status: String?
  public var message: String?
  /// Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`,
  /// `Unauthorized`, `Expired`, `Gone`, `BadRequest`, `MethodNotAllowed`, `TooManyRequests`…
  public var reason: String?
  public var details: StatusDetails?
  public var code: Int?

  public init(
    status: String? = "Failure", message: String? = nil, reason: String? = nil, details: StatusDetails? = nil,
    code: Int? = nil
  ) {
    self.status = status
    self.message = message
    self.reason = reason
    self.details = details
    self.code = code
  }

  public var isSuccess: Bool { status == "Success" }
}

public struct StatusDetails: Codable, Sendable, Equatable {
  public var name: String?
  public var group: String?
  public var kind: String?
  public var uid: String?
  public var causes: [StatusCause]?
  public var retryAfterSeconds: Int?
  public init(
    name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
    causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil
  ) {
    self.name = name
    self.group = group
    self.kind = kind
    self.uid = uid
    self.causes = causes
    self.retryAfterSeconds = retryAfterSeconds
  }
}

public struct StatusCause: Codable, Sendable, Equatable {
  /// e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `ExitCode`.
  public var reason: String?
  public var message: String?
  /// The field path, e.g. `spec.workspace.size`.
  public var field: String?
  public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
    self.reason = reason
    self.message = message
    self.field = field
  }
}
