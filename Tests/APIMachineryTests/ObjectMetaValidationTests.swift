import CRDModels
import Testing

@testable import APIMachinery

@Suite struct ObjectMetaValidationTests {
  @Test func validMetadata() {
    let md = json(
      #"{"name":"runner-1","namespace":"team","labels":{"app.kubernetes.io/name":"gra"},"annotations":{"a/b":"c"}}"#)
    #expect(ObjectMetaValidation.validate(md, namespaced: true) == [])
  }

  @Test func nameMessages() {
    let errs = ObjectMetaValidation.validate(json(#"{"name":"Runner_1","namespace":"team"}"#), namespaced: true)
    #expect(
      errs.map(\.description) == [
        #"metadata.name: Invalid value: "Runner_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
      ])
  }

  @Test func missingNameAndNamespace() {
    let errs = ObjectMetaValidation.validate(json("{}"), namespaced: true)
    #expect(
      errs.map(\.description) == [
        "metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value",
      ])
  }

  @Test func generateNameMayEndWithADash() {
    #expect(
      ObjectMetaValidation.validate(json(#"{"generateName":"job-","name":"job-abcde"}"#), namespaced: false) == [])
  }

  @Test func namespaceForbiddenOnClusterScopedKinds() {
    let errs = ObjectMetaValidation.validate(json(#"{"name":"n","namespace":"x"}"#), namespaced: false)
    #expect(errs.map(\.description) == ["metadata.namespace: Forbidden: not allowed on this type"])
  }

  @Test func rbacNamesArePathSegments() {
    #expect(
      ObjectMetaValidation.validate(json(#"{"name":"system:discovery"}"#), nameRule: .pathSegment, namespaced: false)
        == [])
    let errs = ObjectMetaValidation.validate(json(#"{"name":"a/b"}"#), nameRule: .pathSegment, namespaced: false)
    #expect(errs.map(\.description) == [#"metadata.name: Invalid value: "a/b": may not contain '/'"#])
  }

  @Test func badLabelValue() {
    let errs = ObjectMetaValidation.validate(json(#"{"name":"n","labels":{"a":"-x"}}"#), namespaced: false)
    #expect(errs.count == 1)
    #expect(errs[0].field == "metadata.labels")
    #expect(errs[0].badValue == .string("-x"))
  }
}

@Suite struct RBACBootstrapPolicyTests {
  let authz = RBACAuthorizer(objects: RBACBootstrapPolicy.objects).withAggregatedClusterRoles()

  @Test func authenticatedUsersCanDiscover() {
    let user = RequestUser(name: "bob", groups: ["system:authenticated"])
    let d = authz.authorize(RequestAttributes(user: user, verb: "get", path: "/apis/gra.dev/v1alpha1"))
    #expect(d.allowed)
    #expect(
      d.reason
        == #"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#
    )
    #expect(!authz.authorize(RequestAttributes(user: user, verb: "list", resource: "pods", namespace: "x")).allowed)
  }

  @Test func anonymousSeesOnlyPublicInfo() {
    #expect(authz.authorize(RequestAttributes(user: .anonymous, verb: "get", path: "/version")).allowed)
    #expect(!authz.authorize(RequestAttributes(user: .anonymous, verb: "get", path: "/apis")).allowed)
  }

  @Test func adminAggregatesEditAndViewTransitively() throws {
    let admin = try #require(authz.clusterRoles.first { $0.name == "admin" })
    let user = RequestUser(name: "ann")
    let a = RBACAuthorizer(
      roles: [], clusterRoles: authz.clusterRoles,
      roleBindings: [
        .init(
          namespace: "team", name: "ann", roleRef: .init(kind: "ClusterRole", name: "admin"),
          subjects: [.init(kind: "User", name: "ann")])
      ])
    #expect(!admin.rules.isEmpty)
    #expect(
      a.authorize(
        RequestAttributes(
          user: user, verb: "create", resource: "pods", subresource: "exec", name: "p", namespace: "team")
      ).allowed)
    #expect(
      a.authorize(
        RequestAttributes(user: user, verb: "watch", apiGroup: "apps", resource: "deployments", namespace: "team")
      ).allowed)
    #expect(
      a.authorize(
        RequestAttributes(
          user: user, verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "roles", namespace: "team")
      ).allowed)
    #expect(!a.authorize(RequestAttributes(user: user, verb: "list", resource: "nodes")).allowed)
  }

  @Test func viewCannotReadSecrets() {
    let a = RBACAuthorizer(
      clusterRoles: authz.clusterRoles,
      clusterRoleBindings: [
        .init(
          name: "v", roleRef: .init(kind: "ClusterRole", name: "view"), subjects: [.init(kind: "User", name: "vic")])
      ])
    let vic = RequestUser(name: "vic")
    #expect(a.authorize(RequestAttributes(user: vic, verb: "list", resource: "pods", namespace: "x")).allowed)
    #expect(!a.authorize(RequestAttributes(user: vic, verb: "get", resource: "secrets", namespace: "x")).allowed)
  }
}
