/// Which lists of a built-in kind merge under a strategic merge patch, and by which key.
///
/// This is the part of the Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`) in
/// k8s.io/api that strategic merge patch reads. A list that is not listed here is atomic: the
/// patch replaces it whole, exactly like the API server does for lists without a patch
/// strategy (`tolerations`, `args`, `envFrom`, RBAC `rules` and `subjects`, …).
///
/// Paths are the object keys from the root joined with `.`; list elements do not add a
/// segment (`spec.containers.env` is the `env` of every container).
public struct StrategicMergeSchema: Sendable, Equatable {
  /// A list with the `merge` patch strategy.
  public struct MergeList: Sendable, Equatable {
    /// The field that identifies an element; nil for a list of scalars (e.g. `finalizers`),
    /// which merges as a set.
    public var mergeKey: String?
    public init(mergeKey: String?) { self.mergeKey = mergeKey }
  }

  /// Merging lists by path.
  public var mergeLists: [String: MergeList]

  public init(mergeLists: [String: MergeList] = [:]) { self.mergeLists = mergeLists }

  public func mergeList(at path: String) -> MergeList? { mergeLists[path] }

  /// Adds `fields` (relative paths) under `prefix`.
  public mutating func mount(_ fields: [String: MergeList], at prefix: String) {
    for (path, meta) in fields {
      mergeLists[prefix.isEmpty ? path : prefix + "." + path] = meta
    }
  }

  // MARK: - k8s.io/api tables

  /// `metav1.ObjectMeta`: `finalizers` (merge, scalars) and `ownerReferences` (merge by `uid`).
  static let objectMeta: [String: MergeList] = [
    "finalizers": MergeList(mergeKey: nil),
    "ownerReferences": MergeList(mergeKey: "uid"),
  ]

  /// `core/v1.Container` (also `EphemeralContainer`).
  static let container: [String: MergeList] = [
    "ports": MergeList(mergeKey: "containerPort"),
    "env": MergeList(mergeKey: "name"),
    "volumeMounts": MergeList(mergeKey: "mountPath"),
    "volumeDevices": MergeList(mergeKey: "devicePath"),
  ]

  /// `core/v1.PodSpec`. `volumes` is `merge,retainKeys`: the `$retainKeys` directive kubectl
  /// sends inside a volume is honoured wherever it appears.
  static var podSpec: [String: MergeList] {
    var s: [String: MergeList] = [
      "volumes": MergeList(mergeKey: "name"),
      "imagePullSecrets": MergeList(mergeKey: "name"),
      "hostAliases": MergeList(mergeKey: "ip"),
      "topologySpreadConstraints": MergeList(mergeKey: "topologyKey"),
      "resourceClaims": MergeList(mergeKey: "name"),
      "schedulingGates": MergeList(mergeKey: "name"),
    ]
    for list in ["containers", "initContainers", "ephemeralContainers"] {
      s[list] = MergeList(mergeKey: "name")
      for (p, m) in container { s[list + "." + p] = m }
    }
    return s
  }

  static let podStatus: [String: MergeList] = [
    "conditions": MergeList(mergeKey: "type"),
    "podIPs": MergeList(mergeKey: "ip"),
    "hostIPs": MergeList(mergeKey: "ip"),
    "resourceClaimStatuses": MergeList(mergeKey: "name"),
  ]

  static let conditions: [String: MergeList] = ["conditions": MergeList(mergeKey: "type")]

  /// Metadata only: what every built-in kind has.
  public static var metadataOnly: StrategicMergeSchema {
    var s = StrategicMergeSchema()
    s.mount(objectMeta, at: "metadata")
    return s
  }

  private static func withPodTemplate(at prefix: String) -> StrategicMergeSchema {
    var s = metadataOnly
    s.mount(objectMeta, at: prefix + ".metadata")
    s.mount(podSpec, at: prefix + ".spec")
    return s
  }

  /// The schema for a built-in kind. Kinds without merging lists beyond `metadata` (ConfigMap,
  /// Secret, Role, ClusterRole, RoleBinding, ClusterRoleBinding, Lease, Event, NetworkPolicy,
  /// CustomResourceDefinition, …) get `metadataOnly`. Custom resources do not support strategic
  /// merge patch at all (the API server answers 415); deciding that is the caller's job.
  public static func forKind(group: String, kind: String) -> StrategicMergeSchema {
    switch (group, kind) {
    case ("", "Pod"):
      var s = metadataOnly
      s.mount(podSpec, at: "spec")
      s.mount(podStatus, at: "status")
      return s
    case ("", "PodTemplate"):
      return withPodTemplate(at: "template")
    case ("", "ReplicationController"), ("apps", "ReplicaSet"), ("apps", "Deployment"), ("apps", "StatefulSet"),
      ("apps", "DaemonSet"), ("batch", "Job"):
      var s = withPodTemplate(at: "spec.template")
      s.mount(conditions, at: "status")
      return s
    case ("batch", "CronJob"):
      var s = withPodTemplate(at: "spec.jobTemplate.spec.template")
      s.mount(objectMeta, at: "spec.jobTemplate.metadata")
      return s
    case ("", "Service"):
      var s = metadataOnly
      s.mount(["ports": MergeList(mergeKey: "port")], at: "spec")
      s.mount(conditions, at: "status")
      return s
    case ("", "ServiceAccount"):
      var s = metadataOnly
      s.mount(["secrets": MergeList(mergeKey: "name")], at: "")
      return s
    case ("", "PersistentVolumeClaim"), ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"):
      var s = metadataOnly
      s.mount(conditions, at: "status")
      return s
    default:
      return metadataOnly
    }
  }
}
