import CRDModels
import Foundation

/// The default ClusterRoles and ClusterRoleBindings kube-apiserver creates at start
/// (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`), so that a local server authorizes
/// `kubectl` and ServiceAccounts the way a fresh cluster does:
///
/// - `cluster-admin` (everything), bound to group `system:masters`;
/// - `system:discovery` (`/api`, `/apis`, `/openapi`, `/version`, health) and
///   `system:basic-user` (self subject access/rules reviews), bound to `system:authenticated`;
/// - `system:public-info-viewer` (health and `/version`), bound to `system:authenticated` and
///   `system:unauthenticated`;
/// - the user-facing `admin`, `edit` and `view` roles, aggregated from
///   `system:aggregate-to-admin|edit|view` and from any ClusterRole labelled
///   `rbac.authorization.k8s.io/aggregate-to-admin|edit|view: "true"` (as gra's own roles are).
///
/// The aggregate-to roles cover the core, apps, batch, autoscaling, policy, networking and
/// discovery resources; kube's further controller roles (`system:controller:*`, `system:node`,
/// `system:kube-scheduler`, …) are not included.
public enum RBACBootstrapPolicy {
  static let readVerbs = #"["get","list","watch"]"#
  static let writeVerbs = #"["create","delete","deletecollection","patch","update"]"#

  static let clusterRolesJSON = """
    [
     {"name":"cluster-admin","rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]},{"nonResourceURLs":["*"],"verbs":["*"]}]},
     {"name":"system:discovery","rules":[{"nonResourceURLs":["/api","/api/*","/apis","/apis/*","/healthz","/livez","/openapi","/openapi/*","/readyz","/version","/version/"],"verbs":["get"]}]},
     {"name":"system:public-info-viewer","rules":[{"nonResourceURLs":["/healthz","/livez","/readyz","/version","/version/"],"verbs":["get"]}]},
     {"name":"system:basic-user","rules":[{"apiGroups":["authorization.k8s.io"],"resources":["selfsubjectaccessreviews","selfsubjectrulesreviews"],"verbs":["create"]},{"apiGroups":["authentication.k8s.io"],"resources":["selfsubjectreviews"],"verbs":["create"]}]},
     {"name":"admin","aggregate":"admin"},
     {"name":"edit","aggregate":"edit","labels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"}},
     {"name":"view","aggregate":"view","labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"}},
     {"name":"system:aggregate-to-admin","labels":{"rbac.authorization.k8s.io/aggregate-to-admin":"true"},"rules":[
       {"apiGroups":["authorization.k8s.io"],"resources":["localsubjectaccessreviews"],"verbs":["create"]},
       {"apiGroups":["rbac.authorization.k8s.io"],"resources":["rolebindings","roles"],"verbs":["create","delete","deletecollection","get","list","patch","update","watch"]}]},
     {"name":"system:aggregate-to-edit","labels":{"rbac.authorization.k8s.io/aggregate-to-edit":"true"},"rules":[
       {"apiGroups":[""],"resources":["pods/attach","pods/exec","pods/portforward","pods/proxy","secrets","services/proxy"],"verbs":\(readVerbs)},
       {"apiGroups":[""],"resources":["serviceaccounts"],"verbs":["impersonate"]},
       {"apiGroups":[""],"resources":["pods","pods/attach","pods/exec","pods/portforward","pods/proxy"],"verbs":\(writeVerbs)},
       {"apiGroups":[""],"resources":["pods/eviction"],"verbs":["create"]},
       {"apiGroups":[""],"resources":["configmaps","events","persistentvolumeclaims","replicationcontrollers","replicationcontrollers/scale","secrets","serviceaccounts","services","services/proxy"],"verbs":\(writeVerbs)},
       {"apiGroups":[""],"resources":["serviceaccounts/token"],"verbs":["create"]},
       {"apiGroups":["apps"],"resources":["daemonsets","deployments","deployments/rollback","deployments/scale","replicasets","replicasets/scale","statefulsets","statefulsets/scale"],"verbs":\(writeVerbs)},
       {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers"],"verbs":\(writeVerbs)},
       {"apiGroups":["batch"],"resources":["cronjobs","jobs"],"verbs":\(writeVerbs)},
       {"apiGroups":["networking.k8s.io"],"resources":["ingresses","networkpolicies"],"verbs":\(writeVerbs)},
       {"apiGroups":["policy"],"resources":["poddisruptionbudgets"],"verbs":\(writeVerbs)},
       {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":\(writeVerbs)}]},
     {"name":"system:aggregate-to-view","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"},"rules":[
       {"apiGroups":[""],"resources":["configmaps","endpoints","persistentvolumeclaims","persistentvolumeclaims/status","pods","replicationcontrollers","replicationcontrollers/scale","serviceaccounts","services","services/status"],"verbs":\(readVerbs)},
       {"apiGroups":[""],"resources":["bindings","events","limitranges","namespaces/status","pods/log","pods/status","replicationcontrollers/status","resourcequotas","resourcequotas/status"],"verbs":\(readVerbs)},
       {"apiGroups":[""],"resources":["namespaces"],"verbs":\(readVerbs)},
       {"apiGroups":["discovery.k8s.io"],"resources":["endpointslices"],"verbs":\(readVerbs)},
       {"apiGroups":["apps"],"resources":["controllerrevisions","daemonsets","daemonsets/status","deployments","deployments/scale","deployments/status","replicasets","replicasets/scale","replicasets/status","statefulsets","statefulsets/scale","statefulsets/status"],"verbs":\(readVerbs)},
       {"apiGroups":["autoscaling"],"resources":["horizontalpodautoscalers","horizontalpodautoscalers/status"],"verbs":\(readVerbs)},
       {"apiGroups":["batch"],"resources":["cronjobs","cronjobs/status","jobs","jobs/status"],"verbs":\(readVerbs)},
       {"apiGroups":["policy"],"resources":["poddisruptionbudgets","poddisruptionbudgets/status"],"verbs":\(readVerbs)},
       {"apiGroups":["networking.k8s.io"],"resources":["ingresses","ingresses/status","networkpolicies"],"verbs":\(readVerbs)},
       {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":\(readVerbs)}]}
    ]
    """

