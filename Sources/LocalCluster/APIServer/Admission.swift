import APIMachinery
import CRDModels
import Foundation

/// Structural-schema processing for custom resources (defaulting, pruning, validation).
/// Implemented with `APIMachinery` once it lands; see ``SchemaProcessors``.
protocol SchemaProcessing: Sendable {
  /// Applies defaults and prunes unknown fields; returns the object and the pruned paths
  /// (`.spec.foo`), which `fieldValidation=Strict|Warn` report.
  func defaultAndPrune(_ object: JSONValue, schema: StructuralSchema) -> (object: JSONValue, pruned: [String])
  /// Validation errors as `Status` causes with field paths (`spec.image`).
  func validate(_ object: JSONValue, schema: StructuralSchema, old: JSONValue?) -> [StatusCause]
}

/// Defaulting and validation for every write, as kube-apiserver's strategies and admission
/// plugins do it for the kinds served here.
struct Admission: Sendable {
  var schema: any SchemaProcessing

  func admit(
    _ r: ResourceInfo, _ input: JSONValue, old: JSONValue?, allocateIP: () -> String,
    storageClasses: () -> [JSONValue] = { [] }
  ) throws -> JSONValue {
    var obj = input
    let name = obj["metadata"]["name"].stringValue ?? ""
    if old == nil { try validateName(r, name) }
    if r.isCustom, let s = r.structuralSchema {
      obj = schema.defaultAndPrune(obj, schema: s).object
      var causes = schema.validate(obj, schema: s, old: old)
      causes.append(contentsOf: metadataCauses(obj))
      if !causes.isEmpty { throw APIErrors.invalid(r, name: name, causes: causes) }
      if r.hasStatus, old == nil, var o = obj.objectValue {
        o["status"] = nil
        obj = .object(o)
      }
      return obj
    }
    switch r.storageKey {
    case "/pods": obj = try Pods.admit(r, obj, old: old, metadataCauses: metadataCauses(obj))
    case "/services": obj = Services.admit(obj, old: old, allocateIP: allocateIP)
    case "/namespaces":
      if old == nil {
        obj["spec"]["finalizers"] = ["kubernetes"]
        obj["status"] = ["phase": "Active"]
      }
      obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = .string(name)
    case "/secrets":
      if obj["type"].stringValue == nil { obj["type"] = "Opaque" }
      if let sd = obj["stringData"].objectValue, var o = obj.objectValue {
        var d = o["data"]?.objectValue ?? [:]
        for (k, v) in sd { d[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
        o["data"] = .object(d)
        o["stringData"] = nil
        obj = .object(o)
      }
    case "/persistentvolumeclaims":
      obj = try StorageAdmission.admitClaim(r, obj, old: old, storageClasses: storageClasses())
    case "storage.k8s.io/storageclasses":
      obj = try StorageAdmission.admitClass(r, obj, old: old)
    case "apiextensions.k8s.io/customresourcedefinitions":
      obj = try CRDSupport.admit(obj, old: old)
    default:
      break
    }
    let causes = metadataCauses(obj)
    if !causes.isEmpty { throw APIErrors.invalid(r, name: name, causes: causes) }
    return obj
  }

  /// `ValidateObjectMeta`'s label and annotation checks (names are checked on create by
  /// `validateName`, namespaces by the store).
  private func metadataCauses(_ obj: JSONValue) -> [StatusCause] {
    var causes: [StatusCause] = []
    let labels = (obj["metadata"]["labels"].objectValue ?? [:]).sorted { $0.key < $1.key }
    for (k, v) in labels where v.stringValue == nil {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid", message: "Invalid value: must be a string", field: "metadata.labels.\(k)"))
    }
    let checked: Set<String> = ["metadata.labels", "metadata.annotations"]
    causes += ObjectMetaValidation.validate(obj["metadata"], namespaced: false).filter { checked.contains($0.field) }
      .map(\.cause)
    return causes
  }

  static let subdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  static let labelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
  static let dns1035Message =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

  static func isLabel(_ s: Substring, alphaStart: Bool = false) -> Bool {
    guard let f = s.first, let l = s.last, s.count <= 63 else { return false }
    func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
    if alphaStart ? !(f.isASCII && f.isLowercase) : !alnum(f) { return false }
    if !alnum(l) { return false }
    return s.allSatisfy { alnum($0) || $0 == "-" }
  }

  static func isSubdomain(_ s: String) -> Bool {
    s.count <= 253 && !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
  }

  private func validateName(_ r: ResourceInfo, _ name: String) throws {
    if r.group == "rbac.authorization.k8s.io" {
      if name == "." || name == ".." || name.contains("/") || name.contains("%") {
        throw APIErrors.invalid(
          r, name: name,
          causes: [
            StatusCause(
              reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": may not contain '/' or '%'",
              field: "metadata.name")
          ])
      }
      return
    }
    let ok: Bool
    let message: String
    switch r.storageKey {
    case "/namespaces":
      ok = Self.isLabel(Substring(name))
      message = Self.labelMessage
    case "/services":
      ok = Self.isLabel(Substring(name), alphaStart: true)
      message = Self.dns1035Message
    default:
      ok = Self.isSubdomain(name)
      message = Self.subdomainMessage
    }
    if !ok {
      throw APIErrors.invalid(
        r, name: name,
        causes: [
          StatusCause(
            reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(message)", field: "metadata.name")
        ])
    }
  }
}

/// Pod defaults and the validation that matters to clients.
enum Pods {
  static func admit(
    _ r: ResourceInfo, _ input: JSONValue, old: JSONValue?, metadataCauses: [StatusCause] = []
  ) throws -> JSONValue {
    var obj = input
    let name = obj["metadata"]["name"].stringValue ?? ""
    var spec = obj["spec"]
    func def(_ k: String, _ v: JSONValue) { if spec[k].isNull { spec[k] = v } }
    def("restartPolicy", "Always")
    def("dnsPolicy", "ClusterFirst")
    def("schedulerName", "default-scheduler")
    def("terminationGracePeriodSeconds", 30)
    def("securityContext", .object([:]))
    def("enableServiceLinks", true)
    def("priority", 0)
    def("preemptionPolicy", "PreemptLowerPriority")
    if spec["serviceAccountName"].isNull {
      spec["serviceAccountName"] = spec["serviceAccount"].isNull ? "default" : spec["serviceAccount"]
    }
    spec["serviceAccount"] = spec["serviceAccountName"]
    if spec["tolerations"].isNull {
      spec["tolerations"] = [
        [
          "key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300,
        ],
        [
          "key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
          "tolerationSeconds": 300,
        ],
      ]
    }
    for field in ["initContainers", "containers"] {
      guard var cs = spec[field].arrayValue else { continue }
      for i in cs.indices {
        var c = cs[i]
        let image = c["image"].stringValue ?? ""
        if c["terminationMessagePath"].isNull { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"].isNull { c["terminationMessagePolicy"] = "File" }
        if c["imagePullPolicy"].isNull {
          let last = image.split(separator: "/").last.map(String.init) ?? image
          let tagged = last.contains(":") && !last.hasSuffix(":latest")
          c["imagePullPolicy"] = .string(image.contains("@") || tagged ? "IfNotPresent" : "Always")
        }
        if c["resources"].isNull { c["resources"] = .object([:]) }
        PodValidation.defaultRequestsFromLimits(&c)
        PodValidation.defaultEnv(&c)
        if var ports = c["ports"].arrayValue {
          for j in ports.indices where ports[j]["protocol"].isNull { ports[j]["protocol"] = "TCP" }
          c["ports"] = .array(ports)
        }
        cs[i] = c
      }
      spec[field] = .array(cs)
    }
    // Validation sees the amounts as decoded; the stored pod has them canonical.
    var causes = metadataCauses + PodValidation.causes(spec)
    for field in ["initContainers", "containers"] {
      guard var cs = spec[field].arrayValue else { continue }
      for i in cs.indices {
        for k in ["limits", "requests"] where !cs[i]["resources"][k].isNull {
          cs[i]["resources"][k] = ResourceValidation.canonicalList(cs[i]["resources"][k])
        }
      }
      spec[field] = .array(cs)
    }
    obj["spec"] = spec
    if let old {
      var a = old["spec"]
      var b = obj["spec"]
      // Mutable pod fields: images, activeDeadlineSeconds, tolerations; nodeName once (binding).
      for f in ["containers", "initContainers"] {
        if var ca = a[f].arrayValue, var cb = b[f].arrayValue, ca.count == cb.count {
          for i in ca.indices {
            ca[i]["image"] = .null
            cb[i]["image"] = .null
          }
          a[f] = .array(ca)
          b[f] = .array(cb)
        }
      }
      for f in ["activeDeadlineSeconds", "tolerations"] {
        a[f] = .null
        b[f] = .null
      }
      if a["nodeName"].isNull, !b["nodeName"].isNull { a["nodeName"] = b["nodeName"] }
      if SemanticEquality.normalized(a) != SemanticEquality.normalized(b) {
        causes.append(
          StatusCause(
            reason: "FieldValueForbidden",
            message:
              "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
            field: "spec"))
      }
    } else {
      var qos = "BestEffort"
      let cs = obj["spec"]["containers"].arrayValue ?? []
      let hasAny = cs.contains {
        !($0["resources"]["requests"].objectValue ?? [:]).isEmpty
          || !($0["resources"]["limits"].objectValue ?? [:]).isEmpty
      }
      if hasAny {
        let guaranteed = cs.allSatisfy { c in
          let l = c["resources"]["limits"]
          let rq = c["resources"]["requests"]
          return !l["cpu"].isNull && !l["memory"].isNull && (rq["cpu"].isNull || rq["cpu"] == l["cpu"])
            && (rq["memory"].isNull || rq["memory"] == l["memory"])
        }
        qos = guaranteed ? "Guaranteed" : "Burstable"
      }
      obj["status"] = ["phase": "Pending", "qosClass": .string(qos)]
    }
    if !causes.isEmpty { throw APIErrors.invalid(r, name: name, causes: causes) }
    return obj
  }
}

/// Service defaults: ClusterIP allocation, port protocol and targetPort.
enum Services {
  static func admit(_ input: JSONValue, old: JSONValue?, allocateIP: () -> String) -> JSONValue {
    var obj = input
    var spec = obj["spec"]
    if spec["type"].isNull { spec["type"] = "ClusterIP" }
    if spec["sessionAffinity"].isNull { spec["sessionAffinity"] = "None" }
    if spec["internalTrafficPolicy"].isNull { spec["internalTrafficPolicy"] = "Cluster" }
    if spec["type"].stringValue != "ExternalName" {
      if let old, spec["clusterIP"].isNull || spec["clusterIP"].stringValue == "" {
        spec["clusterIP"] = old["spec"]["clusterIP"]
      }
      if spec["clusterIP"].isNull || spec["clusterIP"].stringValue == "" { spec["clusterIP"] = .string(allocateIP()) }
      spec["clusterIPs"] = [spec["clusterIP"]]
      if spec["ipFamilies"].isNull { spec["ipFamilies"] = ["IPv4"] }
      if spec["ipFamilyPolicy"].isNull { spec["ipFamilyPolicy"] = "SingleStack" }
    }
    if var ports = spec["ports"].arrayValue {
      for i in ports.indices {
        if ports[i]["protocol"].isNull { ports[i]["protocol"] = "TCP" }
        if ports[i]["targetPort"].isNull { ports[i]["targetPort"] = ports[i]["port"] }
      }
      spec["ports"] = .array(ports)
    }
    obj["spec"] = spec
    if old == nil { obj["status"] = ["loadBalancer": .object([:])] }
    return obj
  }
}
