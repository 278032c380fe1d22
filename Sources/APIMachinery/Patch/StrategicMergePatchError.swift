import CRDModels

/// Why a strategic merge patch could not be applied, with the answer the API server gives.
///
/// kube-apiserver (`interpretStrategicMergePatchError` in handlers/patch.go) maps the
/// `mergepatch` sentinel errors: bad formats of primitive lists, `$retainKeys` and
/// `$setElementOrder` → **400** `BadRequest`; lists of lists and a patch that does not match its
/// `$retainKeys` → **422** `Invalid` (generic message). Anything else (an unknown `$patch`
/// value, an element without its merge key) is not a Status error and reaches the client as
/// **500** with an empty reason and the error text as message.
public struct StrategicMergePatchError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    case badRequest
    case unprocessable
    case internalError
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  public var code: Int {
    switch kind {
    case .badRequest: 400
    case .unprocessable: 422
    case .internalError: 500
    }
  }

  public var status: Status {
    switch kind {
    case .badRequest:
      Status(message: message, reason: "BadRequest", code: 400)
    case .unprocessable:
      Status(
        message: "the server rejected our request due to an error in our request", reason: "Invalid",
        details: StatusDetails(), code: 422)
    case .internalError:
      Status(message: message, reason: nil, code: 500)
    }
  }

  static let badPrimitiveList = StrategicMergePatchError(.badRequest, "invalid patch format of primitive list")
  static let badRetainKeys = StrategicMergePatchError(.badRequest, "invalid patch format of retainKeys")
  static let badSetElementOrder = StrategicMergePatchError(.badRequest, "invalid patch format of setElementOrder list")
  static let notMatchRetainKeys = StrategicMergePatchError(
    .unprocessable, "patch content doesn't match retainKeys list")
  static let listOfLists = StrategicMergePatchError(.unprocessable, "lists of lists are not supported")
}
