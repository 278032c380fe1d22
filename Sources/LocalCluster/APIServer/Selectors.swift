import APIMachinery
import CRDModels
import Foundation

/// A parsed label selector (parsing and matching are `APIMachinery`'s).
struct LabelSelector: Sendable {
  var selector: APIMachinery.LabelSelectorMatcher

  static func parse(_ s: String) throws -> LabelSelector {
    LabelSelector(selector: try Machinery.parseLabelSelector(s))
  }

  func matches(_ labels: [String: String]) -> Bool { selector.matches(labels) }
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
    let parsed = try Machinery.parseFieldSelector(s)
    var terms: [Term] = []
    for t in parsed.terms {
      guard supportedFields(r).contains(t.field) else {
        throw APIErrors.badRequest("field label not supported: \(t.field)")
      }
      terms.append(Term(field: t.field, value: t.value, negated: t.op == .notEquals))
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
