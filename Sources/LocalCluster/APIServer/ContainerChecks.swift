import CRDModels

/// Pod validation of env var sources, probes and container restart policies (Kubernetes
/// 1.32's `validateEnvVarValueFrom`, `validateProbe`/`validateHandler`, and the init container
/// rules), with kube's paths and messages.
enum ContainerChecks {
  // MARK: env valueFrom

  /// `validateEnvVarValueFrom` for `env[i]` at `p`.
  static func valueFrom(_ e: JSONValue, _ p: String) -> [StatusCause] {
    let v = e["valueFrom"]
    guard v.objectValue != nil else { return [] }
    let vp = "\(p).valueFrom"
    var errs: [StatusCause] = []
    var sources = 0
    if !v["fieldRef"].isNull {
      sources += 1
      errs += fieldRef(v["fieldRef"], "\(vp).fieldRef")
    }
    if !v["resourceFieldRef"].isNull {
      sources += 1
      if (v["resourceFieldRef"]["resource"].stringValue ?? "").isEmpty {
        errs.append(FieldErrors.required("\(vp).resourceFieldRef.resource"))
      }
    }
    if !v["configMapKeyRef"].isNull {
      sources += 1
      errs += keySelector(v["configMapKeyRef"], "\(vp).configMapKeyRef")
    }
    if !v["secretKeyRef"].isNull {
      sources += 1
      errs += keySelector(v["secretKeyRef"], "\(vp).secretKeyRef")
    }
    if sources == 0 {
      errs.append(
        FieldErrors.invalid(
          vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
    } else if !(e["value"].stringValue ?? "").isEmpty {
      errs.append(FieldErrors.invalid(vp, "", "may not be specified when `value` is not empty"))
    } else if sources > 1 {
      errs.append(FieldErrors.invalid(vp, "", "may not have more than one field specified at a time"))
    }
    return errs
  }

  /// `validateSecretKeySelector` / `validateConfigMapKeySelector`.
  static func keySelector(_ s: JSONValue, _ p: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    let name = s["name"].stringValue ?? ""
    if name.count > 253 { errs.append(FieldErrors.invalid("\(p).name", name, "must be no more than 253 characters")) }
    let pattern = name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
      PodValidation.isLabelIgnoringLength($0)
    }
    if !pattern { errs.append(FieldErrors.invalid("\(p).name", name, Admission.subdomainMessage)) }
    let key = s["key"].stringValue ?? ""
    if key.isEmpty {
      errs.append(FieldErrors.required("\(p).key"))
    } else {
      errs += configMapKeyProblems(key).map { FieldErrors.invalid("\(p).key", key, $0) }
    }
    return errs
  }

  /// `IsConfigMapKey`.
  static func configMapKeyProblems(_ key: String) -> [String] {
    var out: [String] = []
    if key.count > 253 { out.append("must be no more than 253 characters") }
    if !key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) {
      out.append(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
      )
    }
    if key == "." {
      out.append("must not be '.'")
    } else if key == ".." {
      out.append("must not be '..'")
    } else if key.hasPrefix("..") {
      out.append("must not start with '..'")
    }
    return out
  }

  /// The fields an env var may take from the pod (`validEnvDownwardAPIFieldPathExpressions`).
  static let envFieldPaths = [
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
  ]

  /// What `ConvertDownwardAPIFieldLabel` knows for pods v1.
  static let convertibleFieldPaths: Set<String> = [
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
    "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName", "status.phase",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
  ]

  /// `validateObjectFieldSelector` for env vars (`apiVersion` defaults to v1).
  static func fieldRef(_ f: JSONValue, _ p: String) -> [StatusCause] {
    let version = f["apiVersion"].stringValue ?? "v1"
    guard let path = f["fieldPath"].stringValue, !path.isEmpty else { return [FieldErrors.required("\(p).fieldPath")] }
    if version != "v1" {
      return [
        FieldErrors.invalid(
          "\(p).fieldPath", path, "error converting fieldPath: unsupported pod version: \(version)")
      ]
    }
    if let open = path.firstIndex(of: "[") {
      let base = String(path[..<open])
      if base == "metadata.annotations" || base == "metadata.labels" { return [] }
      return [
        FieldErrors.invalid(
          "\(p).fieldPath", path, "error converting fieldPath: field label does not support subscript: \(path)")
      ]
    }
    let internalPath = path == "spec.host" ? "spec.nodeName" : path
    if !convertibleFieldPaths.contains(internalPath) {
      return [
        FieldErrors.invalid("\(p).fieldPath", path, "error converting fieldPath: field label not supported: \(path)")
      ]
    }
    if !envFieldPaths.contains(internalPath) {
      return [FieldErrors.notSupported("\(p).fieldPath", internalPath, envFieldPaths)]
    }
    return []
  }

