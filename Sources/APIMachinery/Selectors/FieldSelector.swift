import CRDModels

/// A field selector, as `k8s.io/apimachinery/pkg/fields.ParseSelector` reads `?fieldSelector=`:
/// comma-separated `field=value`, `field==value` or `field!=value` terms, ANDed (kept sorted, as
/// kube sorts them). `\,`, `\=` and `\\` escape those characters in values; an unescaped `,`
/// or `=` in a value is an error.
///
/// Which fields a kind supports is the server's decision (every kind: `metadata.name`,
/// `metadata.namespace`; pods also `spec.nodeName`, `status.phase`, …); `fields` lists what a
/// selector uses so the server can answer 400 for the rest (see `unsupportedFieldMessage`).
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
  public enum Operator: String, Sendable, Equatable {
    case equals = "="
    case doubleEquals = "=="
    case notEquals = "!="
  }

  public struct Term: Sendable, Equatable {
    public var field: String
    public var op: Operator
    public var value: String
    public init(field: String, op: Operator, value: String) {
      self.field = field
      self.op = op
      self.value = value
    }
  }

  public var terms: [Term]

  public init(terms: [Term] = []) { self.terms = terms }

  public static let everything = FieldSelector()

  public var isEmpty: Bool { terms.isEmpty }

  /// The fields the selector tests, in order, without duplicates.
  public var fields: [String] {
    var seen: [String] = []
    for t in terms where !seen.contains(t.field) { seen.append(t.field) }
    return seen
  }

  /// `fields.ParseSelector`.
  public static func parse(_ text: String) throws(FieldSelectorError) -> FieldSelector {
    var terms: [Term] = []
    for part in splitTerms(text).sorted() where !part.isEmpty {
      guard let (lhs, op, rhs) = splitOperator(part) else {
        throw FieldSelectorError("invalid selector: '\(text)'; can't understand '\(part)'")
      }
      terms.append(Term(field: lhs, op: op, value: try unescape(rhs)))
    }
    return FieldSelector(terms: terms)
  }

  /// Whether an object matches, reading each field with `value(field)`. A field the getter does
  /// not know reads as the empty string (kube's `fields.Set.Get`).
  public func matches(_ value: (String) -> String?) -> Bool {
    terms.allSatisfy { t in
      let actual = value(t.field) ?? ""
      return t.op == .notEquals ? actual != t.value : actual == t.value
    }
  }

  /// Matches against a plain map of field values (as `fields.Set`).
  public func matches(_ set: [String: String]) -> Bool { matches { set[$0] } }

  /// The value the selector requires `field` to have (`RequiresExactMatch`), e.g. to turn
  /// `metadata.name=x` into a single-object read.
  public func requiredValue(for field: String) -> String? {
    for t in terms where t.field == field && t.op != .notEquals { return t.value }
    return nil
  }

  public var description: String {
    terms.map { $0.field + $0.op.rawValue + FieldSelector.escape($0.value) }.joined(separator: ",")
  }

  /// The message kube's generic registry (and so every custom resource) answers for an
  /// unsupported field, as a 400 `BadRequest`.
  public static func unsupportedFieldMessage(_ field: String) -> String {
    "\(GoFormat.quote(field)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
  }

  /// The message built-in kinds with their own field set answer (pods, events, …).
  public static func fieldLabelNotSupportedMessage(_ field: String) -> String {
    "field label not supported: \(field)"
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      if c == "\\" || c == "," || c == "=" { out.append("\\") }
      out.append(c)
    }
    return out
  }

  static func splitTerms(_ text: String) -> [String] {
    var terms: [String] = []
    var current = ""
    var escaped = false
    for c in text {
      if escaped {
        current.append(c)
        escaped = false
      } else if c == "\\" {
        current.append(c)
        escaped = true
      } else if c == "," {
        terms.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    terms.append(current)
    return terms
  }

  /// Finds the first operator, trying `!=`, then `==`, then `=` at each position.
  static func splitOperator(_ term: String) -> (String, Operator, String)? {
    let chars = Array(term)
    var i = 0
    while i < chars.count {
      for op in [Operator.notEquals, .doubleEquals, .equals] {
        let o = Array(op.rawValue)
        if i + o.count <= chars.count, Array(chars[i..<(i + o.count)]) == o {
          return (String(chars[..<i]), op, String(chars[(i + o.count)...]))
        }
      }
      i += 1
    }
    return nil
  }

  static func unescape(_ s: String) throws(FieldSelectorError) -> String {
    var out = ""
    var escaped = false
    for c in s {
      if escaped {
        guard c == "\\" || c == "," || c == "=" else {
          throw FieldSelectorError("invalid field selector: invalid escape sequence: \\\(c)")
        }
        out.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "," || c == "=" {
        throw FieldSelectorError("invalid field selector: unescaped character in value: \(c)")
      } else {
        out.append(c)
      }
    }
    if escaped { throw FieldSelectorError("invalid field selector: invalid escape sequence: \\") }
    return out
  }
}

/// A field selector that could not be parsed; the API server answers 400 `BadRequest`.
public struct FieldSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
  public var status: Status { Status(message: message, reason: "BadRequest", code: 400) }
}