  static let bindingsJSON = """
    [
     {"name":"cluster-admin","role":"cluster-admin","groups":["system:masters"]},
     {"name":"system:discovery","role":"system:discovery","groups":["system:authenticated"]},
     {"name":"system:basic-user","role":"system:basic-user","groups":["system:authenticated"]},
     {"name":"system:public-info-viewer","role":"system:public-info-viewer","groups":["system:authenticated","system:unauthenticated"]}
    ]
    """

  static func metadata(_ name: String, labels extra: [String: JSONValue]) -> JSONValue {
    var labels = extra
    labels["kubernetes.io/bootstrapping"] = "rbac-defaults"
    return .object([
      "name": .string(name), "labels": .object(labels),
      "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"],
    ])
  }

  static func decode(_ text: String) -> [JSONValue] {
    (try? JSONValue.parse(text))?.arrayValue ?? []
  }

  /// The default ClusterRoles as `rbac.authorization.k8s.io/v1` objects (aggregated roles have
  /// their `aggregationRule` and empty `rules`; compute them with
  /// `RBACAuthorizer.aggregatedRules`).
  public static var clusterRoles: [JSONValue] {
    decode(clusterRolesJSON).map { spec in
      let name = spec["name"].stringValue ?? ""
      var role: [String: JSONValue] = [
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": metadata(name, labels: spec["labels"].objectValue ?? [:]),
      ]
      if let aggregate = spec["aggregate"].stringValue {
        let selector: JSONValue = [
          "matchLabels": .object(["rbac.authorization.k8s.io/aggregate-to-\(aggregate)": "true"])
        ]
        role["aggregationRule"] = ["clusterRoleSelectors": [selector]]
        role["rules"] = []
      } else {
        role["rules"] = spec["rules"]
      }
      return .object(role)
    }
  }

  /// The default ClusterRoleBindings.
  public static var clusterRoleBindings: [JSONValue] {
    decode(bindingsJSON).map { spec in
      let subjects = (spec["groups"].arrayValue ?? []).map { g -> JSONValue in
        ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g]
      }
      return .object([
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": metadata(spec["name"].stringValue ?? "", labels: [:]),
        "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": spec["role"]],
        "subjects": .array(subjects),
      ])
    }
  }

  /// Both lists, roles first.
  public static var objects: [JSONValue] { clusterRoles + clusterRoleBindings }
}
