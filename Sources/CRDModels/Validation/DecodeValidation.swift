import Foundation

/// Decoding user input (a manifest, a request body) into a gra kind with errors that name the
/// field, like ``FieldError``s, instead of Swift's `DecodingError`s.
public enum ManifestDecoder {
  /// Decodes `json` as `T`; a wrong type or a bad quantity becomes a ``FieldError`` naming the
  /// field (`spec.workspace.size: Invalid value: "ten": …`).
  public static func decode<T: Decodable>(
    _ type: T.Type, from json: JSONValue
  ) -> Result<
    T, FieldError
  > {
    do {
      return .success(try json.decode(T.self))
    } catch let error as DecodingError {
      return .failure(fieldError(error, in: json))
    } catch {
      return .failure(FieldError(.invalid, FieldPath(""), "\(error)"))
    }
  }

  /// Decodes and validates a Runner: decoding problems first, else ``Runner/validate()``.
  public static func runner(_ json: JSONValue) -> (Runner?, [FieldError]) {
    switch decode(Runner.self, from: json) {
    case .success(let r): return (r, r.validate())
    case .failure(let e): return (nil, [e])
    }
  }

  /// Decodes and validates a TracerJob.
  public static func tracerJob(_ json: JSONValue) -> (TracerJob?, [FieldError]) {
    switch decode(TracerJob.self, from: json) {
    case .success(let j): return (j, j.validate())
    case .failure(let e): return (nil, [e])
    }
  }

  static let mapFields: Set<String> = [
    "limits", "requests", "nodeSelector", "capacity", "labels", "annotations",
  ]

  static func fieldError(_ error: DecodingError, in json: JSONValue) -> FieldError {
    let (context, kind, detail): (DecodingError.Context, FieldError.Kind, String?) =
      switch error {
      case .typeMismatch(let t, let c): (c, .invalid, "must be of type \(jsonTypeName(t))")
      case .valueNotFound(let t, let c): (c, .required, "must be a \(jsonTypeName(t)), not null")
      case .keyNotFound(let k, let c):
        (
          DecodingError.Context(
            codingPath: c.codingPath + [k], debugDescription: c.debugDescription), .required,
          "this field is required"
        )
      case .dataCorrupted(let c): (c, .invalid, nil)
      @unknown default:
        (DecodingError.Context(codingPath: [], debugDescription: "\(error)"), .invalid, nil)
      }
    var path = FieldPath("")
    var cursor: JSONValue? = json
    var previous = ""
    for key in context.codingPath {
      if let i = key.intValue, key.stringValue.hasPrefix("Index") || cursor?.arrayValue != nil {
        path = path.index(i)
        cursor = cursor?[i]
      } else {
        path =
          mapFields.contains(previous) ? path.key(key.stringValue) : path.child(key.stringValue)
        cursor = cursor?[key.stringValue]
        previous = key.stringValue
      }
    }
    var value: String? = nil
    switch cursor {
    case .string(let s): value = s
    case .int(let i): value = String(i)
    case .double(let d): value = String(d)
    case .bool(let b): value = String(b)
    default: break
    }
    var message = detail ?? context.debugDescription
    if detail == nil, message.contains("quantities must match") || message.contains("quantity") {
      message =
        "must be a quantity such as 500m, 2, 10Gi or 1.5G (\(message.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? message))"
    }
    return FieldError(kind, path, value: kind == .required ? nil : value, message)
  }

  static func jsonTypeName(_ t: Any.Type) -> String {
    switch t {
    case is String.Type: "string"
    case is Bool.Type: "boolean"
    case is Int32.Type, is Int64.Type, is Int.Type: "integer"
    case is Double.Type: "number"
    default: String(describing: t).hasPrefix("Array") ? "array" : "object"
    }
  }
}
