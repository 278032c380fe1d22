import CRDModels

extension StructuralSchema {
  /// The result of pruning: the object without undeclared fields, and where those were.
  public struct PruneResult: Sendable, Equatable {
    public var object: JSONValue
    /// Paths of the dropped fields, sorted: `spec.foo`, `spec.items[0].bar`, `metadata.foo`.
    /// With `fieldValidation=Strict` the API server rejects the request with them
    /// (`strict decoding error: unknown field "spec.foo"`); with `Warn` they become warnings.
    public var unknownFields: [String]
  }

  /// Drops every field the schema does not declare, as the API server does for custom
  /// resources on every write and read (`structuralpruning.PruneWithOptions`).
  ///
  /// - `x-kubernetes-preserve-unknown-fields: true` keeps undeclared fields below that node
  ///   (declared ones are still pruned inside);
  /// - at the resource root and at every `x-kubernetes-embedded-resource` node, `apiVersion`,
  ///   `kind` and `metadata` are kept whatever the schema says, and `metadata` is coerced to
  ///   `ObjectMeta`: unknown metadata fields are dropped (and reported).
  public func prune(_ object: JSONValue, isResourceRoot: Bool = true) -> PruneResult {
    var unknown: [String] = []
    var x = object
    Pruner.prune(&x, self, embedded: isResourceRoot || embeddedResource, path: [], unknown: &unknown)
    return PruneResult(object: x, unknownFields: unknown.sorted())
  }

  /// Removes `null` members whose schema is neither nullable nor defaulted
  /// (`structuraldefaulting.PruneNonNullableNullsWithoutDefaults`), before defaulting.
  public func pruneNonNullableNullsWithoutDefaults(_ object: JSONValue) -> JSONValue {
    switch object {
    case .object(var o):
      for (k, v) in o {
        guard let s = schema(forMember: k) else { continue }
        if v.isNull {
          if s.defaultValue == nil && !s.nullable { o.removeValue(forKey: k) }
        } else {
          o[k] = s.pruneNonNullableNullsWithoutDefaults(v)
        }
      }
      return .object(o)
    case .array(let a):
      guard let items else { return object }
      return .array(a.map { items.pruneNonNullableNullsWithoutDefaults($0) })
    default:
      return object
    }
  }
}

enum Pruner {
  static let metaFields: Set<String> = ["apiVersion", "kind", "metadata"]

  /// The `metav1.ObjectMeta` fields (JSON names); anything else in `metadata` is dropped.
  static let objectMetaFields: Set<String> = [
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
    "managedFields",
  ]

  static func render(_ path: [String], _ field: String? = nil) -> String {
    var s = ""
    for p in path {
      if p.hasPrefix("[") { s += p } else { s += s.isEmpty ? p : "." + p }
    }
    if let field { s += s.isEmpty ? field : "." + field }
    return s
  }

  static func coerceMetadata(_ x: inout JSONValue, path: [String], unknown: inout [String]) {
    guard case .object(var o) = x else { return }
    for k in o.keys where !objectMetaFields.contains(k) {
      unknown.append(render(path + ["metadata"], k))
      o.removeValue(forKey: k)
    }
    x = .object(o)
  }

  static func prune(
    _ x: inout JSONValue, _ s: StructuralSchema?, embedded: Bool, path: [String], unknown: inout [String]
  ) {
    if let s, s.preserveUnknownFields {
      skipPrune(&x, s, embedded: embedded, path: path, unknown: &unknown)
      return
    }
    switch x {
    case .object(var o):
      guard let s else {
        for k in o.keys { unknown.append(render(path, k)) }
        x = .object([:])
        return
      }
      pruneFields(&o, s, embedded: embedded, path: path, unknown: &unknown, dropUnknown: true)
      x = .object(o)
    case .array(var a):
      for i in a.indices {
        prune(
          &a[i], s?.items, embedded: s?.items?.embeddedResource ?? false, path: path + ["[\(i)]"], unknown: &unknown)
      }
      x = .array(a)
    default:
      return
    }
  }

  /// Prunes the fields of one object against `s`: embedded resources keep `apiVersion`, `kind`
  /// and a coerced `metadata`; fields the schema declares are pruned recursively; undeclared
  /// fields are dropped and reported only when `dropUnknown` (false under
  /// `x-kubernetes-preserve-unknown-fields`).
  static func pruneFields(
    _ o: inout [String: JSONValue], _ s: StructuralSchema, embedded: Bool, path: [String], unknown: inout [String],
    dropUnknown: Bool
  ) {
    for k in Array(o.keys) {
      if embedded && metaFields.contains(k) {
        if k == "metadata" {
          var m = o[k]!
          coerceMetadata(&m, path: path, unknown: &unknown)
          o[k] = m
        }
        continue
      }
      if let child = s.properties[k] ?? s.additionalProperties {
        var v = o[k]!
        prune(&v, child, embedded: child.embeddedResource, path: path + [k], unknown: &unknown)
        o[k] = v
      } else if dropUnknown {
        unknown.append(render(path, k))
        o.removeValue(forKey: k)
      }
    }
  }

  static func skipPrune(
    _ x: inout JSONValue, _ s: StructuralSchema, embedded: Bool, path: [String], unknown: inout [String]
  ) {
    switch x {
    case .object(var o):
      pruneFields(&o, s, embedded: embedded, path: path, unknown: &unknown, dropUnknown: false)
      x = .object(o)
    case .array(var a):
      guard let items = s.items else { return }
      for i in a.indices {
        if items.preserveUnknownFields {
          skipPrune(&a[i], items, embedded: items.embeddedResource, path: path + ["[\(i)]"], unknown: &unknown)
        } else {
          prune(&a[i], items, embedded: items.embeddedResource, path: path + ["[\(i)]"], unknown: &unknown)
        }
      }
      x = .array(a)
    default:
      return
    }
  }
}
