import CRDModels

/// `/version`, `/api`, `/apis`, `/apis/G`, `/apis/G/V` and `/api/v1` as kube-apiserver serves them.
enum Discovery {
  static let version: JSONValue = [
    "major": "1", "minor": "32", "gitVersion": "v1.32.0+gra-local",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
    "platform": "linux/amd64",
  ]

  /// kubectl asks for aggregated discovery first; this server answers plain discovery, which
  /// kubectl accepts as a fallback.
  static func wantsAggregated(_ req: HTTPRequest) -> Bool { false }
  static let aggregatedHeaders: [(String, String)] = []
  static func aggregated(_ reg: ResourceRegistry, legacy: Bool) -> JSONValue { .null }

  static func apiVersions(serverAddress: String) -> JSONValue {
    [
      "kind": "APIVersions", "versions": ["v1"],
      "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
    ]
  }

  private static func groupObject(_ name: String, _ versions: [String]) -> JSONValue {
    let vs: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
    var g: JSONValue = ["name": .string(name), "versions": .array(vs)]
    if let first = vs.first { g["preferredVersion"] = first }
    return g
  }

  static func groupList(_ reg: ResourceRegistry) -> JSONValue {
    let groups = reg.groupVersions.filter { !$0.group.isEmpty }.map { groupObject($0.group, $0.versions) }
    return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
  }

  static func group(_ reg: ResourceRegistry, _ name: String) -> JSONValue? {
    guard let g = reg.groupVersions.first(where: { $0.group == name && !name.isEmpty }) else { return nil }
    var o = groupObject(g.group, g.versions)
    o["kind"] = "APIGroup"
    o["apiVersion"] = "v1"
    return o
  }

  static func subresourceInfo(
    _ r: ResourceInfo, _ sub: String
  ) -> (kind: String, group: String?, version: String?, verbs: [String]) {
    switch sub {
    case "status": return (r.kind, nil, nil, ["get", "patch", "update"])
    case "scale": return ("Scale", "autoscaling", "v1", ["get", "patch", "update"])
    case "exec": return ("PodExecOptions", nil, nil, ["create", "get"])
    case "attach": return ("PodAttachOptions", nil, nil, ["create", "get"])
    case "portforward": return ("PodPortForwardOptions", nil, nil, ["create", "get"])
    case "log": return ("Pod", nil, nil, ["get"])
    case "binding": return ("Binding", nil, nil, ["create"])
    case "eviction": return ("Eviction", "policy", "v1", ["create"])
    case "token": return ("TokenRequest", "authentication.k8s.io", "v1", ["create"])
    case "finalize": return ("Namespace", nil, nil, ["update"])
    case "ephemeralcontainers": return ("Pod", nil, nil, ["get", "patch", "update"])
    default: return ("\(r.kind)ProxyOptions", nil, nil, ["create", "delete", "get", "patch", "update"])
    }
  }

  static func resourceList(_ reg: ResourceRegistry, group: String, version: String) -> JSONValue? {
    let gv = group.isEmpty ? version : "\(group)/\(version)"
    guard let list = reg.byGroupVersion[gv] else { return nil }
    var resources: [JSONValue] = []
    for r in list.sorted(by: { $0.plural < $1.plural }) {
      var o: JSONValue = [
        "name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
        "kind": .string(r.kind), "verbs": .array(r.verbs.map { .string($0) }),
      ]
      if !r.shortNames.isEmpty { o["shortNames"] = .array(r.shortNames.map { .string($0) }) }
      if !r.categories.isEmpty { o["categories"] = .array(r.categories.map { .string($0) }) }
      resources.append(o)
      for sub in r.subresources {
        let s = subresourceInfo(r, sub)
        var so: JSONValue = [
          "name": .string("\(r.plural)/\(sub)"), "singularName": "", "namespaced": .bool(r.namespaced),
          "kind": .string(s.kind), "verbs": .array(s.verbs.map { .string($0) }),
        ]
        if let g = s.group { so["group"] = .string(g) }
        if let v = s.version { so["version"] = .string(v) }
        resources.append(so)
      }
    }
    return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv), "resources": .array(resources)]
  }
}
