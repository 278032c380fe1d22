import CRDModels
import Foundation
import Testing

/// `metadata.managedFields` as kube-apiserver keeps them (without field sets): the manager is
/// `fieldManager` or else the User-Agent up to its first `/`; an update that omits them keeps
/// the other managers' entries; a write that changes nothing changes nothing.
@Suite struct ManagedFieldsTests {
  static let path = "/api/v1/namespaces/default/configmaps"
  static let kubectlAgent = ["User-Agent": "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9"]

  static func managers(_ reply: Reply) -> [String] {
    (reply.json["metadata"]["managedFields"].arrayValue ?? []).compactMap { $0["manager"].stringValue }
  }

  static func body(_ value: String, resourceVersion: String? = nil) -> String {
    let rv = resourceVersion.map { #","resourceVersion":"\#($0)""# } ?? ""
    return #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"mf"\#(rv)},"data":{"a":"\#(value)"}}"#
  }

  @Test func writersAreNamedAndKeptAndNoOpsStayNoOps() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }

    let created = try await c.request("POST", Self.path, body: Self.body("1"), headers: Self.kubectlAgent)
    #expect(created.code == 201)
    #expect(Self.managers(created) == ["kubectl"])
    #expect(created.json["metadata"]["managedFields"][0]["operation"] == "Update")

    // A PUT of the object as read without its managed fields (kubectl get hides them).
    let rv1 = try #require(created.json["metadata"]["resourceVersion"].stringValue)
    let updated = try await c.request(
      "PUT", Self.path + "/mf?fieldManager=second", body: Self.body("2", resourceVersion: rv1))
    #expect(updated.code == 200)
    #expect(Self.managers(updated) == ["kubectl", "second"])

    let rv2 = try #require(updated.json["metadata"]["resourceVersion"].stringValue)
    #expect(rv2 != rv1)
    let same = try await c.request(
      "PUT", Self.path + "/mf?fieldManager=third", body: Self.body("2", resourceVersion: rv2))
    #expect(same.code == 200)
    #expect(same.json["metadata"]["resourceVersion"].stringValue == rv2, "a write that changes nothing is not stored")
    #expect(Self.managers(same) == ["kubectl", "second"])

    let patched = try await c.request(
      "PATCH", Self.path + "/mf", body: #"{"data":{"a":"3"}}"#, contentType: "application/merge-patch+json",
      headers: ["User-Agent": "gra-operator/0.1.0 (linux/amd64)"])
    #expect(patched.code == 200)
    #expect(Self.managers(patched) == ["kubectl", "second", "gra-operator"])
    let again = try await c.request(
      "PATCH", Self.path + "/mf", body: #"{"data":{"a":"3"}}"#, contentType: "application/merge-patch+json",
      headers: ["User-Agent": "someone-else/1"])
    #expect(again.json["metadata"]["resourceVersion"] == patched.json["metadata"]["resourceVersion"])
    #expect(Self.managers(again) == ["kubectl", "second", "gra-operator"])
  }
}
