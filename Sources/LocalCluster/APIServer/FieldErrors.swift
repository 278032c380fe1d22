import APIMachinery
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
      case .string(let s): GoFormat.quote(s)
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
    StatusCause(reason: "FieldValueNotFound", message: "Not found: \(GoFormat.quote(value))", field: field)
  }

  /// `field.NotSupported`: the supported values quoted, in the order given.
  static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> StatusCause {
    let detail = supported.isEmpty ? "" : "supported values: " + supported.map(GoFormat.quote).joined(separator: ", ")
    return StatusCause(
      reason: "FieldValueNotSupported", message: body("Unsupported value: \(GoFormat.quote(value))", detail),
      field: field)
  }

  private static func body(_ head: String, _ detail: String) -> String {
    detail.isEmpty ? head : "\(head): \(detail)"
  }
}
