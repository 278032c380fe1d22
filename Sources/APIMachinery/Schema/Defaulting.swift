import CRDModels

extension StructuralSchema {
  /// Applies `default` values where fields are missing, recursively, as the API server does for
  /// custom resources when decoding a request and when reading from storage
  /// (`structuraldefaulting.Default`).
  ///
  /// A member that is missing — or `null` while its schema is not `nullable` — gets a copy of
  /// the default; defaults are applied top-down, so a defaulted object receives the defaults of
  /// its own members. Items of arrays and values of `additionalProperties` maps are defaulted
  /// too. Run `pruneNonNullableNullsWithoutDefaults` first, as the server does.
  public func applyDefaults(_ object: JSONValue) -> JSONValue {
    switch object {
    case .object(var o):
      for (k, prop) in properties {
        guard let d = prop.defaultValue else { continue }
        if o[k] == nil || (o[k] == .null && !prop.nullable) { o[k] = d }
      }
      for (k, v) in o {
        if let prop = properties[k] {
          o[k] = prop.applyDefaults(v)
        } else if let ap = additionalProperties {
          var value = v
          if value.isNull, !ap.nullable, let d = ap.defaultValue { value = d }
          o[k] = ap.applyDefaults(value)
        }
      }
      return .object(o)
    case .array(var a):
      guard let items else { return object }
      for i in a.indices {
        if a[i].isNull, !items.nullable, let d = items.defaultValue { a[i] = d }
        a[i] = items.applyDefaults(a[i])
      }
      return .array(a)
    default:
      return object
    }
  }

  /// What the API server does to a custom resource body before validating it: prune unknown
  /// fields, drop non-nullable nulls without defaults, apply defaults.
  public func normalize(_ object: JSONValue) -> PruneResult {
    var result = prune(object)
    result.object = applyDefaults(pruneNonNullableNullsWithoutDefaults(result.object))
    return result
  }
}
