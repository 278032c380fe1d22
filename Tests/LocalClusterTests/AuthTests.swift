import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite("authentication and authorization")
struct AuthTests {
  /// The kubeconfig carries the admin token: only its owner may read it, also when it replaces
  /// a file others could read.
  @Test func theKubeconfigIsReadableByItsOwnerOnly() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-kubeconfig-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("nested/kubeconfig")
    func mode() throws -> Int {
      try (FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
    try await c.server.writeKubeconfig(to: file)
    #expect(try mode() == 0o600)
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
    try await c.server.writeKubeconfig(to: file, token: "another")
    #expect(try mode() == 0o600)
    #expect(try String(contentsOf: file, encoding: .utf8).contains("token: another"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["kubeconfig"])
  }

  @Test func forbiddenBodyAsKubernetesSendsIt() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let bob = await c.server.issueToken(user: "bob", groups: ["devs"])
    let r = try await c.request("GET", "/api/v1/namespaces/default/pods", token: bob)
    #expect(r.code == 403)
    #expect(r.json["reason"] == "Forbidden")
    #expect(
      r.json["message"]
        == "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    )
    #expect(r.json["details"]["kind"] == "pods")
    let one = try await c.request("GET", "/api/v1/nodes/n1", token: bob)
    #expect(
      one.json["message"]
        == "nodes \"n1\" is forbidden: User \"bob\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"
    )
    // Discovery is open to every authenticated user (system:discovery).
    #expect(try await c.request("GET", "/apis", token: bob).code == 200)

    // A RoleBinding to the bootstrap `view` ClusterRole grants reads in one namespace.
    _ = try await c.request(
      "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
      body:
        #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"devs-view"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"Group","name":"devs","apiGroup":"rbac.authorization.k8s.io"}]}"#
    )
    #expect(try await c.request("GET", "/api/v1/namespaces/default/pods", token: bob).code == 200)
    #expect(try await c.request("GET", "/api/v1/namespaces/kube-system/pods", token: bob).code == 403)
    let exec = try await c.request("GET", "/api/v1/namespaces/default/pods/x/exec?command=ls", token: bob)
    #expect(
      exec.json["message"]
        == "pods \"x\" is forbidden: User \"bob\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\""
    )
  }

  @Test func tokenReviewAndSubjectAccessReview() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request(
      "POST", "/api/v1/namespaces/default/serviceaccounts",
      body: #"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"bot"}}"#)
    let tr = try await c.request(
      "POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
      body: #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}"#)
    #expect(tr.code == 201)
    let token = try #require(tr.json["status"]["token"].stringValue)
    let review = try await c.request(
      "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
      body: #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"\#(token)"}}"#)
    #expect(review.code == 201)
    #expect(review.json["status"]["authenticated"] == true)
    #expect(review.json["status"]["user"]["username"] == "system:serviceaccount:default:bot")
    #expect((review.json["status"]["user"]["groups"].arrayValue ?? []).contains("system:serviceaccounts:default"))
    let bad = try await c.request(
      "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
      body: #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"nope"}}"#)
    #expect(bad.json["status"]["authenticated"] == false)

    let sar = """
      {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"system:serviceaccount:default:bot","groups":["system:serviceaccounts"],
       "resourceAttributes":{"group":"gra.dev","resource":"runners","subresource":"exec","verb":"create","namespace":"default","name":"r1"}}}
      """
    let denied = try await c.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: sar)
    #expect(denied.code == 201)
    #expect(denied.json["status"]["allowed"] == false)
    _ = try await c.request(
      "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
      body:
        #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"exec"},"rules":[{"apiGroups":["gra.dev"],"resources":["runners/exec"],"verbs":["create"]}]}"#
    )
    _ = try await c.request(
      "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
      body:
        #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"exec"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"exec"},"subjects":[{"kind":"ServiceAccount","name":"bot","namespace":"default"}]}"#
    )
    let allowed = try await c.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: sar)
    #expect(allowed.json["status"]["allowed"] == true)
    #expect(
      allowed.json["status"]["reason"]
        == "RBAC: allowed by RoleBinding \"exec/default\" of Role \"exec\" to ServiceAccount \"bot/default\"")
  }

  @Test func staticTokenFile() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-tokens-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("tokens.csv")
    try "s3cret,alice,1001,\"system:masters,devs\"\n".write(to: file, atomically: true, encoding: .utf8)
    var opts = LocalAPIServer.Options()
    opts.tokenFile = file
    let c = try await TestCluster.start(opts)
    defer { Task { await c.stop() } }
    #expect(try await c.request("GET", "/api/v1/nodes", token: "s3cret").code == 200)
    let who = try await c.request(
      "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      body: #"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#,
      token: "s3cret")
    #expect(who.json["status"]["userInfo"]["username"] == "alice")
    #expect(who.json["status"]["userInfo"]["uid"] == "1001")
  }

  @Test func kubectlProtobufCommandsAndCanI() async throws {
    guard TestCluster.hasKubectl else { throw KubectlMissing() }
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    var r = try await c.kubectl(["create", "configmap", "x", "--from-literal=a=b"])
    #expect(r.out == "configmap/x created\n", "\(r.err)")
    r = try await c.kubectl(["create", "sa", "bot"])
    #expect(r.code == 0, "\(r.err)")
    r = try await c.kubectl(["create", "token", "bot"])
    #expect(r.code == 0 && !r.out.isEmpty, "\(r.err)")
    let botToken = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    r = try await c.kubectl(["auth", "can-i", "list", "pods"], token: botToken)
    #expect(r.out == "no\n", "\(r.out) \(r.err)")
    r = try await c.kubectl(["create", "rolebinding", "bot-view", "--clusterrole=view", "--serviceaccount=default:bot"])
    #expect(r.code == 0, "\(r.err)")
    r = try await c.kubectl(["auth", "can-i", "list", "pods"], token: botToken)
    #expect(r.out == "yes\n", "\(r.out) \(r.err)")
    r = try await c.kubectl(["get", "secrets"], token: botToken)
    #expect(
      r.err
        == "Error from server (Forbidden): secrets is forbidden: User \"system:serviceaccount:default:bot\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"\n",
      "\(r.err)")
  }
}
