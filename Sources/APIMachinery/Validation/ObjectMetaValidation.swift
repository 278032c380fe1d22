import CRDModels

/// `metadata` checks the API server runs on every create and update
/// (`apimachinery/pkg/api/validation.ValidateObjectMeta`), with its paths and messages.
public enum ObjectMetaValidation {
  /// How a kind's names are checked.
  public enum NameRule: Sendable {
    /// RFC 1123 subdomain (most kinds and every custom resource).
    case dnsSubdomain
    /// RFC 1123 label (Namespace, Service).
    case dnsLabel
    /// Any path segment: not `.` or `..`, no `/` or `%` (RBAC kinds, ServiceAccount-free kinds).
    case pathSegment
  }

  /// The field errors for `metadata` of an object being created or updated.
  /// `namespaced` says whether the kind lives in namespaces (then `metadata.namespace` is
  /// required, else forbidden).
  public static func validate(
    _ metadata: JSONValue, nameRule: NameRule = .dnsSubdomain, namespaced: Bool
  ) -> [KubeFieldError] {
    var errs: [KubeFieldError] = []
    let name = metadata["name"].stringValue ?? ""
    let generateName = metadata["generateName"].stringValue ?? ""
    if !generateName.isEmpty {
      for msg in nameErrors(generateName, nameRule, prefix: true) {
        errs.append(.invalid("metadata.generateName", .string(generateName), msg))
      }
    }
    if name.isEmpty {
      errs.append(.required("metadata.name", "name or generateName is required"))
    } else {
      for msg in nameErrors(name, nameRule, prefix: false) {
        errs.append(.invalid("metadata.name", .string(name), msg))
      }
    }
    let ns = metadata["namespace"].stringValue ?? ""
    if namespaced {
      if ns.isEmpty {
        errs.append(.required("metadata.namespace", ""))
      } else {
        for msg in NameValidation.dns1123LabelErrors(ns) {
          errs.append(.invalid("metadata.namespace", .string(ns), msg))
        }
      }
    } else if !ns.isEmpty {
      errs.append(.forbidden("metadata.namespace", "not allowed on this type"))
    }
    for (k, v) in (metadata["labels"].objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
      for msg in NameValidation.qualifiedNameErrors(k) {
        errs.append(.invalid("metadata.labels", .string(k), msg))
      }
      let value = v.stringValue ?? ""
      for msg in NameValidation.labelValueErrors(value) {
        errs.append(.invalid("metadata.labels", .string(value), msg))
      }
    }
    var annotationBytes = 0
    for (k, v) in (metadata["annotations"].objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
      for msg in NameValidation.qualifiedNameErrors(k.lowercased()) {
        errs.append(.invalid("metadata.annotations", .string(k), msg))
      }
      annotationBytes += k.utf8.count + (v.stringValue ?? "").utf8.count
    }
    if annotationBytes > 256 * 1024 {
      errs.append(.tooLong("metadata.annotations", maxLength: 256 * 1024))
    }
    return errs
  }

  static func nameErrors(_ value: String, _ rule: NameRule, prefix: Bool) -> [String] {
    var v = value
    if prefix && rule != .pathSegment, v.hasSuffix("-") {
      v = String(v.dropLast()) + "a"
    }
    switch rule {
    case .dnsSubdomain: return NameValidation.dns1123SubdomainErrors(v)
    case .dnsLabel: return NameValidation.dns1123LabelErrors(v)
    case .pathSegment:
      var errs: [String] = []
      if !prefix && (v == "." || v == "..") { errs.append("may not be '\(v)'") }
      if v.contains("/") { errs.append("may not contain '/'") }
      if v.contains("%") { errs.append("may not contain '%'") }
      return errs
    }
  }
}
