import CRDModels

/// apimachinery's `field.Error` as a `StatusCause`: the cause's message is kube's
/// `ErrorBody()` (`Invalid value: "x": detail`, `Required value`, `Duplicate value: "x"`, …)
/// and its field the path (`spec.containers[0].env[1].name`).
enum FieldErrors {
  /// A bad value as `ErrorBody` prints it.
  enum Value {
    /// A Go string, printed with `%q`.
    case string(String)
    /// A Go integer or bool, printed with `%v`.
    case plain(String)
    /// Already in Go syntax (`%#v` of a struct, e.g. a `resource.Quantity`).
    case goSyntax(String)

    var rendered: String {
      switch self {
      case .string(let s): FieldErrors.goQuote(s)
      case .plain(let s), .goSyntax(let s): s
      }
    }
  }

  static func required(_ field: String, _ detail: String = "") -> StatusCause {
    StatusCause(reason: "FieldValueRequired", message: body("Required value", detail), field: field)
  }

  static func forbidden(_ field: String, _ detail: String) -> StatusCause {
    StatusCause(reason: "FieldValueForbidden", message: body("Forbidden", detail), field: field)
  }

  static func invalid(_ field: String, _ value: Value, _ detail: String) -> StatusCause {
    StatusCause(
      reason: "FieldValueInvalid", message: body("Invalid value: \(value.rendered)", detail), field: field)
  }

  static func invalid(_ field: String, _ value: String, _ detail: String) -> StatusCause {
    invalid(field, .string(value), detail)
  }

  static func duplicate(_ field: String, _ value: Value) -> StatusCause {
    StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \(value.rendered)", field: field)
  }

  static func notFound(_ field: String, _ value: String) -> StatusCause {
    StatusCause(reason: "FieldValueNotFound", message: "Not found: \(goQuote(value))", field: field)
  }

  /// `field.NotSupported`: the supported values quoted, in the order given.
  static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> StatusCause {
    let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuote).joined(separator: ", ")
    return StatusCause(
      reason: "FieldValueNotSupported", message: body("Unsupported value: \(goQuote(value))", detail), field: field)
  }

  private static func body(_ head: String, _ detail: String) -> String {
    detail.isEmpty ? head : "\(head): \(detail)"
  }

  /// Go's `strconv.Quote`: printable characters as they are, `\"` and `\\`, the C escapes,
  /// other control characters as `\xNN`, other non-printable characters as `\uNNNN`.
  static func goQuote(_ s: String) -> String {
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
}
