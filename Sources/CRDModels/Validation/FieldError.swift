/// One problem with one field, in the API server's words: the field path, the bad value, and
/// what to do about it.
///
/// `description` reads like a Kubernetes validation error:
/// `spec.workspace.size: Invalid value: "ten": must be a quantity such as 10Gi or 500Mi`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The `StatusCause.reason` Kubernetes uses for each kind of problem.
  public enum Kind: String, Sendable {
    case required = "FieldValueRequired"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case forbidden = "FieldValueForbidden"
    case duplicate = "FieldValueDuplicate"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
  }

  public var kind: Kind
  /// `spec.workspace.size`, `spec.env[2].name`, `spec.resources.limits[nvidia.com/gpu]`.
  public var field: String
  /// The offending value as the user wrote it (nil for a missing field).
  public var value: String?
  /// The fix, in plain words.
  public var detail: String

  public init(_ kind: Kind, _ field: FieldPath, value: String? = nil, _ detail: String) {
    self.kind = kind
    self.field = field.description
    self.value = value
    self.detail = detail
  }

  public var description: String {
    var s = field + ": "
    switch kind {
    case .required: s += "Required value"
    case .invalid: s += "Invalid value"
    case .notSupported: s += "Unsupported value"
    case .forbidden: s += "Forbidden"
    case .duplicate: s += "Duplicate value"
    case .tooLong: s += "Too long"
    case .tooMany: s += "Too many"
    }
    if let value, kind != .required, kind != .forbidden { s += ": " + Self.quote(value) }
    return s + ": " + detail
  }

  /// The `StatusCause` the API server would send for this error.
  public var cause: StatusCause {
    StatusCause(
      reason: kind.rawValue, message: String(description.dropFirst(field.count + 2)), field: field)
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
      switch ch {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.unicodeScalars.append(ch)
      }
    }
    return out + "\""
  }
}

extension Array where Element == FieldError {
  /// The 422 `Status` the API server answers for these errors on `kind`/`name`.
  public func status(group: String, kind: String, name: String) -> Status {
    let qualified = group.isEmpty ? kind : "\(kind).\(group)"
    let list =
      count == 1 ? self[0].description : "[" + map(\.description).joined(separator: ", ") + "]"
    return Status(
      message: "\(qualified) \"\(name)\" is invalid: \(list)", reason: "Invalid",
      details: StatusDetails(name: name, group: group, kind: kind, causes: map(\.cause)), code: 422)
  }
}

/// A path to a field, printed the Kubernetes way: `spec.env[2].name`, `spec.nodeSelector[zone]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
  private var text: String
  public init(_ root: String) { text = root }
  public init(stringLiteral value: String) { text = value }
  public func child(_ name: String) -> FieldPath {
    FieldPath(text.isEmpty ? name : text + "." + name)
  }
  public func index(_ i: Int) -> FieldPath { FieldPath(text + "[\(i)]") }
  public func key(_ k: String) -> FieldPath { FieldPath(text + "[\(k)]") }
  public var description: String { text }
}
