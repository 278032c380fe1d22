import CRDModels
import Foundation

/// One validation failure, as `k8s.io/apimachinery/pkg/util/validation/field.Error`.
///
/// `description` is the text the API server puts in messages
/// (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`),
/// and `cause` is the `StatusCause` it puts in `details.causes`.
public struct KubeFieldError: Error, Sendable, Equatable, CustomStringConvertible {
  /// `field.ErrorType`; the raw value is the cause reason sent in `details.causes[].reason`.
  public enum ErrorType: String, Sendable, Equatable {
    case notFound = "FieldValueNotFound"
    case required = "FieldValueRequired"
    case duplicate = "FieldValueDuplicate"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case forbidden = "FieldValueForbidden"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
    case internalError = "InternalError"
    case typeInvalid = "FieldValueTypeInvalid"

    /// The human text of the type (`field.ErrorType.String()`).
    public var text: String {
      switch self {
      case .notFound: "Not found"
      case .required: "Required value"
      case .duplicate: "Duplicate value"
      case .invalid, .typeInvalid: "Invalid value"
      case .notSupported: "Unsupported value"
      case .forbidden: "Forbidden"
      case .tooLong: "Too long"
      case .tooMany: "Too many"
      case .internalError: "Internal error"
      }
    }
  }

  /// A bad value rendered the way Go's `field.Error.ErrorBody` renders it: strings quoted
  /// (`%q`), numbers and booleans bare, anything else pre-rendered.
  public enum BadValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case null
    /// Already rendered text (Go's `%#v` of a composite value, for instance).
    case raw(String)

    public init(_ json: JSONValue) {
      switch json {
      case .string(let s): self = .string(s)
      case .int(let i): self = .int(i)
      case .double(let d): self = .double(d)
      case .bool(let b): self = .bool(b)
      case .null: self = .null
      case .array, .object: self = .raw(GoFormat.sharpV(json))
      }
    }

    var rendered: String {
      switch self {
      case .string(let s): GoFormat.quote(s)
      case .int(let i): String(i)
      case .double(let d): GoFormat.float(d)
      case .bool(let b): b ? "true" : "false"
      case .null: "\"null\""
      case .raw(let r): r
      }
    }
  }

  public var type: ErrorType
  /// The field path, e.g. `spec.workspace.size` or `spec.items[0].name`.
  public var field: String
  /// nil when the type does not show a value (Required, Forbidden, TooLong, Internal).
  public var badValue: BadValue?
  public var detail: String

  public init(_ type: ErrorType, field: String, value: BadValue? = nil, detail: String = "") {
    self.type = type
    self.field = field
    self.badValue = value
    self.detail = detail
  }

  public static func required(_ field: String, _ detail: String = "") -> KubeFieldError {
    KubeFieldError(.required, field: field, detail: detail)
  }
  public static func invalid(_ field: String, _ value: BadValue, _ detail: String) -> KubeFieldError {
    KubeFieldError(.invalid, field: field, value: value, detail: detail)
  }
  public static func typeInvalid(_ field: String, _ value: BadValue, _ detail: String) -> KubeFieldError {
    KubeFieldError(.typeInvalid, field: field, value: value, detail: detail)
  }
  public static func forbidden(_ field: String, _ detail: String) -> KubeFieldError {
    KubeFieldError(.forbidden, field: field, detail: detail)
  }
  /// `field.NotSupported`: `Unsupported value: "x": supported values: "a", "b"`.
  public static func notSupported(_ field: String, _ value: BadValue, supported: [String]) -> KubeFieldError {
    let detail = supported.isEmpty ? "" : "supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
    return KubeFieldError(.notSupported, field: field, value: value, detail: detail)
  }
  /// `field.TooLongMaxLength`: `Too long: may not be more than N bytes`.
  public static func tooLong(_ field: String, maxLength: Int) -> KubeFieldError {
    KubeFieldError(.tooLong, field: field, detail: "may not be more than \(maxLength) bytes")
  }
  /// `field.TooMany`: `Too many: 5: must have at most 3 items`.
  public static func tooMany(_ field: String, actual: Int, max: Int) -> KubeFieldError {
    KubeFieldError(.tooMany, field: field, value: .int(Int64(actual)), detail: "must have at most \(max) items")
  }

  /// `field.Error.ErrorBody()`.
  public var body: String {
    var s: String
    switch type {
    case .required, .forbidden, .tooLong, .internalError:
      s = type.text
    default:
      if let badValue {
        s = type.text + ": " + badValue.rendered
      } else {
        s = type.text
      }
    }
    if !detail.isEmpty { s += ": " + detail }
    return s
  }

  /// `field.Error.Error()`: `<field>: <body>` (Go prints `<nil>` for an empty path).
  public var description: String { (field.isEmpty ? "<nil>" : field) + ": " + body }

  public var cause: StatusCause {
    StatusCause(reason: type.rawValue, message: body, field: field)
  }
}

extension Array where Element == KubeFieldError {
  /// `utilerrors.NewAggregate(errs).Error()`: one message alone, several as `[a, b]`.
  public var aggregateMessage: String {
    if count == 1 { return self[0].description }
    return "[" + map(\.description).joined(separator: ", ") + "]"
  }
}

/// Go `fmt` renderings used in Kubernetes messages.
public enum GoFormat {
  /// `%q` / `strconv.Quote`: printable characters as they are, `\"` and `\\`, the C escapes,
  /// other control characters as `\xNN`, other non-printable characters as `\uNNNN`.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\u{07}": out += "\\a"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0B}": out += "\\v"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          out += "\\x" + hex(u.value, width: 2)
        } else if u.value < 0x80 || isPrintable(u) {
          out.unicodeScalars.append(u)
        } else if u.value < 0x10000 {
          out += "\\u" + hex(u.value, width: 4)
        } else {
          out += "\\U" + hex(u.value, width: 8)
        }
      }
    }
    return out + "\""
  }

  private static func hex(_ v: UInt32, width: Int) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - h.count)) + h
  }

  /// Go's `unicode.IsPrint` for non-ASCII scalars: letters, marks, numbers, punctuation and
  /// symbols (no spaces other than U+0020, no controls, formats or unassigned code points).
  private static func isPrintable(_ u: Unicode.Scalar) -> Bool {
    switch u.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
      .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
      true
    default: false
    }
  }

  /// The JSON type `encoding/json` names in `cannot unmarshal X into Go value of type …`.
  static func jsonTypeName(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool: "bool"
    case .int, .double: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  /// `%v` of a float64: integral values without a fraction (below 1e21), others shortest.
  static func float(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e21 { return String(format: "%.0f", d) }
    return "\(d)"
  }

  /// `%#v` of decoded JSON (`map[string]interface {}{"a":1}`), used for composite bad values.
  static func sharpV(_ v: JSONValue) -> String {
    switch v {
    case .null: return "interface {}(nil)"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return float(d)
    case .string(let s): return quote(s)
    case .array(let a): return "[]interface {}{" + a.map(sharpV).joined(separator: ", ") + "}"
    case .object(let o):
      return "map[string]interface {}{"
        + o.keys.sorted().map { quote($0) + ":" + sharpV(o[$0]!) }.joined(separator: ", ") + "}"
    }
  }
}