  // MARK: Probes and restart policies

  static let probeKinds = ["livenessProbe", "readinessProbe", "startupProbe"]

  /// A regular container's probes, then its `restartPolicy` (init containers only).
  static func regular(_ c: JSONValue, _ p: String) -> [StatusCause] {
    var errs = probes(c, p)
    if !c["restartPolicy"].isNull {
      errs.append(FieldErrors.forbidden("\(p).restartPolicy", "may not be set for non-init containers"))
    }
    return errs
  }

  /// An init container's `restartPolicy` (only `Always`, a sidecar).
  static func initRestartPolicy(_ c: JSONValue, _ p: String) -> [StatusCause] {
    guard let policy = c["restartPolicy"].stringValue else { return [] }
    return policy == "Always" ? [] : [FieldErrors.notSupported("\(p).restartPolicy", policy, ["Always"])]
  }

  /// An init container's probes and lifecycle: a sidecar's are validated, others' forbidden.
  static func initProbes(_ c: JSONValue, _ p: String) -> [StatusCause] {
    if c["restartPolicy"].stringValue == "Always" { return probes(c, p) }
    let message = "may not be set for init containers without restartPolicy=Always"
    return (["lifecycle"] + probeKinds).filter { !c[$0].isNull }.map { FieldErrors.forbidden("\(p).\($0)", message) }
  }

  static func probes(_ c: JSONValue, _ p: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    for kind in probeKinds where !c[kind].isNull {
      let probe = c[kind]
      let pp = "\(p).\(kind)"
      errs += handler(probe, pp, types: ["exec", "httpGet", "tcpSocket", "grpc"])
      for f in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
        if let v = probe[f].intValue, v < 0 {
          errs.append(FieldErrors.invalid("\(pp).\(f)", .plain("\(v)"), "must be greater than or equal to 0"))
        }
      }
      if kind != "readinessProbe", let v = probe["successThreshold"].intValue, v != 1 {
        errs.append(FieldErrors.invalid("\(pp).successThreshold", .plain("\(v)"), "must be 1"))
      }
    }
    return errs
  }

  /// `validateHandler`: exactly one handler type, each checked.
  static func handler(_ h: JSONValue, _ p: String, types: [String]) -> [StatusCause] {
    var errs: [StatusCause] = []
    var count = 0
    for t in types where !h[t].isNull {
      if count > 0 {
        errs.append(FieldErrors.forbidden("\(p).\(t)", "may not specify more than 1 handler type"))
        continue
      }
      count += 1
      switch t {
      case "exec":
        if (h[t]["command"].arrayValue ?? []).isEmpty { errs.append(FieldErrors.required("\(p).exec.command")) }
      case "httpGet", "tcpSocket":
        errs += portNumOrName(h[t]["port"], "\(p).\(t).port")
        if t == "httpGet", let scheme = h[t]["scheme"].stringValue, !["HTTP", "HTTPS"].contains(scheme) {
          errs.append(FieldErrors.notSupported("\(p).httpGet.scheme", scheme, ["HTTP", "HTTPS"]))
        }
      case "grpc":
        let port = h[t]["port"].intValue ?? 0
        if !(1...65535).contains(port) {
          errs.append(FieldErrors.invalid("\(p).grpc.port", .plain("\(port)"), PodValidation.portRangeMessage))
        }
      default: break
      }
    }
    if count == 0 { errs.append(FieldErrors.required(p, "must specify a handler type")) }
    return errs
  }

  /// `ValidatePortNumOrName`.
  static func portNumOrName(_ v: JSONValue, _ p: String) -> [StatusCause] {
    if let name = v.stringValue {
      return PodValidation.portNameProblems(name).map { FieldErrors.invalid(p, name, $0) }
    }
    let n = v.intValue ?? 0
    return (1...65535).contains(n) ? [] : [FieldErrors.invalid(p, .plain("\(n)"), PodValidation.portRangeMessage)]
  }
}
