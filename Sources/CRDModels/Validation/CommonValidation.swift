import Foundation

/// Checks shared by Runner and TracerJob specs (env, resources, scheduling, names).
enum CommonValidation {
  static func name(_ name: String?, kind: String, maxLength: Int) -> [FieldError] {
    let path = FieldPath("metadata.name")
    guard let name, !name.isEmpty else {
      return [FieldError(.required, path, "give the \(kind) a name")]
    }
    if let p = NameRules.dns1035LabelProblem(name, maxLength: maxLength) {
      return [
        FieldError(
          .invalid, path, value: name,
          "\(p); gra derives pod, claim and service names from it, so use at most \(maxLength) characters starting with a letter"
        )
      ]
    }
    return []
  }

  static func image(_ image: String?, _ path: FieldPath) -> [FieldError] {
    guard let image else { return [] }
    if image.isEmpty || image.contains(where: \.isWhitespace) {
      return [
        FieldError(
          .invalid, path, value: image,
          "must be an image reference such as ghcr.io/org/image:tag, without spaces")
      ]
    }
    return []
  }

  static func env(_ env: [EnvVar]?, _ path: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    var seen = Set<String>()
    for (i, e) in (env ?? []).enumerated() {
      let p = path.index(i)
      if e.name.isEmpty {
        errs.append(FieldError(.required, p.child("name"), "name the environment variable"))
      } else if e.name.contains("=") || e.name.contains(where: { $0.isWhitespace }) {
        errs.append(
          FieldError(
            .invalid, p.child("name"), value: e.name,
            "must not contain '=' or spaces (e.g. 'MY_VAR')"))
      } else if !seen.insert(e.name).inserted {
        errs.append(
          FieldError(
            .duplicate, p.child("name"), value: e.name,
            "each variable may appear once; remove the repeat"))
      }
      if e.value != nil, e.valueFrom != nil {
        errs.append(
          FieldError(.invalid, p.child("valueFrom"), "set either value or valueFrom, not both"))
      }
      if let v = e.valueFrom {
        let n = [
          v.secretKeyRef != nil, v.configMapKeyRef != nil, v.fieldRef != nil,
          v.resourceFieldRef != nil,
        ].filter { $0 }.count
        if n != 1 {
          errs.append(
            FieldError(
              .invalid, p.child("valueFrom"),
              "set exactly one of secretKeyRef, configMapKeyRef, fieldRef or resourceFieldRef"))
        }
        if let r = v.secretKeyRef, (r.name ?? "").isEmpty {
          errs.append(
            FieldError(
              .required, p.child("valueFrom").child("secretKeyRef").child("name"), "name the Secret"
            ))
        }
        if let r = v.configMapKeyRef, (r.name ?? "").isEmpty {
          errs.append(
            FieldError(
              .required, p.child("valueFrom").child("configMapKeyRef").child("name"),
              "name the ConfigMap"))
        }
      }
    }
    return errs
  }

  static func envFrom(_ envFrom: [EnvFromSource]?, _ path: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    for (i, e) in (envFrom ?? []).enumerated() {
      let n = (e.configMapRef != nil ? 1 : 0) + (e.secretRef != nil ? 1 : 0)
      if n != 1 {
        errs.append(
          FieldError(.invalid, path.index(i), "set exactly one of configMapRef or secretRef"))
      }
      if let r = e.secretRef, (r.name ?? "").isEmpty {
        errs.append(
          FieldError(.required, path.index(i).child("secretRef").child("name"), "name the Secret"))
      }
      if let r = e.configMapRef, (r.name ?? "").isEmpty {
        errs.append(
          FieldError(
            .required, path.index(i).child("configMapRef").child("name"), "name the ConfigMap"))
      }
    }
    return errs
  }

