import APIMachinery
import CRDModels

/// `apiextensions.k8s.io/v1` CustomResourceDefinitions: validation of the CRD itself, its
/// status conditions, and the served resources it defines.
enum CRDSupport {
  static func admit(_ input: JSONValue, old: JSONValue?) throws -> JSONValue {
    var crd = input
    let name = crd["metadata"]["name"].stringValue ?? ""
    let group = crd["spec"]["group"].stringValue ?? ""
    let names = crd["spec"]["names"]
    let plural = names["plural"].stringValue ?? ""
    var causes: [StatusCause] = []
    func req(_ path: String, _ v: JSONValue) {
      if (v.stringValue ?? "").isEmpty && v.arrayValue == nil {
        causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: path))
      }
    }
    req("spec.group", crd["spec"]["group"])
    req("spec.names.plural", names["plural"])
    req("spec.names.kind", names["kind"])
    req("spec.names.listKind", names["listKind"].isNull ? names["kind"] : names["listKind"])
    let scope = crd["spec"]["scope"].stringValue ?? ""
    if scope != "Namespaced" && scope != "Cluster" {
      causes.append(
        StatusCause(
          reason: "FieldValueNotSupported",
          message: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"", field: "spec.scope"
        ))
    }
    if !plural.isEmpty && !group.isEmpty && name != "\(plural).\(group)" {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid",
          message: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group", field: "metadata.name"))
    }
    let versions = crd["spec"]["versions"].arrayValue ?? []
    if versions.isEmpty {
      causes.append(StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.versions"))
    } else if versions.filter({ $0["storage"].boolValue == true }).count != 1 {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid",
          message: "Invalid value: \(versions.count): must have exactly one version marked as storage version",
          field: "spec.versions"))
    }
    if let old, old["spec"]["scope"] != crd["spec"]["scope"] {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid", message: "Invalid value: \"\(scope)\": field is immutable", field: "spec.scope"))
    }
    if !causes.isEmpty {
      throw APIErrors.invalid(
        kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: causes)
    }
    if names["listKind"].isNull {
      crd["spec"]["names"]["listKind"] = .string((names["kind"].stringValue ?? "") + "List")
    }
    if names["singular"].isNull {
      crd["spec"]["names"]["singular"] = .string((names["kind"].stringValue ?? "").lowercased())
    }
    if crd["spec"]["conversion"].isNull { crd["spec"]["conversion"] = ["strategy": "None"] }
    let now = JSONValue.string(Time.now().description)
    func cond(_ type: String, _ reason: String, _ message: String) -> JSONValue {
      var c: JSONValue = ["type": .string(type), "status": "True", "reason": .string(reason)]
      c["message"] = .string(message)
      c["lastTransitionTime"] =
        old?["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == type }?[
          "lastTransitionTime"] ?? now
      return c
    }
    var status: JSONValue = [:]
    status["acceptedNames"] = crd["spec"]["names"]
    status["conditions"] = [
      cond("NamesAccepted", "NoConflicts", "no conflicts found"),
      cond("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ]
    status["storedVersions"] = .array(versions.filter { $0["storage"].boolValue == true }.map { $0["name"] })
    crd["status"] = status
    return crd
  }

  static func versionOrder(_ crd: JSONValue) -> [String] {
    let served = (crd["spec"]["versions"].arrayValue ?? []).filter { $0["served"].boolValue != false }
    return served.compactMap { $0["name"].stringValue }.sorted { versionPriority($0) > versionPriority($1) }
  }

  /// Kubernetes version ordering: GA > beta > alpha, then by number.
  static func versionPriority(_ v: String) -> Int {
    let scanner = Array(v)
    guard scanner.first == "v" else { return 0 }
    var i = 1
    var major = 0
    while i < scanner.count, let d = scanner[i].wholeNumberValue {
      major = major * 10 + d
      i += 1
    }
    let rest = String(scanner[i...])
    var minor = 0
    var stage = 3
    if rest.hasPrefix("beta") {
      stage = 2
      minor = Int(rest.dropFirst(4)) ?? 0
    } else if rest.hasPrefix("alpha") {
      stage = 1
      minor = Int(rest.dropFirst(5)) ?? 0
    } else if !rest.isEmpty {
      return 0
    }
    return stage * 1_000_000 + major * 1000 + minor
  }

  static func resources(from crd: JSONValue) -> [ResourceInfo] {
    let spec = crd["spec"]
    let names = spec["names"]
    let group = spec["group"].stringValue ?? ""
    var out: [ResourceInfo] = []
    for v in spec["versions"].arrayValue ?? [] where v["served"].boolValue != false {
      let kind = names["kind"].stringValue ?? ""
      var info = ResourceInfo(
        group: group, version: v["name"].stringValue ?? "", plural: names["plural"].stringValue ?? "",
        singular: names["singular"].stringValue ?? kind.lowercased(), kind: kind,
        listKind: names["listKind"].stringValue ?? kind + "List", namespaced: spec["scope"].stringValue != "Cluster")
      info.shortNames = (names["shortNames"].arrayValue ?? []).compactMap(\.stringValue)
      info.categories = (names["categories"].arrayValue ?? []).compactMap(\.stringValue)
      info.isCustom = true
      info.hasGeneration = true
      info.schema = v["schema"]["openAPIV3Schema"].isNull ? nil : v["schema"]["openAPIV3Schema"]
      info.structuralSchema = info.schema.map(StructuralSchema.init(json:))
      info.preserveUnknownFields = info.schema?["x-kubernetes-preserve-unknown-fields"].boolValue == true
      var subs: [String] = []
      if !v["subresources"]["status"].isNull { subs.append("status") }
      if !v["subresources"]["scale"].isNull { subs.append("scale") }
      info.subresources = subs
      info.printerColumns = (v["additionalPrinterColumns"].arrayValue ?? []).map { c in
        PrinterColumn(
          name: c["name"].stringValue ?? "", type: c["type"].stringValue ?? "string",
          format: c["format"].stringValue ?? "", description: c["description"].stringValue ?? "",
          priority: Int(c["priority"].intValue ?? 0), jsonPath: c["jsonPath"].stringValue ?? "")
      }
      out.append(info)
    }
    return out
  }
}
