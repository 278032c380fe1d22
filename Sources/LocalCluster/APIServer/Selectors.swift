import Foundation
import CRDModels

/// A parsed label selector. The parser is a stand-in until `APIMachinery`'s selector
/// parsing lands; only this file changes then.
struct LabelSelector: Sendable {
  enum Requirement: Sendable {
    case equals(String, String)
    case notEquals(String, String)
    case exists(String)
    case notExists(String)
    case inSet(String, Set<String>)
    case notIn(String, Set<String>)
  }
  var requirements: [Requirement] = []

  static func parse(_ s: String) throws -> LabelSelector {
    var reqs: [Requirement] = []
    for raw in splitTopLevel(s) {
      let t = raw.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { continue }
      if let r = t.range(of: " notin ") {
        reqs.append(.notIn(String(t[..<r.lowerBound]).trimmed, try values(String(t[r.upperBound...]))))
      } else if let r = t.range(of: " in ") {
        reqs.append(.inSet(String(t[..<r.lowerBound]).trimmed, try values(String(t[r.upperBound...]))))
      } else if let r = t.range(of: "!=") {
        reqs.append(.notEquals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed))
      } else if let r = t.range(of: "==") {
        reqs.append(.equals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed))
      } else if let r = t.range(of: "=") {
        reqs.append(.equals(String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed))
      } else if t.hasPrefix("!") {
        reqs.append(.notExists(String(t.dropFirst()).trimmed))
      } else {
        guard !t.contains(" ") else { throw APIErrors.badRequest("unable to parse requirement: \(t)") }
        reqs.append(.exists(t))
      }
    }
    return LabelSelector(requirements: reqs)
  }

  private static func values(_ s: String) throws -> Set<String> {
    let t = s.trimmed
    guard t.hasPrefix("("), t.hasSuffix(")") else {
      throw APIErrors.badRequest("unable to parse requirement: found '\(t)', expected: '('")
    }
    return Set(t.dropFirst().dropLast().split(separator: ",").map { String($0).trimmed })
  }

  private static func splitTopLevel(_ s: String) -> [String] {
    var out: [String] = []
    var cur = ""
    var depth = 0
    for c in s {
      if c == "(" { depth += 1 }
      if c == ")" { depth -= 1 }
      if c == ",", depth == 0 {
        out.append(cur)
        cur = ""
      } else {
        cur.append(c)
      }
    }
    out.append(cur)
    return out
  }

  func matches(_ labels: [String: String]) -> Bool {
    for r in requirements {
      switch r {
      case .equals(let k, let v): if labels[k] != v { return false }
      case .notEquals(let k, let v): if labels[k] == v { return false }
      case .exists(let k): if labels[k] == nil { return false }
      case .notExists(let k): if labels[k] != nil { return false }
      case .inSet(let k, let vs): guard let v = labels[k], vs.contains(v) else { return false }
      case .notIn(let k, let vs): if let v = labels[k], vs.contains(v) { return false }
      }
    }
    return true
  }
}

/// A field selector, restricted to the fields kube-apiserver supports for each resource.
struct FieldSelector: Sendable {
  struct Term: Sendable {
    var field: String
    var value: String
    var negated: Bool
  }
  var terms: [Term] = []

  /// The single `metadata.name=x` term, when the selector names one object.
  var singleName: String? {
    terms.count == 1 && terms[0].field == "metadata.name" && !terms[0].negated ? terms[0].value : nil
  }

  static func parse(_ s: String, for r: ResourceInfo) throws -> FieldSelector {
    var terms: [Term] = []
    for raw in s.split(separator: ",") {
      let t = String(raw).trimmed
      if t.isEmpty { continue }
      let term: Term
      if let rg = t.range(of: "!=") {
        term = Term(field: String(t[..<rg.lowerBound]).trimmed, value: String(t[rg.upperBound...]), negated: true)
      } else if let rg = t.range(of: "==") {
        term = Term(field: String(t[..<rg.lowerBound]).trimmed, value: String(t[rg.upperBound...]), negated: false)
      } else if let rg = t.range(of: "=") {
        term = Term(field: String(t[..<rg.lowerBound]).trimmed, value: String(t[rg.upperBound...]), negated: false)
      } else {
        throw APIErrors.badRequest("invalid selector: '\(s)'; can't understand '\(t)'")
      }
      guard supportedFields(r).contains(term.field) else {
        throw APIErrors.badRequest("field label not supported: \(term.field)")
      }
      terms.append(term)
    }
    return FieldSelector(terms: terms)
  }

  static func supportedFields(_ r: ResourceInfo) -> Set<String> {
    var f: Set<String> = ["metadata.name", "metadata.namespace"]
    switch r.storageKey {
    case "/pods":
      f.formUnion([
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName",
      ])
    case "/events":
      f.formUnion([
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type",
      ])
    case "/secrets": f.insert("type")
    case "/namespaces": f.insert("status.phase")
    case "/nodes": f.insert("spec.unschedulable")
    default: break
    }
    return f
  }

  func matches(_ obj: JSONValue) -> Bool {
    for t in terms {
      let v = FieldSelector.fieldValue(obj, t.field)
      if (v == t.value) == t.negated { return false }
    }
    return true
  }

  static func fieldValue(_ obj: JSONValue, _ field: String) -> String {
    if field == "source" { return obj["source"]["component"].stringValue ?? "" }
    let v = obj.value(at: field.split(separator: ".").map(String.init)) ?? .null
    switch v {
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    default: return ""
    }
  }
}

extension String {
  var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
