import CRDModels

/// What `fieldValidation` does with the unknown fields pruning found.
public enum StrictDecoding {
  /// One message per field: `unknown field "spec.foo"` (`fieldValidation=Warn` sends each as a
  /// `Warning: 299 - "…"` header).
  public static func messages(unknownFields: [String]) -> [String] {
    unknownFields.map { "unknown field \(GoFormat.quote($0))" }
  }

  /// The 400 answer of `fieldValidation=Strict` (`transformDecodeError` around a strict decoding
  /// error): `Runner in version "v1alpha1" cannot be handled as a Runner: strict decoding error:
  /// unknown field "spec.foo", unknown field "spec.bar"`. nil when there are no unknown fields.
  public static func strictStatus(kind: String, version: String, unknownFields: [String]) -> Status? {
    guard !unknownFields.isEmpty else { return nil }
    let message =
      "\(kind) in version \(GoFormat.quote(version)) cannot be handled as a \(kind): strict decoding error: "
      + messages(unknownFields: unknownFields).joined(separator: ", ")
    return Status(message: message, reason: "BadRequest", code: 400)
  }
}
