/// The built-in kinds served from the start, with kube-apiserver's discovery data.
enum BuiltinResources {
  private static func r(
    _ group: String, _ version: String, _ plural: String, _ singular: String, _ kind: String, namespaced: Bool,
    short: [String] = [], categories: [String] = [], sub: [String] = [], generation: Bool = false,
    returnsObject: Bool = false, verbs: [String] = ResourceInfo.standardVerbs, virtual: Bool = false
  ) -> ResourceInfo {
    ResourceInfo(
      group: group, version: version, plural: plural, singular: singular, kind: kind, listKind: kind + "List",
      namespaced: namespaced, shortNames: short, categories: categories, verbs: verbs, subresources: sub,
      hasGeneration: generation, returnsDeletedObject: returnsObject, virtual: virtual)
  }

  static let all: [ResourceInfo] = {
    let createOnly = ["create"]
    let list: [ResourceInfo] = [
      r(
        "", "v1", "namespaces", "namespace", "Namespace", namespaced: false, short: ["ns"],
        sub: ["status", "finalize"],
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
      r(
        "", "v1", "pods", "pod", "Pod", namespaced: true, short: ["po"], categories: ["all"],
        sub: ["status", "exec", "log", "portforward", "attach", "binding", "eviction", "ephemeralcontainers"],
        returnsObject: true),
      r(
        "", "v1", "services", "service", "Service", namespaced: true, short: ["svc"], categories: ["all"],
        sub: ["status", "proxy"],
        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]),
      r("", "v1", "endpoints", "endpoints", "Endpoints", namespaced: true, short: ["ep"]),
      r("", "v1", "secrets", "secret", "Secret", namespaced: true),
      r("", "v1", "configmaps", "configmap", "ConfigMap", namespaced: true, short: ["cm"]),
      r(
        "", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", namespaced: true,
        short: ["pvc"], sub: ["status"]),
      r(
        "", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", namespaced: false, short: ["pv"],
        sub: ["status"]),
      r(
        "", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", namespaced: true, short: ["sa"], sub: ["token"]
      ),
      r("", "v1", "nodes", "node", "Node", namespaced: false, short: ["no"], sub: ["status", "proxy"]),
      r("", "v1", "events", "event", "Event", namespaced: true, short: ["ev"]),
      r("events.k8s.io", "v1", "events", "event", "Event", namespaced: true, short: ["ev"]),
      r("coordination.k8s.io", "v1", "leases", "lease", "Lease", namespaced: true),
      r(
        "apps", "v1", "deployments", "deployment", "Deployment", namespaced: true, short: ["deploy"],
        categories: ["all"], sub: ["status", "scale"], generation: true),
      // Stored only (nothing enforces them), so manifests and the Runner controller can use them.
      r(
        "networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", namespaced: true,
        short: ["netpol"], generation: true),
      r("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", namespaced: false, short: ["sc"]),
      r("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", namespaced: true),
      r("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", namespaced: true),
      r("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", namespaced: false),
      r(
        "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding",
        namespaced: false),
      r(
        "apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
        "CustomResourceDefinition", namespaced: false, short: ["crd", "crds"], categories: ["api-extensions"],
        sub: ["status"], generation: true),
      r(
        "apiregistration.k8s.io", "v1", "apiservices", "apiservice", "APIService", namespaced: false,
        categories: ["api-extensions"], sub: ["status"]),
      r(
        "authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", namespaced: false,
        verbs: createOnly, virtual: true),
      r(
        "authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview",
        namespaced: false, verbs: createOnly, virtual: true),
      r(
        "authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview",
        namespaced: false, verbs: createOnly, virtual: true),
      r(
        "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
        "SelfSubjectAccessReview", namespaced: false, verbs: createOnly, virtual: true),
      r(
        "authorization.k8s.io", "v1", "localsubjectaccessreviews", "localsubjectaccessreview",
        "LocalSubjectAccessReview", namespaced: true, verbs: createOnly, virtual: true),
      r(
        "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview",
        namespaced: false, verbs: createOnly, virtual: true),
    ]
    return list
  }()
}
