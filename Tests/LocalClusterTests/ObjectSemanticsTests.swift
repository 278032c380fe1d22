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
    let put = try await c.request("PUT", "/api/v1/namespaces/default/configmaps/a", body: JSONWire.encodeString(updated))
    #expect(put.code == 200)
    #expect(put.json["metadata"]["resourceVersion"].stringValue != rv)

    // The same body again carries the old resourceVersion: 409 with the real message.
    let stale = try await c.request("PUT", "/api/v1/namespaces/default/configmaps/a", body: JSONWire.encodeString(updated))
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
      "POST", "/api/v1/namespaces/default/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#)
    #expect(bad.code == 422)
    #expect(bad.json["reason"] == "Invalid")
    #expect(bad.json["details"]["causes"][0]["field"] == "metadata.name")
    #expect(bad.json["message"].stringValue?.hasPrefix("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain") == true)
  }

  @Test func unauthorizedWithoutOrWithBadToken() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    for token in ["", "wrong"] {
      let r = try await c.request("GET", "/api/v1/namespaces", token: token)
      #expect(r.code == 401)
      #expect(r.json == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401])
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
