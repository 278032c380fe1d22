import CRDModels
import Testing

@testable import APIMachinery

@Suite struct RBACAuthorizerTests {
  static let objectsJSON = #"""
    [
     {"kind":"ClusterRole","metadata":{"name":"pod-reader"},"rules":[{"verbs":["get","list","watch"],"apiGroups":[""],"resources":["pods","pods/log"]}]},
     {"kind":"ClusterRole","metadata":{"name":"runner-exec","labels":{"gra.dev/aggregate-to-edit":"true"}},
      "rules":[{"verbs":["create"],"apiGroups":["gra.dev","exec.gra.dev"],"resources":["runners/exec"]}]},
     {"kind":"ClusterRole","metadata":{"name":"runner-edit","labels":{"gra.dev/aggregate-to-edit":"true"}},
      "rules":[{"verbs":["*"],"apiGroups":["gra.dev"],"resources":["runners","tracerjobs"]}]},
     {"kind":"ClusterRole","metadata":{"name":"gra-edit"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"gra.dev/aggregate-to-edit":"true"}}]},"rules":[]},
     {"kind":"ClusterRole","metadata":{"name":"status-anything"},"rules":[{"verbs":["update"],"apiGroups":["*"],"resources":["*/status"]}]},
     {"kind":"ClusterRole","metadata":{"name":"health"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz","/metrics/*"]}]},
     {"kind":"Role","metadata":{"namespace":"team","name":"cm-one"},"rules":[{"verbs":["get","update"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["settings"]}]},
     {"kind":"ClusterRoleBinding","metadata":{"name":"readers"},"roleRef":{"kind":"ClusterRole","name":"pod-reader"},"subjects":[{"kind":"Group","name":"readers"}]},
     {"kind":"ClusterRoleBinding","metadata":{"name":"health"},"roleRef":{"kind":"ClusterRole","name":"health"},"subjects":[{"kind":"Group","name":"system:authenticated"}]},
     {"kind":"ClusterRoleBinding","metadata":{"name":"dangling"},"roleRef":{"kind":"ClusterRole","name":"missing"},"subjects":[{"kind":"User","name":"dan"}]},
     {"kind":"ClusterRoleBinding","metadata":{"name":"operator"},"roleRef":{"kind":"ClusterRole","name":"status-anything"},
      "subjects":[{"kind":"ServiceAccount","name":"gra-operator","namespace":"gra-system"}]},
     {"kind":"RoleBinding","metadata":{"namespace":"team","name":"alice-edit"},"roleRef":{"kind":"ClusterRole","name":"gra-edit"},"subjects":[{"kind":"User","name":"alice"}]},
     {"kind":"RoleBinding","metadata":{"namespace":"team","name":"settings"},"roleRef":{"kind":"Role","name":"cm-one"},
      "subjects":[{"kind":"ServiceAccount","name":"app"}]}
    ]
    """#

  let authz = RBACAuthorizer(objects: json(objectsJSON).arrayValue!).withAggregatedClusterRoles()

  func can(
    _ user: RequestUser, _ verb: String, _ group: String, _ resource: String, sub: String = "", name: String = "",
    ns: String = ""
  )
    -> AuthorizationDecision
  {
    authz.authorize(
      RequestAttributes(
        user: user, verb: verb, apiGroup: group, resource: resource, subresource: sub, name: name, namespace: ns))
  }

  let alice = RequestUser(name: "alice", groups: ["system:authenticated"])
  let reader = RequestUser(name: "rita", groups: ["readers", "system:authenticated"])

  @Test func clusterRoleBindingToGroupAllowsEverywhere() {
    let d = can(reader, "list", "", "pods", ns: "any")
    #expect(d.allowed)
    #expect(
      d.reason == #"RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to Group "readers""#)
    #expect(can(reader, "list", "", "pods").allowed)
    #expect(can(reader, "get", "", "pods", sub: "log", name: "p", ns: "x").allowed)
    #expect(!can(reader, "delete", "", "pods", ns: "any").allowed)
    #expect(!can(reader, "get", "", "pods", sub: "exec", ns: "any").allowed)
    #expect(!can(reader, "get", "apps", "pods", ns: "any").allowed)
  }

  @Test func roleBindingToAggregatedClusterRoleIsNamespaced() {
    let d = can(alice, "create", "gra.dev", "runners", sub: "exec", name: "r", ns: "team")
    #expect(d.allowed)
    #expect(d.reason == #"RBAC: allowed by RoleBinding "alice-edit/team" of ClusterRole "gra-edit" to User "alice""#)
    #expect(can(alice, "delete", "gra.dev", "tracerjobs", ns: "team").allowed)
    #expect(!can(alice, "delete", "gra.dev", "tracerjobs", ns: "other").allowed)
    #expect(!can(alice, "list", "gra.dev", "runners").allowed)
    #expect(!can(alice, "create", "", "pods", sub: "exec", ns: "team").allowed)
  }

  @Test func aggregationUnionsMatchingRolesSortedByName() throws {
    let edit = try #require(authz.clusterRoles.first { $0.name == "gra-edit" })
    #expect(edit.rules.map(\.verbs) == [["*"], ["create"]])
  }

  @Test func wildcardSubresourceForm() {
    let sa = RequestUser.serviceAccount(namespace: "gra-system", name: "gra-operator")
    #expect(can(sa, "update", "gra.dev", "runners", sub: "status", name: "r", ns: "team").allowed)
    #expect(!can(sa, "update", "gra.dev", "runners", name: "r", ns: "team").allowed)
    #expect(
      can(sa, "update", "", "pods", sub: "status", ns: "x").reason
        == #"RBAC: allowed by ClusterRoleBinding "operator" of ClusterRole "status-anything" to ServiceAccount "gra-operator/gra-system""#
    )
  }

  @Test func serviceAccountSubjectDefaultsToBindingNamespaceAndResourceNames() {
    let app = RequestUser.serviceAccount(namespace: "team", name: "app")
    let d = can(app, "get", "", "configmaps", name: "settings", ns: "team")
    #expect(d.allowed)
    #expect(d.reason == #"RBAC: allowed by RoleBinding "settings/team" of Role "cm-one" to ServiceAccount "app/team""#)
    #expect(!can(app, "get", "", "configmaps", name: "other", ns: "team").allowed)
    #expect(!can(app, "list", "", "configmaps", ns: "team").allowed)
    let elsewhere = RequestUser.serviceAccount(namespace: "other", name: "app")
    #expect(!can(elsewhere, "get", "", "configmaps", name: "settings", ns: "team").allowed)
  }

  @Test func nonResourceURLsWithTrailingStar() {
    func path(_ p: String) -> AuthorizationDecision {
      authz.authorize(RequestAttributes(user: alice, verb: "get", path: p))
    }
    #expect(path("/healthz").allowed)
    #expect(path("/metrics/cadvisor").allowed)
    #expect(!path("/metrics").allowed)
    #expect(!path("/healthz/etcd").allowed)
  }

  @Test func systemMastersIsAllowedEverything() {
    let admin = RequestUser(name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"])
    let d = can(admin, "delete", "rbac.authorization.k8s.io", "clusterroles", name: "x")
    #expect(d == AuthorizationDecision(allowed: true, reason: ""))
  }

  @Test func missingRoleShowsInTheDenialReason() {
    let d = can(RequestUser(name: "dan"), "get", "", "pods", ns: "x")
    #expect(!d.allowed)
    #expect(d.reason == #"RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found"#)
  }

  @Test func ruleMatchingTable() {
    let rule = RBAC.PolicyRule(verbs: ["get"], apiGroups: ["*"], resources: ["*"])
    let a = RequestAttributes(user: alice, verb: "get", apiGroup: "x", resource: "anything", subresource: "sub")
    #expect(RBACAuthorizer.ruleAllows(a, rule))
    let b = RBAC.PolicyRule(verbs: ["*"], apiGroups: [""], resources: ["pods/*"])
    #expect(
      !RBACAuthorizer.ruleAllows(RequestAttributes(user: alice, verb: "get", resource: "pods", subresource: "log"), b))
  }

  @Test func serviceAccountUserParsing() {
    let sa = RequestUser.serviceAccount(namespace: "ns", name: "n")
    #expect(sa.name == "system:serviceaccount:ns:n")
    #expect(sa.groups == ["system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated"])
    #expect(sa.serviceAccount?.namespace == "ns")
    #expect(RequestUser(name: "bob").serviceAccount == nil)
  }
}

@Suite struct ForbiddenMessageTests {
  let bob = RequestUser(name: "bob")

  @Test func namespacedResource() {
    let a = RequestAttributes(user: bob, verb: "get", resource: "pods", name: "foo", namespace: "default")
    let s = a.forbiddenStatus()
    #expect(
      s.message
        == #"pods "foo" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default""#
    )
    #expect(s.code == 403)
    #expect(s.reason == "Forbidden")
    #expect(s.details?.kind == "pods")
    #expect(s.details?.name == "foo")
  }

  @Test func subresourceInAGroup() {
    let a = RequestAttributes(
      user: bob, verb: "create", apiGroup: "gra.dev", resource: "runners", subresource: "exec", name: "r",
      namespace: "team")
    #expect(
      a.forbiddenStatus().message
        == #"runners.gra.dev "r" is forbidden: User "bob" cannot create resource "runners/exec" in API group "gra.dev" in the namespace "team""#
    )
  }

  @Test func clusterScopeListWithoutName() {
    let a = RequestAttributes(user: bob, verb: "list", resource: "nodes")
    #expect(
      a.forbiddenStatus().message
        == #"nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope"#)
  }

  @Test func nonResourcePathAndReasonSuffix() {
    let a = RequestAttributes(user: bob, verb: "get", path: "/metrics")
    #expect(a.forbiddenStatus().message == #"forbidden: User "bob" cannot get path "/metrics""#)
    #expect(
      a.forbiddenStatus(reason: "RBAC: x").message == #"forbidden: User "bob" cannot get path "/metrics": RBAC: x"#)
  }
}

@Suite struct SubjectAccessReviewTests {
  @Test func reviewsResourceAttributes() {
    let authz = RBACAuthorizer(
      clusterRoles: [
        .init(name: "exec", rules: [.init(verbs: ["create"], apiGroups: ["gra.dev"], resources: ["runners/exec"])])
      ],
      roleBindings: [
        .init(
          namespace: "team", name: "b", roleRef: .init(kind: "ClusterRole", name: "exec"),
          subjects: [.init(kind: "Group", name: "devs")])
      ])
    let spec = SubjectAccessReviewSpec(
      resourceAttributes: ResourceAttributes(
        namespace: "team", verb: "create", group: "gra.dev", resource: "runners", subresource: "exec", name: "r"),
      user: "carol", groups: ["devs"])
    let status = authz.review(spec)
    #expect(status.allowed)
    #expect(status.reason == #"RBAC: allowed by RoleBinding "b/team" of ClusterRole "exec" to Group "devs""#)
    var other = spec
    other.groups = []
    #expect(authz.review(other) == SubjectAccessReviewStatus(allowed: false))
  }
}
