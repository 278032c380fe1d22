import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite("object semantics over raw HTTP")
struct ObjectSemanticsTests {
  @Test func createGetConflictAndNotFound() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let cm = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}"#
    let created = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: cm)
    #expect(created.code == 201)
    let rv = try #require(created.json["metadata"]["resourceVersion"].stringValue)
    #expect(created.json["metadata"]["uid"].stringValue != nil)
    #expect(created.json["metadata"]["creationTimestamp"].stringValue != nil)

    let again = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: cm)
    #expect(again.code == 409)
    #expect(again.json["reason"] == "AlreadyExists")
    #expect(again.json["message"] == "configmaps \"a\" already exists")

    var updated = created.json
    updated["data"]["k"] = "w"
    let put = try await c.request(
      "PUT", "/api/v1/namespaces/default/configmaps/a", body: updated.serializedString())
    #expect(put.code == 200)
    #expect(put.json["metadata"]["resourceVersion"].stringValue != rv)

    // The same body again carries the old resourceVersion: 409 with the real message.
    let stale = try await c.request(
      "PUT", "/api/v1/namespaces/default/configmaps/a", body: updated.serializedString())
    #expect(stale.code == 409)
    #expect(stale.json["reason"] == "Conflict")
    #expect(
      stale.json["message"]
        == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
    )
    #expect(stale.json["details"]["kind"] == "configmaps")
    #expect(stale.json["kind"] == "Status")

    let missing = try await c.request("GET", "/api/v1/namespaces/default/configmaps/nope")
    #expect(missing.code == 404)
    #expect(missing.json["message"] == "configmaps \"nope\" not found")
    #expect(missing.json["reason"] == "NotFound")

    let noNS = try await c.request("POST", "/api/v1/namespaces/nowhere/configmaps", body: cm)
    #expect(noNS.code == 404)
    #expect(noNS.json["message"] == "namespaces \"nowhere\" not found")
  }

  @Test func generateNameAndInvalidName() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let r = try await c.request(
      "POST", "/api/v1/namespaces/default/secrets",
      body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"generateName":"tok-"},"stringData":{"a":"b"}}"#)
    #expect(r.code == 201)
    let name = try #require(r.json["metadata"]["name"].stringValue)
    #expect(name.hasPrefix("tok-") && name.count == 9)
    #expect(r.json["data"]["a"] == "Yg==")
    #expect(r.json["type"] == "Opaque")

    let bad = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
    #expect(bad.code == 422)
    #expect(bad.json["reason"] == "Invalid")
    #expect(bad.json["details"]["causes"][0]["field"] == "metadata.name")
    #expect(
      bad.json["message"].stringValue?.hasPrefix(
        "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain")
        == true)
  }

  @Test func unauthorizedWithoutOrWithBadToken() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    for token in ["", "wrong"] {
      let r = try await c.request("GET", "/api/v1/namespaces", token: token)
      #expect(r.code == 401)
      #expect(
        r.json == [
          "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized",
          "reason": "Unauthorized", "code": 401,
        ])
    }
  }

  @Test func defaultNamespacesAndServiceAccounts() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let ns = try await c.request("GET", "/api/v1/namespaces")
    let names = (ns.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue }
    #expect(Set(["default", "kube-system", "kube-public"]).isSubset(of: Set(names)))
    #expect(ns.json["kind"] == "NamespaceList")
    let sa = try await c.request("GET", "/api/v1/namespaces/kube-public/serviceaccounts/default")
    #expect(sa.code == 200)
  }
}

@Suite("refused WebSocket upgrades and selector errors")
struct RefusedUpgradeTests {
  static func upgrade(_ c: TestCluster, _ path: String, token: String? = nil) async throws -> RawHTTP.Answer {
    let port = c.server.url.port!
    var req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
    req += "Authorization: Bearer \(token ?? c.token)\r\n"
    req += "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    req += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n"
    return try await RawHTTP.send(port: port, req)
  }

