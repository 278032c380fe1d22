import APIMachinery
import CRDModels

/// The objects a fresh kube-apiserver creates: the default namespaces, the `kubernetes`
/// Service, the bootstrap RBAC roles and bindings, and the
/// `extension-apiserver-authentication` ConfigMap.
enum Bootstrap {
  static let manifests = """
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}}
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system"}}
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-public"}}
    {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-node-lease"}}
    {"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default","labels":{"component":"apiserver","provider":"kubernetes"}},"spec":{"ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}],"clusterIP":"10.96.0.1"}}
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extension-apiserver-authentication","namespace":"kube-system"},"data":{"requestheader-allowed-names":"[]","requestheader-extra-headers-prefix":"[\\"X-Remote-Extra-\\"]","requestheader-group-headers":"[\\"X-Remote-Group\\"]","requestheader-username-headers":"[\\"X-Remote-User\\"]","requestheader-client-ca-file":""}}
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kube-root-ca.crt","namespace":"default"},"data":{"ca.crt":""}}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"cluster-admin","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"cluster-admin","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:masters"}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:discovery","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"],"verbs":["get"]}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"system:discovery","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:discovery"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:basic-user","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"],"verbs":["create"]},{"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"system:basic-user","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:basic-user"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:public-info-viewer","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"],"verbs":["get"]}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"system:public-info-viewer","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:public-info-viewer"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:authenticated"},{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"system:unauthenticated"}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:auth-delegator","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":["authentication.k8s.io"],"resources":["tokenreviews"],"verbs":["create"]},{"apiGroups":["authorization.k8s.io"],"resources":["subjectaccessreviews"],"verbs":["create"]}]}
    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"extension-apiserver-authentication-reader","namespace":"kube-system","labels":{"kubernetes.io/bootstrapping":"rbac-defaults"}},"rules":[{"apiGroups":[""],"resourceNames":["extension-apiserver-authentication"],"resources":["configmaps"],"verbs":["get","list","watch"]}]}
    """

  /// The user-facing roles as kube-apiserver creates them: `admin`, `edit` and `view` carry an
  /// `aggregationRule`, so ClusterRoles labelled `rbac.authorization.k8s.io/aggregate-to-*`
  /// (gra's `gra-edit` and `gra-view`) extend them, with `system:aggregate-to-*` holding the
  /// built-in rules.
  static let aggregatedRoles: Set<String> = [
    "admin", "edit", "view", "system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view",
  ]

  /// Not kube-apiserver's but the cluster's, as minikube and kind ship one: the default
  /// StorageClass `standard`, provisioned by the local kubelet (which binds every claim to a
  /// directory) and expandable, so `DefaultStorageClass` gives claims without a class this
  /// one and `PersistentVolumeClaimResize` lets them grow.
  static let defaultStorageClass = """
    {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"gra.dev/local-kubelet","reclaimPolicy":"Delete","volumeBindingMode":"Immediate","allowVolumeExpansion":true}
    """

  static func install(_ store: ObjectStore) async throws {
    for line in (manifests + "\n" + defaultStorageClass).split(separator: "\n") {
      let doc = try JSONValue.parse(String(line))
      try await Manifests.apply(doc, store)
    }
    for role in RBACBootstrapPolicy.clusterRoles
    where aggregatedRoles.contains(role["metadata"]["name"].stringValue ?? "") {
      try await Manifests.apply(role, store)
    }
  }
}
