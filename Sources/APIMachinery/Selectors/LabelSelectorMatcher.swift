import CRDModels

/// A label selector, as `k8s.io/apimachinery/pkg/labels.Selector`.
///
/// Built from the string form (`LabelSelectorMatcher.parse`, what `?labelSelector=` carries) or from a
/// `metav1.LabelSelector` (`init(json:)`, what `spec.selector`, `aggregationRule` and
/// NetworkPolicies carry). Requirements are kept sorted by key, as kube sorts them.
public struct LabelSelectorMatcher: Sendable, Equatable, CustomStringConvertible {
  /// `selection.Operator`.
  public enum Operator: String, Sendable, Equatable {
    case equals = "="
    case doubleEquals = "=="
    case notEquals = "!="
    case `in` = "in"
    case notIn = "notin"
    case exists = "exists"
    case doesNotExist = "!"
    case greaterThan = "gt"
    case lessThan = "lt"
  }

  public struct Requirement: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var op: Operator
    /// Sorted and unique for set operators; one value for the others.
    public var values: [String]

    /// `labels.NewRequirement`: validates the key, the values and their count.
    public init(key: String, op: Operator, values: [String]) throws(LabelSelectorError) {
      var errs: [KubeFieldError] = []
      let keyErrs = NameValidation.qualifiedNameErrors(key)
      if !keyErrs.isEmpty {
        errs.append(.invalid("key", .string(key), keyErrs.joined(separator: "; ")))
      }
      let valuesValue = BadValueRendering.stringSlice(values)
      switch op {
      case .in, .notIn:
        if values.isEmpty {
          errs.append(.invalid("values", valuesValue, "for 'in', 'notin' operators, values set can't be empty"))
        }
      case .equals, .doubleEquals, .notEquals:
        if values.count != 1 {
          errs.append(.invalid("values", valuesValue, "exact-match compatibility requires one single value"))
        }
      case .exists, .doesNotExist:
        if !values.isEmpty {
          errs.append(.invalid("values", valuesValue, "values set must be empty for exists and does not exist"))
        }
      case .greaterThan, .lessThan:
        if values.count != 1 {
          errs.append(.invalid("values", valuesValue, "for 'Gt', 'Lt' operators, exactly one value is required"))
        }
        for (i, v) in values.enumerated() where Int64(v) == nil {
          errs.append(.invalid("values[\(i)]", .string(v), "for 'Gt', 'Lt' operators, the value must be an integer"))
        }
      }
      for (i, v) in values.enumerated() {
        let valueErrs = NameValidation.labelValueErrors(v)
        if !valueErrs.isEmpty {
          errs.append(.invalid("values[\(i)][\(key)]", .string(v), valueErrs.joined(separator: "; ")))
        }
      }
      if !errs.isEmpty { throw LabelSelectorError(errs.aggregateMessage) }
      self.key = key
      self.op = op
      self.values = values
    }

    /// `Requirement.Matches`.
    public func matches(_ labels: [String: String]) -> Bool {
      switch op {
      case .in, .equals, .doubleEquals:
        guard let v = labels[key] else { return false }
        return values.contains(v)
      case .notIn, .notEquals:
        guard let v = labels[key] else { return true }
        return !values.contains(v)
      case .exists:
        return labels[key] != nil
      case .doesNotExist:
        return labels[key] == nil
      case .greaterThan, .lessThan:
        guard let raw = labels[key], let actual = Int64(raw), values.count == 1, let bound = Int64(values[0]) else {
          return false
        }
        return op == .greaterThan ? actual > bound : actual < bound
      }
    }

    /// `Requirement.String()`: `a=b`, `a in (x,y)`, `!a`, `a>1`.
    public var description: String {
      var s = op == .doesNotExist ? "!" + key : key
      switch op {
      case .equals: s += "="
      case .doubleEquals: s += "=="
      case .notEquals: s += "!="
      case .in: s += " in "
      case .notIn: s += " notin "
      case .greaterThan: s += ">"
      case .lessThan: s += "<"
      case .exists, .doesNotExist: return s
      }
      let joined = values.count == 1 ? values[0] : values.sorted().joined(separator: ",")
      return op == .in || op == .notIn ? s + "(" + joined + ")" : s + joined
    }
  }

  public var requirements: [Requirement]
  /// True for `labels.Nothing()` (a nil `metav1.LabelSelector`): matches no object.
  public var matchesNothing: Bool

  public init(requirements: [Requirement] = []) {
    self.requirements = requirements.sorted { $0.key < $1.key }
    self.matchesNothing = false
  }

  /// Matches every object.
  public static let everything = LabelSelectorMatcher()
  /// Matches no object (`labels.Nothing()`).
  public static let nothing: LabelSelectorMatcher = {
    var s = LabelSelectorMatcher()
    s.matchesNothing = true
    return s
  }()

  /// True when the selector does not restrict anything.
  public var isEmpty: Bool { requirements.isEmpty && !matchesNothing }

  public func matches(_ labels: [String: String]) -> Bool {
    if matchesNothing { return false }
    return requirements.allSatisfy { $0.matches(labels) }
  }

  /// Matches against `metadata.labels` of an object.
  public func matches(object: JSONValue) -> Bool {
    matches(LabelSelectorMatcher.labels(of: object))
  }

  /// `metadata.labels` of an object as a string map (non-string values ignored).
  public static func labels(of object: JSONValue) -> [String: String] {
    guard let o = object["metadata"]["labels"].objectValue else { return [:] }
    var out: [String: String] = [:]
    for (k, v) in o {
      if let s = v.stringValue { out[k] = s }
    }
    return out
  }

  /// The value the selector requires `label` to have, if it pins exactly one
  /// (`RequiresExactMatch`).
  public func requiredValue(for label: String) -> String? {
    guard let r = requirements.first(where: { $0.key == label }) else { return nil }
    switch r.op {
    case .equals, .doubleEquals, .in: return r.values.count == 1 ? r.values[0] : nil
    default: return nil
    }
  }

  /// `Selector.String()`.
  public var description: String { requirements.map(\.description).joined(separator: ",") }
}

/// A label selector that could not be parsed or built; the API server answers 400 `BadRequest`
/// with `message` as the Status message.
public struct LabelSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
  public var status: Status { Status(message: message, reason: "BadRequest", code: 400) }
}

enum BadValueRendering {
  /// Go's `%#v` of a `[]string`.
  static func stringSlice(_ values: [String]) -> KubeFieldError.BadValue {
    .raw("[]string{" + values.map(GoFormat.quote).joined(separator: ", ") + "}")
  }
}
