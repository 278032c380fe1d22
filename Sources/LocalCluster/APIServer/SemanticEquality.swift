import CRDModels

/// apimachinery's `equality.Semantic.DeepEqual` on JSON: what kube-apiserver uses to decide
/// whether an update changed an immutable field. Nil and empty lists or maps are equal (Go
/// decodes both to an empty field), and quantities compare by value (`0.5` equals `500m`).
enum SemanticEquality {
  /// `value` with nulls and empty lists/maps removed and every string that is a quantity in a
  /// `requests`, `limits`, `capacity` or `allocatable` map replaced by its value.
  static func normalized(_ value: JSONValue, quantities: Bool = false) -> JSONValue {
    switch value {
    case .object(let o):
      var out: [String: JSONValue] = [:]
      for (k, v) in o {
        let n = normalized(v, quantities: quantities || quantityMaps.contains(k))
        if !isEmpty(n) { out[k] = n }
      }
      return .object(out)
    case .array(let a):
      return .array(a.map { normalized($0) })
    case .string(let s) where quantities:
      guard let q = try? Quantity(parsing: s) else { return value }
      return .double(q.doubleValue)
    case .double(let d) where d == d.rounded() && abs(d) < 9e15:
      return .int(Int64(d))
    default:
      return value
    }
  }

  private static let quantityMaps: Set<String> = ["requests", "limits", "capacity", "allocatable", "overhead"]

  private static func isEmpty(_ v: JSONValue) -> Bool {
    switch v {
    case .null: return true
    case .object(let o): return o.isEmpty
    case .array(let a): return a.isEmpty
    default: return false
    }
  }
}