  /// kube-apiserver answers an exec upgrade it cannot serve with a Status, like any request;
  /// a client waiting for `101 Switching Protocols` must not be left hanging.
  @Test func execIntoAMissingPodAnswers404() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let a = try await Self.upgrade(c, "/api/v1/namespaces/default/pods/nope/exec?command=true&stdout=true")
    #expect(!a.timedOut)
    #expect(a.statusLine.hasPrefix("HTTP/1.1 404"))
    let status = try JSONDecoder().decode(JSONValue.self, from: Data(a.body.utf8))
    #expect(status["kind"] == "Status")
    #expect(status["reason"] == "NotFound")
    #expect(status["message"] == #"pods "nope" not found"#)
    #expect(a.headers["connection"]?.lowercased() == "close")
  }

  @Test func execRefusalsFollowKubeOrder() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let pod =
      #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"main","image":"busybox"}]}}"#
    _ = try await c.request("POST", "/api/v1/namespaces/default/pods", body: pod)
    let wrongContainer = try await Self.upgrade(c, "/api/v1/namespaces/default/pods/p/exec?command=true&container=x")
    #expect(wrongContainer.statusLine.hasPrefix("HTTP/1.1 400"))
    #expect(wrongContainer.body.contains("container x is not valid for pod p"))
    let unscheduled = try await Self.upgrade(c, "/api/v1/namespaces/default/pods/p/exec?command=true&container=main")
    #expect(unscheduled.statusLine.hasPrefix("HTTP/1.1 400"))
    #expect(unscheduled.body.contains("pod p does not have a host assigned"))
    let bob = await c.server.issueToken(user: "bob", groups: [])
    let forbidden = try await Self.upgrade(c, "/api/v1/namespaces/default/pods/p/exec?command=true", token: bob)
    #expect(forbidden.statusLine.hasPrefix("HTTP/1.1 403"))
    #expect(forbidden.body.contains(#"User \"bob\" cannot create resource \"pods/exec\""#))
    let plain = try await c.request("GET", "/api/v1/namespaces/default/pods/nope/exec?command=true")
    #expect(plain.code == 404)
  }

  @Test func badLabelSelectorIsOneMessage() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let r = try await c.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=x%20in%20y")
    #expect(r.code == 400)
    #expect(r.json["message"] == "unable to parse requirement: found 'y' expected: '('")
  }
}

@Suite("pod updates")
struct PodUpdateTests {
  static let pod = #"""
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1"}},
     "spec":{"containers":[{"name":"main","image":"busybox","command":["sleep","100"],"env":[],
       "resources":{"requests":{"cpu":"0.5","memory":"1024Mi"},"limits":{"memory":"1Gi"}},
       "ports":[{"containerPort":80}]}],"volumes":[]}}
    """#

  /// kube-apiserver compares pod specs semantically (apimachinery's `Semantic.DeepEqual`:
  /// quantities by value, nil and empty lists/maps alike), so writing back what was read, or a
  /// typed client's re-encoding of it, is accepted; only a real change is refused.
  @Test func unchangedSpecIsAcceptedAndARealChangeIsNot() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let created = try await c.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod)
    #expect(created.code == 201)

    var same = created.json
    same["metadata"]["labels"]["a"] = "2"
    let put = try await c.request(
      "PUT", "/api/v1/namespaces/default/pods/p", body: String(decoding: same.serialized(), as: UTF8.self))
    #expect(put.code == 200)
    #expect(put.json["metadata"]["labels"]["a"] == "2")

    // The same spec written differently: canonical quantities, no empty lists.
    var typed = put.json
    var container = typed["spec"]["containers"][0]
    container["resources"]["requests"]["cpu"] = "500m"
    container["resources"]["requests"]["memory"] = "1Gi"
    container["env"] = .null
    typed["spec"]["containers"] = [container]
    typed["spec"]["volumes"] = .null
    typed["metadata"]["labels"]["a"] = "3"
    let put2 = try await c.request(
      "PUT", "/api/v1/namespaces/default/pods/p", body: String(decoding: typed.serialized(), as: UTF8.self))
    #expect(put2.code == 200, "\(put2.json)")

    // A typed client's round trip (CRDModels.Pod).
    let decoded = try put2.json.decode(Pod.self)
    let put3 = try await c.request(
      "PUT", "/api/v1/namespaces/default/pods/p", body: String(decoding: try KubeJSON.encode(decoded), as: UTF8.self))
    #expect(put3.code == 200, "\(put3.json)")

    var changed = put3.json
    var c0 = changed["spec"]["containers"][0]
    c0["command"] = ["sleep", "5"]
    changed["spec"]["containers"] = [c0]
    let refused = try await c.request(
      "PUT", "/api/v1/namespaces/default/pods/p", body: String(decoding: changed.serialized(), as: UTF8.self))
    #expect(refused.code == 422)
    #expect(refused.json["details"]["causes"][0]["field"] == "spec")
  }
}

@Suite("networking.k8s.io/v1")
struct NetworkPolicyTests {
  /// The Runner controller writes egress NetworkPolicies and `kubectl apply -k manifests/`
  /// carries one: the group is discovered and the kind stored (not enforced) like any other.
  @Test func networkPoliciesAreDiscoveredAndStored() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let discovery = try await c.request("GET", "/apis/networking.k8s.io/v1")
    #expect(discovery.code == 200)
    let names = (discovery.json["resources"].arrayValue ?? []).compactMap { $0["name"].stringValue }
    #expect(names.contains("networkpolicies"))
    let np = #"""
      {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny-egress"},
       "spec":{"podSelector":{"matchLabels":{"app":"r"}},"policyTypes":["Egress"],"egress":[]}}
      """#
    let created = try await c.request("POST", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", body: np)
    #expect(created.code == 201, "\(created.json)")
    let got = try await c.request("GET", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/deny-egress")
    #expect(got.json["spec"]["policyTypes"] == ["Egress"])
    let list = try await c.request("GET", "/apis/networking.k8s.io/v1/networkpolicies")
    #expect(list.json["items"].arrayValue?.count == 1)
  }
}
