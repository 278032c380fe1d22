import APIMachinery
import CRDModels

/// Everything the server knows about one served resource at one version: the REST names,
/// discovery data, subresources, and for custom resources the schema and printer columns.
struct ResourceInfo: Sendable {
  var group: String
  var version: String
  var plural: String
  var singular: String
  var kind: String
  var listKind: String
  var namespaced: Bool
  var shortNames: [String] = []
  var categories: [String] = []
  var verbs: [String] = ResourceInfo.standardVerbs
  /// Served subresources: `status`, `scale`, `exec`, `log`, `portforward`, `token`, …
  var subresources: [String] = []
  /// Whether `metadata.generation` is maintained (custom resources and kinds with a spec).
  var hasGeneration = false
  /// Whether DELETE answers the deleted object (pods) or a `Status` (most kinds).
  var returnsDeletedObject = false
  /// Create-only virtual resources (TokenReview, SubjectAccessReview): never stored.
  var virtual = false
  var isCustom = false
  /// The CRD's `openAPIV3Schema` for this version.
  var schema: JSONValue?
  /// `schema`, compiled once when the CRD is registered: every write of the resource defaults,
  /// prunes and validates with it.
  var structuralSchema: StructuralSchema?
  var printerColumns: [PrinterColumn] = []
  /// Whether the CRD says `x-kubernetes-preserve-unknown-fields` at the root or has no schema.
  var preserveUnknownFields = false

  static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

  var hasStatus: Bool { subresources.contains("status") }
  var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  var groupVersion: String { apiVersion }
  /// Objects of every version of one resource share this storage.
  var storageKey: String { "\(group)/\(plural)" }
  /// `pods`, `runners.gra.dev`: how errors name the resource.
  var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }
  var descriptor: ResourceDescriptor {
    ResourceDescriptor(group: group, version: version, plural: plural, kind: kind, namespaced: namespaced)
  }
}

/// One `additionalPrinterColumns` entry (or a built-in column).
struct PrinterColumn: Sendable {
  var name: String
  var type: String
  var format: String = ""
  var description: String = ""
  var priority: Int = 0
  var jsonPath: String
}

/// The served resources, by group/version and plural; rebuilt when CRDs change.
struct ResourceRegistry: Sendable {
  private(set) var byGroupVersion: [String: [ResourceInfo]] = [:]
  /// Group name → versions in preference order.
  private(set) var groupVersions: [(group: String, versions: [String])] = []

  init(builtins: [ResourceInfo]) {
    for r in builtins { add(r) }
  }

  mutating func add(_ r: ResourceInfo) {
    var list = byGroupVersion[r.groupVersion] ?? []
    list.removeAll { $0.plural == r.plural }
    list.append(r)
    byGroupVersion[r.groupVersion] = list
    if let i = groupVersions.firstIndex(where: { $0.group == r.group }) {
      if !groupVersions[i].versions.contains(r.version) { groupVersions[i].versions.append(r.version) }
    } else {
      groupVersions.append((r.group, [r.version]))
    }
  }

  /// Removes every version of `plural` in `group`.
  mutating func remove(group: String, plural: String) {
    for (gv, list) in byGroupVersion {
      let kept = list.filter { !($0.group == group && $0.plural == plural) }
      if kept.isEmpty { byGroupVersion[gv] = nil } else { byGroupVersion[gv] = kept }
    }
    for i in groupVersions.indices.reversed() where groupVersions[i].group == group {
      groupVersions[i].versions.removeAll { byGroupVersion[group.isEmpty ? $0 : "\(group)/\($0)"] == nil }
      if groupVersions[i].versions.isEmpty { groupVersions.remove(at: i) }
    }
  }

  mutating func setVersionOrder(group: String, versions: [String]) {
    if let i = groupVersions.firstIndex(where: { $0.group == group }) { groupVersions[i].versions = versions }
  }

  func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
    byGroupVersion[group.isEmpty ? version : "\(group)/\(version)"]?.first { $0.plural == plural }
  }

  /// Any served version of a resource (the preferred one first).
  func lookup(group: String, plural: String) -> ResourceInfo? {
    guard let g = groupVersions.first(where: { $0.group == group }) else { return nil }
    for v in g.versions { if let r = lookup(group: group, version: v, plural: plural) { return r } }
    return nil
  }

  func lookup(apiVersion: String, kind: String) -> ResourceInfo? {
    byGroupVersion[apiVersion]?.first { $0.kind == kind }
  }

  /// Every resource at its preferred version, once.
  var preferred: [ResourceInfo] {
    var out: [ResourceInfo] = []
    for g in groupVersions {
      var seen = Set<String>()
      for v in g.versions {
        for r in byGroupVersion[g.group.isEmpty ? v : "\(g.group)/\(v)"] ?? [] where !seen.contains(r.plural) {
          seen.insert(r.plural)
          out.append(r)
        }
      }
    }
    return out
  }
}
