import CRDModels

/// Why a JSON patch could not be decoded or applied.
///
/// The API server (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go`,
/// `applyJSPatch`) answers:
/// - an undecodable patch document: **400** `BadRequest` with the decoder's message;
/// - more than 10,000 operations: **413** `RequestEntityTooLarge`;
/// - any operation that fails while applying — a failed `test`, a missing path, a bad array
///   index, an unknown `op` — **422** with reason `Invalid` built by
///   `errors.NewGenericServerResponse(422, …)`: the message is always the generic
///   `the server rejected our request due to an error in our request`, `details` is empty
///   and carries **no** causes (the library's message is not sent to the client). kubectl
///   prints it as `The request is invalid: the server rejected our request due to an error in
///   our request`.
///
/// A failed `test` is therefore a 422, not a 409: clients that use `test` as a precondition
/// (kube-rs finalizers) re-read the object and retry on 422.
public struct JSONPatchError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// The body is not a JSON array of operation objects (400).
    case malformedPatch
    /// More operations than the server accepts (413).
    case tooManyOperations
    /// A `test` operation compared unequal (422).
    case testFailed
    /// A path or `from` location that does not exist (422).
    case missingPath
    /// An array index out of range or not a number (422).
    case invalidIndex
    /// An `op` other than add/remove/replace/move/copy/test, or a bad operand (422).
    case invalidOperation
  }

  public var kind: Kind
  /// The evanphx/json-patch style message (for logs; the server does not send it).
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  /// The HTTP status code the API server answers with.
  public var code: Int {
    switch kind {
    case .malformedPatch: 400
    case .tooManyOperations: 413
    default: 422
    }
  }

  /// The `Status` body the API server answers with.
  public var status: Status {
    switch kind {
    case .malformedPatch:
      return Status(message: message, reason: "BadRequest", code: 400)
    case .tooManyOperations:
      return Status(message: "Request entity too large: \(message)", reason: "RequestEntityTooLarge", code: 413)
    default:
      return Status(
        message: "the server rejected our request due to an error in our request", reason: "Invalid",
        details: StatusDetails(), code: 422)
    }
  }
}
