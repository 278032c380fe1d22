import CRDModels
import Foundation

/// Any failure of a Kubernetes request.
///
/// API errors carry the server's `Status` (`code`, `reason`, `message`, `causes`); answers
/// that are not a Status (a proxy's 502 page) still get a readable message and a reason
/// derived from the HTTP code, as client-go does. Transport and decoding failures have
/// `code == 0`.
public struct KubeError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// The server answered with an error status.
    case api
    /// The request did not get an answer (connection refused, TLS, timeout…).
    case transport
    /// The answer could not be decoded.
    case decoding
    /// Bad use of the client or bad credentials configuration.
    case invalidRequest
  }

  public var kind: Kind
  /// HTTP status, or `status.code`; 0 when there was no answer.
  public var code: Int
  /// `Status.reason` (`NotFound`, `Conflict`, `Expired`…), or derived from the code.
  public var reason: String
  public var message: String
  public var causes: [StatusCause]
  /// From `Retry-After` or `status.details.retryAfterSeconds`.
  public var retryAfter: Duration?
  /// The decoded Status, when the server sent one.
  public var status: Status?

  public init(
    kind: Kind, code: Int = 0, reason: String = "", message: String, causes: [StatusCause] = [],
    retryAfter: Duration? = nil, status: Status? = nil
  ) {
    self.kind = kind
    self.code = code
    self.reason = reason
    self.message = message
    self.causes = causes
    self.retryAfter = retryAfter
    self.status = status
  }

  /// An error from a Status (an HTTP answer's body, a watch ERROR event, or exec's channel 3).
  public init(status: Status, httpCode: Int? = nil, retryAfter: Duration? = nil) {
    let code = status.code ?? httpCode ?? 0
    self.init(
      kind: .api, code: code, reason: status.reason ?? KubeError.reason(forCode: code),
      message: status.message ?? "the server reported \(status.reason ?? "an error") (\(code))",
      causes: status.details?.causes ?? [],
      retryAfter: retryAfter ?? status.details?.retryAfterSeconds.map { .seconds($0) }, status: status)
  }

  /// Decodes an error answer: a Status if the body is one, otherwise the start of the body.
  public static func fromResponse(code: Int, body: [UInt8], retryAfter: Duration? = nil) -> KubeError {
    if let s = try? KubeJSON.decode(Status.self, from: body), s.kind == "Status" || s.status != nil,
      s.reason != nil || s.message != nil
    {
      return KubeError(status: s, httpCode: code, retryAfter: retryAfter)
    }
    let text = String(decoding: body.prefix(300), as: UTF8.self)
      .split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    let reason = reason(forCode: code)
    let message =
      text.isEmpty
      ? "the server responded with HTTP \(code) (\(reason)) and no body"
      : "the server responded with HTTP \(code) (\(reason)): \(text)"
    return KubeError(kind: .api, code: code, reason: reason, message: message, retryAfter: retryAfter)
  }

  public static func transport(_ message: String) -> KubeError { KubeError(kind: .transport, message: message) }
  public static func decoding(_ message: String) -> KubeError { KubeError(kind: .decoding, message: message) }
  public static func invalid(_ message: String) -> KubeError { KubeError(kind: .invalidRequest, message: message) }

  public var isNotFound: Bool { reason == "NotFound" || (kind == .api && code == 404) }
  public var isAlreadyExists: Bool { reason == "AlreadyExists" }
  public var isConflict: Bool { reason == "Conflict" || (code == 409 && !isAlreadyExists) }
  public var isInvalid: Bool { reason == "Invalid" || code == 422 }
  public var isForbidden: Bool { reason == "Forbidden" || code == 403 }
  public var isUnauthorized: Bool { reason == "Unauthorized" || code == 401 }
  /// 410: an expired resourceVersion or continue token. Relist from scratch.
  public var isGone: Bool { code == 410 || reason == "Gone" || reason == "Expired" }
  public var isTooManyRequests: Bool { code == 429 || reason == "TooManyRequests" }
  public var isServerTimeout: Bool { code == 504 || reason == "Timeout" || reason == "ServerTimeout" }

  public var description: String {
    var s: String
    switch kind {
    case .api: s = "\(message) (\(reason), \(code))"
    case .transport: s = "cannot reach the API server: \(message)"
    case .decoding: s = "cannot decode the API server's answer: \(message)"
    case .invalidRequest: s = message
    }
    let fields = causes.compactMap { c -> String? in
      guard let m = c.message else { return nil }
      return c.field.map { "\($0): \(m)" } ?? m
    }
    if !fields.isEmpty && kind == .api && !fields.allSatisfy({ message.contains($0) }) {
      s += " [" + fields.joined(separator: "; ") + "]"
    }
    return s
  }

  /// client-go's `reasonForError` table.
  public static func reason(forCode code: Int) -> String {
    switch code {
    case 400: "BadRequest"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "NotFound"
    case 405: "MethodNotAllowed"
    case 406: "NotAcceptable"
    case 409: "Conflict"
    case 410: "Gone"
    case 413: "RequestEntityTooLarge"
    case 415: "UnsupportedMediaType"
    case 422: "Invalid"
    case 429: "TooManyRequests"
    case 500: "InternalError"
    case 503: "ServiceUnavailable"
    case 504: "Timeout"
    default: code >= 500 ? "InternalError" : "Unknown"
    }
  }
}