  static func resources(_ r: ResourceRequirements?, _ path: FieldPath) -> [FieldError] {
    guard let r else { return [] }
    var errs: [FieldError] = []
    for (section, list) in [("requests", r.requests), ("limits", r.limits)] {
      for (name, q) in (list ?? [:]).sorted(by: { $0.key < $1.key }) {
        let p = path.child(section).key(name)
        if let problem = NameRules.qualifiedNameProblem(name) {
          errs.append(FieldError(.invalid, p, value: name, "resource name: \(problem)"))
        }
        if q.sign < 0 {
          errs.append(
            FieldError(.invalid, p, value: q.description, "must be greater than or equal to 0"))
        }
        if name.contains("/"), !name.hasPrefix("kubernetes.io/"), q.milliValue % 1000 != 0 {
          errs.append(
            FieldError(
              .invalid, p, value: q.description,
              "\(name) is counted in whole devices; use an integer such as 1"))
        }
      }
    }
    for (name, request) in (r.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
      if let limit = r.limits?[name], request > limit {
        errs.append(
          FieldError(
            .invalid, path.child("requests").key(name), value: request.description,
            "must be less than or equal to the \(name) limit \(limit); raise the limit or lower the request"
          ))
      }
      if name.contains("/"), !name.hasPrefix("kubernetes.io/"), let limit = r.limits?[name],
        limit != request
      {
        errs.append(
          FieldError(
            .invalid, path.child("requests").key(name), value: request.description,
            "must equal the limit \(limit): Kubernetes does not overcommit extended resources such as GPUs; set only limits"
          ))
      }
    }
    return errs
  }

  static func nodeSelector(_ s: [String: String]?, _ path: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    for (k, v) in (s ?? [:]).sorted(by: { $0.key < $1.key }) {
      if let p = NameRules.qualifiedNameProblem(k) {
        errs.append(FieldError(.invalid, path, value: k, p))
      }
      if let p = NameRules.labelValueProblem(v) {
        errs.append(FieldError(.invalid, path.key(k), value: v, p))
      }
    }
    return errs
  }

  static func tolerations(_ ts: [Toleration]?, _ path: FieldPath) -> [FieldError] {
    var errs: [FieldError] = []
    for (i, t) in (ts ?? []).enumerated() {
      let p = path.index(i)
      let op = t.operator ?? "Equal"
      if op != "Equal", op != "Exists" {
        errs.append(
          FieldError(
            .notSupported, p.child("operator"), value: op, "supported values: \"Equal\", \"Exists\""
          ))
      }
      if op == "Exists", let v = t.value, !v.isEmpty {
        errs.append(
          FieldError(
            .invalid, p.child("operator"), value: op,
            "value must be empty when operator is Exists; remove value"))
      }
      if (t.key ?? "").isEmpty, op != "Exists" {
        errs.append(
          FieldError(
            .invalid, p.child("operator"), value: op, "operator must be Exists when key is empty"))
      }
      if let e = t.effect, !["", "NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e) {
        errs.append(
          FieldError(
            .notSupported, p.child("effect"), value: e,
            "supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""))
      }
      if t.tolerationSeconds != nil, t.effect != "NoExecute" {
        errs.append(
          FieldError(.invalid, p.child("tolerationSeconds"), "only valid with effect NoExecute"))
      }
    }
    return errs
  }

  static func subdomainName(_ s: String?, _ path: FieldPath, what: String) -> [FieldError] {
    guard let s else { return [] }
    if let p = NameRules.dns1123SubdomainProblem(s) {
      return [FieldError(.invalid, path, value: s, "must be the name of a \(what): \(p)")]
    }
    return []
  }

  static func positiveDuration(_ s: String?, _ path: FieldPath) -> [FieldError] {
    guard let s else { return [] }
    do {
      let d = try GoDuration(parsing: s)
      if d.nanoseconds <= 0 {
        return [
          FieldError(.invalid, path, value: s, "must be a positive duration such as 30m or 1h30m")
        ]
      }
    } catch {
      return [
        FieldError(
          .invalid, path, value: s,
          "must be a duration such as 30m, 1h30m or 90s (units h, m, s, ms; no spaces, no days): \(error.message)"
        )
      ]
    }
    return []
  }

  static func url(_ s: String?, _ path: FieldPath, schemes: [String]) -> [FieldError] {
    guard let s else { return [] }
    if let u = URL(string: s), let scheme = u.scheme, schemes.contains(scheme), u.host != nil {
      return []
    }
    return [
      FieldError(
        .invalid, path, value: s,
        "must be a URL starting with " + schemes.map { "\($0)://" }.joined(separator: " or "))
    ]
  }

  static func bucket(_ s: String, _ path: FieldPath) -> [FieldError] {
    let ok =
      (3...63).contains(s.count)
      && s.utf8.allSatisfy {
        ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46
      }
      && s.first.map { $0.isLetter || $0.isNumber } == true
      && s.last.map { $0.isLetter || $0.isNumber } == true
    if ok { return [] }
    return [
      FieldError(
        .invalid, path, value: s,
        "must be a bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit"
      )
    ]
  }
}
