import CRDModels

extension StructuralSchema {
  /// The uniqueness rules of `x-kubernetes-list-type` the API server checks after schema
  /// validation (`apiextensions-apiserver/pkg/apiserver/schema/listtype`): a `set` may not hold
  /// the same value twice, a `map` may not hold two elements with the same
  /// `x-kubernetes-list-map-keys` values — both `FieldValueDuplicate` at the later index
  /// (`spec.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}`).
  public func validateListTypes(_ object: JSONValue) -> [KubeFieldError] {
    var errs: [KubeFieldError] = []
    ListTypeValidator.validate(object, self, path: "", errs: &errs)
    return errs
  }
}

enum ListTypeValidator {
  static func validate(_ x: JSONValue, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    switch x {
    case .object(let o):
      for k in o.keys.sorted() {
        guard let child = s.schema(forMember: k) else { continue }
        validate(o[k]!, child, path: path.isEmpty ? k : path + "." + k, errs: &errs)
      }
    case .array(let a):
      switch s.listType {
      case "set":
        var seen: [JSONValue] = []
        for (i, v) in a.enumerated() {
          if seen.contains(v) {
            errs.append(KubeFieldError(.duplicate, field: "\(path)[\(i)]", value: KubeFieldError.BadValue(v)))
          } else {
            seen.append(v)
          }
        }
      case "map":
        var seen: [[String: JSONValue]] = []
        for (i, v) in a.enumerated() {
          guard case .object(let o) = v else {
            errs.append(
              .invalid("\(path)[\(i)]", KubeFieldError.BadValue(v), "must be an object for an array of list-type map"))
            continue
          }
          var keys: [String: JSONValue] = [:]
          for k in s.listMapKeys {
            if let value = o[k] ?? s.items?.properties[k]?.defaultValue { keys[k] = value }
          }
          if seen.contains(keys) {
            errs.append(KubeFieldError(.duplicate, field: "\(path)[\(i)]", value: .raw(GoFormat.sharpV(.object(keys)))))
          } else {
            seen.append(keys)
          }
        }
      default:
        break
      }
      if let items = s.items {
        for (i, v) in a.enumerated() { validate(v, items, path: "\(path)[\(i)]", errs: &errs) }
      }
    default:
      break
    }
  }
}
