import CRDModels

/// kube-apiserver's pod spec validation (`pkg/apis/core/validation`, Kubernetes 1.32, the
/// version the local server reports) for the fields clients commonly get wrong: volumes,
/// containers and init containers (names, images, ports, env, envFrom, volume mounts,
/// resources, pull and termination message policies) and the restart and DNS policies.
/// Errors come in kube's order with its field paths and `ErrorBody` messages; maps (resources)
/// are walked in key order where Go's order is random.
///
/// Env var names follow 1.32's default: `RelaxedEnvironmentVariableValidation` is beta and on,
/// so any printable ASCII other than `=` is accepted (`1 BAD` included).
enum PodValidation {
  /// Everything wrong with a pod's (defaulted) spec.
  static func causes(_ spec: JSONValue) -> [StatusCause] {
    var errs: [StatusCause] = []
    let (volumes, volumeErrs) = Self.volumes(spec["volumes"].arrayValue ?? [])
    errs += volumeErrs
    let containers = spec["containers"].arrayValue ?? []
    errs += Self.containers(containers, volumes: volumes)
    errs += initContainers(spec["initContainers"].arrayValue ?? [], regular: containers, volumes: volumes)
    errs += policy(
      spec["restartPolicy"], "spec.restartPolicy", ["Always", "OnFailure", "Never"])
    errs += policy(
      spec["dnsPolicy"], "spec.dnsPolicy", ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])
    return errs
  }

  /// `SetDefaults_ObjectFieldSelector`: an env var's `fieldRef.apiVersion` defaults to v1.
  static func defaultEnv(_ container: inout JSONValue) {
    guard var env = container["env"].arrayValue else { return }
    for i in env.indices where env[i]["valueFrom"]["fieldRef"].objectValue != nil {
      if env[i]["valueFrom"]["fieldRef"]["apiVersion"].isNull { env[i]["valueFrom"]["fieldRef"]["apiVersion"] = "v1" }
    }
    container["env"] = .array(env)
  }

  /// `SetDefaults_Pod`: a container's requests default to its limits, resource by resource.
  static func defaultRequestsFromLimits(_ container: inout JSONValue) {
    guard let limits = container["resources"]["limits"].objectValue, !limits.isEmpty else { return }
    var requests = container["resources"]["requests"].objectValue ?? [:]
    for (k, v) in limits where requests[k] == nil { requests[k] = v }
    container["resources"]["requests"] = .object(requests)
  }

  // MARK: Volumes

  /// Volume source fields in the order `validateVolumeSource` checks them.
  static let volumeTypes = [
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk",
    "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
  ]

  /// The valid volumes' names and the errors; an invalid volume is left out, so mounts of it
  /// are not found either (as in kube).
  static func volumes(_ vols: [JSONValue]) -> (Set<String>, [StatusCause]) {
    var names = Set<String>()
    var errs: [StatusCause] = []
    for (i, v) in vols.enumerated() {
      let p = "spec.volumes[\(i)]"
      var el: [StatusCause] = []
      var count = 0
      for t in volumeTypes where !v[t].isNull {
        if count > 0 {
          // kube's own spelling of two of these paths.
          let name = ["cephfs": "cephFS", "downwardAPI": "downwarAPI"][t] ?? t
          el.append(FieldErrors.forbidden("\(p).\(name)", "may not specify more than 1 volume type"))
          continue
        }
        count += 1
        let required: [String: String] = [
          "persistentVolumeClaim": "claimName", "configMap": "name", "secret": "secretName", "hostPath": "path",
        ]
        if let key = required[t], (v[t][key].stringValue ?? "").isEmpty {
          el.append(FieldErrors.required("\(p).\(t).\(key)"))
        }
      }
      if count == 0 { el.append(FieldErrors.required(p, "must specify a volume type")) }
      let name = v["name"].stringValue ?? ""
      if name.isEmpty {
        el.append(FieldErrors.required("\(p).name"))
      } else {
        el += dns1123Label(name, "\(p).name")
      }
      if names.contains(name) { el.append(FieldErrors.duplicate("\(p).name", .string(name))) }
      if el.isEmpty { names.insert(name) } else { errs += el }
    }
    return (names, errs)
  }

  // MARK: Containers

  static func containers(_ cs: [JSONValue], volumes: Set<String>) -> [StatusCause] {
    if cs.isEmpty { return [FieldErrors.required("spec.containers")] }
    var errs: [StatusCause] = []
    var names = Set<String>()
    for (i, c) in cs.enumerated() {
      let p = "spec.containers[\(i)]"
      errs += common(c, p, volumes: volumes)
      let name = c["name"].stringValue ?? ""
      if !names.insert(name).inserted { errs.append(FieldErrors.duplicate("\(p).name", .string(name))) }
      errs += ContainerChecks.regular(c, p)
    }
    var hostPorts = Set<String>()
    for (i, c) in cs.enumerated() {
      for (j, port) in (c["ports"].arrayValue ?? []).enumerated() {
        guard let hp = port["hostPort"].intValue, hp != 0 else { continue }
        let key = "\(port["hostIP"].stringValue ?? "")/\(port["protocol"].stringValue ?? "")/\(hp)"
        if !hostPorts.insert(key).inserted {
          errs.append(FieldErrors.duplicate("spec.containers[\(i)].ports[\(j)].hostPort", .string(key)))
        }
      }
    }
    return errs
  }

  static func initContainers(_ cs: [JSONValue], regular: [JSONValue], volumes: Set<String>) -> [StatusCause] {
    var errs: [StatusCause] = []
    var names = Set(regular.compactMap { $0["name"].stringValue })
    for (i, c) in cs.enumerated() {
      let p = "spec.initContainers[\(i)]"
      errs += common(c, p, volumes: volumes)
      errs += ContainerChecks.initRestartPolicy(c, p)
      let name = c["name"].stringValue ?? ""
      if names.contains(name) {
        errs.append(FieldErrors.duplicate("\(p).name", .string(name)))
      } else if !name.isEmpty {
        names.insert(name)
      }
      errs += ContainerChecks.initProbes(c, p)
    }
    return errs
  }

  /// `validateContainerCommon`.
  static func common(_ c: JSONValue, _ p: String, volumes: Set<String>) -> [StatusCause] {
    var errs: [StatusCause] = []
    let name = c["name"].stringValue ?? ""
    if name.isEmpty {
      errs.append(FieldErrors.required("\(p).name"))
    } else {
      errs += dns1123Label(name, "\(p).name")
    }
    if (c["image"].stringValue ?? "").isEmpty { errs.append(FieldErrors.required("\(p).image")) }
    errs += policy(c["terminationMessagePolicy"], "\(p).terminationMessagePolicy", ["File", "FallbackToLogsOnError"])
    errs += ports(c["ports"].arrayValue ?? [], "\(p).ports")
    errs += env(c["env"].arrayValue ?? [], "\(p).env")
    for (i, e) in (c["envFrom"].arrayValue ?? []).enumerated() {
      if let prefix = e["prefix"].stringValue, !prefix.isEmpty, !isRelaxedEnvVarName(prefix) {
        errs.append(FieldErrors.invalid("\(p).envFrom[\(i)].prefix", prefix, relaxedEnvVarNameMessage))
      }
    }
    errs += volumeMounts(c["volumeMounts"].arrayValue ?? [], "\(p).volumeMounts", volumes: volumes)
    errs += policy(c["imagePullPolicy"], "\(p).imagePullPolicy", ["Always", "IfNotPresent", "Never"])
    errs += ResourceValidation.containerResources(c["resources"], "\(p).resources")
    return errs
  }

  /// `validateContainerPorts`: names are IANA service names, unique per container.
  static func ports(_ ports: [JSONValue], _ path: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    var names = Set<String>()
    for (i, port) in ports.enumerated() {
      let p = "\(path)[\(i)]"
      if let n = port["name"].stringValue, !n.isEmpty {
        let problems = portNameProblems(n)
        if !problems.isEmpty {
          errs += problems.map { FieldErrors.invalid("\(p).name", n, $0) }
        } else if !names.insert(n).inserted {
          errs.append(FieldErrors.duplicate("\(p).name", .string(n)))
        }
      }
      let cp = port["containerPort"].intValue ?? 0
      if cp == 0 {
        errs.append(FieldErrors.required("\(p).containerPort"))
      } else if !(1...65535).contains(cp) {
        errs.append(FieldErrors.invalid("\(p).containerPort", .plain("\(cp)"), portRangeMessage))
      }
      if let hp = port["hostPort"].intValue, hp != 0, !(1...65535).contains(hp) {
        errs.append(FieldErrors.invalid("\(p).hostPort", .plain("\(hp)"), portRangeMessage))
      }
      errs += policy(port["protocol"], "\(p).protocol", ["SCTP", "TCP", "UDP"])
    }
    return errs
  }

  static let portRangeMessage = "must be between 1 and 65535, inclusive"

  /// `IsValidPortName` (IANA_SVC_NAME).
  static func portNameProblems(_ n: String) -> [String] {
    var out: [String] = []
    if n.count > 15 { out.append("must be no more than 15 characters") }
    if !n.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
      out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    }
    if !n.contains(where: { $0.isASCII && $0.isLowercase }) { out.append("must contain at least one letter (a-z)") }
    if n.contains("--") { out.append("must not contain consecutive hyphens") }
    if n.hasPrefix("-") || n.hasSuffix("-") { out.append("must not begin or end with a hyphen") }
    return out
  }

  /// `ValidateEnv` with relaxed names (1.32's default).
  static func env(_ vars: [JSONValue], _ path: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    for (i, e) in vars.enumerated() {
      let name = e["name"].stringValue ?? ""
      let p = "\(path)[\(i)].name"
      if name.isEmpty {
        errs.append(FieldErrors.required(p))
      } else if !isRelaxedEnvVarName(name) {
        errs.append(FieldErrors.invalid(p, name, relaxedEnvVarNameMessage))
      }
      errs += ContainerChecks.valueFrom(e, "\(path)[\(i)]")
    }
    return errs
  }

  static let relaxedEnvVarNameMessage =
    "a valid environment variable name must consist only of printable ASCII characters other than '='"

  /// `IsRelaxedEnvVarName`: printable ASCII (space included) other than `=`.
  static func isRelaxedEnvVarName(_ s: String) -> Bool {
    !s.isEmpty && s.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) && $0 != "=" }
  }

  /// `ValidateVolumeMounts`: a known volume, a mount path given once.
  static func volumeMounts(_ mounts: [JSONValue], _ path: String, volumes: Set<String>) -> [StatusCause] {
    var errs: [StatusCause] = []
    var paths = Set<String>()
    for (i, m) in mounts.enumerated() {
      let p = "\(path)[\(i)]"
      let name = m["name"].stringValue ?? ""
      if name.isEmpty { errs.append(FieldErrors.required("\(p).name")) }
      if !volumes.contains(name) { errs.append(FieldErrors.notFound("\(p).name", name)) }
      let mountPath = m["mountPath"].stringValue ?? ""
      if mountPath.isEmpty { errs.append(FieldErrors.required("\(p).mountPath")) }
      if paths.contains(mountPath) { errs.append(FieldErrors.invalid("\(p).mountPath", mountPath, "must be unique")) }
      paths.insert(mountPath)
      if let sub = m["subPath"].stringValue, !sub.isEmpty, let expr = m["subPathExpr"].stringValue, !expr.isEmpty {
        errs.append(
          FieldErrors.invalid("\(p).subPathExpr", expr, "subPathExpr and subPath are mutually exclusive"))
      }
    }
    return errs
  }

  // MARK: Shared rules

  /// A defaulted enum field: `Required value` when empty, `Unsupported value` when unknown.
  static func policy(_ v: JSONValue, _ field: String, _ supported: [String]) -> [StatusCause] {
    guard let s = v.stringValue else { return v.isNull ? [] : [FieldErrors.required(field)] }
    if s.isEmpty { return [FieldErrors.required(field)] }
    return supported.contains(s) ? [] : [FieldErrors.notSupported(field, s, supported)]
  }

  /// `ValidateDNS1123Label`: the length, then the pattern (a subdomain gets "must not
  /// contain dots").
  static func dns1123Label(_ value: String, _ field: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    if value.count > 63 { errs.append(FieldErrors.invalid(field, value, "must be no more than 63 characters")) }
    if !isLabelIgnoringLength(Substring(value)) {
      let subdomain = value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
        isLabelIgnoringLength($0)
      }
      errs.append(FieldErrors.invalid(field, value, subdomain ? "must not contain dots" : Admission.labelMessage))
    }
    return errs
  }

  static func isLabelIgnoringLength(_ s: Substring) -> Bool {
    guard let f = s.first, let l = s.last else { return false }
    func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
    return alnum(f) && alnum(l) && s.allSatisfy { alnum($0) || $0 == "-" }
  }
}
