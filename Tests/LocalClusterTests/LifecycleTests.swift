import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite("status, generation, finalizers, garbage collection, namespaces")
struct LifecycleTests {
  static func installWidgets(_ c: TestCluster) async throws {
    let path = try c.writeFile("crd.yaml", Fixtures.widgetCRD)
    try await c.server.installManifests([URL(fileURLWithPath: path)])
  }

  @Test func statusSubresourceAndGeneration() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    try await Self.installWidgets(c)
    let crd = try await c.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.gra.dev")
    let conds = (crd.json["status"]["conditions"].arrayValue ?? []).map {
      "\($0["type"].stringValue!)=\($0["status"].stringValue!)"
    }
    #expect(conds.contains("Established=True") && conds.contains("NamesAccepted=True"))

    let base = "/apis/test.gra.dev/v1/namespaces/default/widgets"
    let created = try await c.request(
      "POST", base,
      body:
        #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"image":"a"},"status":{"phase":"Ignored"}}"#
    )
    #expect(created.code == 201)
    #expect(created.json["metadata"]["generation"] == 1)
    #expect(created.json["status"].isNull)

    let st = try await c.request(
      "PATCH", base + "/w/status", body: #"{"status":{"phase":"Ready"},"spec":{"image":"ignored"}}"#,
      contentType: "application/merge-patch+json")
    #expect(st.json["status"]["phase"] == "Ready")
    #expect(st.json["spec"]["image"] == "a")
    #expect(st.json["metadata"]["generation"] == 1)

    let main = try await c.request(
      "PATCH", base + "/w", body: #"{"status":{"phase":"Ignored"},"metadata":{"labels":{"l":"v"}}}"#,
      contentType: "application/merge-patch+json")
    #expect(main.json["status"]["phase"] == "Ready")
    #expect(main.json["metadata"]["generation"] == 1)

    let spec = try await c.request(
      "PATCH", base + "/w", body: #"{"spec":{"image":"b"}}"#, contentType: "application/merge-patch+json")
    #expect(spec.json["metadata"]["generation"] == 2)

    let smp = try await c.request(
      "PATCH", base + "/w", body: #"{"spec":{"image":"c"}}"#, contentType: "application/strategic-merge-patch+json")
    #expect(smp.code == 415)
    #expect(smp.json["reason"] == "UnsupportedMediaType")
  }

  @Test func finalizersHoldDeletion() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let p = "/api/v1/namespaces/default/configmaps"
    _ = try await c.request(
      "POST", p,
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f","finalizers":["gra.dev/cleanup"]}}"#)
    let del = try await c.request("DELETE", p + "/f")
    #expect(del.code == 202)
    #expect(del.json["metadata"]["deletionTimestamp"].stringValue != nil)
    let still = try await c.request("GET", p + "/f")
    #expect(still.code == 200)
    let add = try await c.request(
      "PATCH", p + "/f", body: #"[{"op":"add","path":"/metadata/finalizers/-","value":"other"}]"#,
      contentType: "application/json-patch+json")
    #expect(add.code == 422)
    #expect(
      add.json["message"].stringValue?.contains("no new finalizers can be added if the object is being deleted") == true
    )
    let rm = try await c.request(
      "PATCH", p + "/f",
      body:
        #"[{"op":"test","path":"/metadata/finalizers/0","value":"gra.dev/cleanup"},{"op":"remove","path":"/metadata/finalizers/0"}]"#,
      contentType: "application/json-patch+json")
    #expect(rm.code == 200)
    let gone = try await c.request("GET", p + "/f")
    #expect(gone.code == 404)
  }

  @Test func deletePreconditions() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let p = "/api/v1/namespaces/default/configmaps"
    _ = try await c.request("POST", p, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}"#)
    let r = try await c.request("DELETE", p + "/d", body: #"{"preconditions":{"uid":"nope"}}"#)
    #expect(r.code == 409)
    #expect(
      r.json["message"].stringValue?.hasPrefix(
        "Operation cannot be fulfilled on configmaps \"d\": Precondition failed: UID in precondition: nope, UID in object meta: "
      ) == true)
    let ok = try await c.request("DELETE", p + "/d")
    #expect(ok.code == 200)
    #expect(ok.json["status"] == "Success")
    #expect(ok.json["details"]["name"] == "d")
  }

  static func owned(_ name: String, owner: JSONValue, block: Bool = false) -> String {
    let ref: JSONValue = [
      "apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
      "controller": true, "blockOwnerDeletion": .bool(block),
    ]
    return
      #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"\#(name)","ownerReferences":[\#(ref.serializedString())]}}"#
  }

  @Test func garbageCollectionPolicies() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let cms = "/api/v1/namespaces/default/configmaps"
    let secrets = "/api/v1/namespaces/default/secrets"
    for policy in ["Background", "Foreground", "Orphan"] {
      let owner = try await c.request(
        "POST", cms, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"o-\#(policy.lowercased())"}}"#
      ).json
      _ = try await c.request("POST", secrets, body: Self.owned("d-\(policy.lowercased())", owner: owner, block: true))
      let del = try await c.request("DELETE", cms + "/o-\(policy.lowercased())?propagationPolicy=\(policy)")
      #expect(del.code == 200 || del.code == 202)
      let ownerAfter = try await c.request("GET", cms + "/o-\(policy.lowercased())")
      #expect(ownerAfter.code == 404)
      let dep = try await c.request("GET", secrets + "/d-\(policy.lowercased())")
      if policy == "Orphan" {
        #expect(dep.code == 200)
        #expect(dep.json["metadata"]["ownerReferences"].isNull)
      } else {
        #expect(dep.code == 404)
      }
    }
  }

  /// A dependent created after its owner was deleted (a controller on a stale cache) is
  /// collected, as kube's garbage collector collects dependents whose owners are all absent.
  @Test func aDependentOfAnOwnerThatIsGoneIsCollected() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let cms = "/api/v1/namespaces/default/configmaps"
    let secrets = "/api/v1/namespaces/default/secrets"
    let owner = try await c.request(
      "POST", cms, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"o"}}"#
    ).json
    _ = try await c.request("POST", secrets, body: Self.owned("alive", owner: owner))
    #expect(try await c.request("DELETE", cms + "/o").code == 200)
    #expect(try await c.request("GET", secrets + "/alive").code == 404)

    let late = try await c.request("POST", secrets, body: Self.owned("late", owner: owner))
    #expect(late.code == 201)
    #expect(try await c.request("GET", secrets + "/late").code == 404)

    let other = try await c.request(
      "POST", cms, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"o2"}}"#
    ).json
    _ = try await c.request("POST", secrets, body: Self.owned("kept", owner: other))
    #expect(try await c.request("GET", secrets + "/kept").code == 200)
  }

  @Test func foregroundWaitsForBlockingDependents() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let cms = "/api/v1/namespaces/default/configmaps"
    let secrets = "/api/v1/namespaces/default/secrets"
    let owner = try await c.request(
      "POST", cms, body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"o"}}"#
    ).json
    var dep = try JSONValue.parse(Self.owned("d", owner: owner, block: true))
    dep["metadata"]["finalizers"] = ["test/hold"]
    _ = try await c.request("POST", secrets, body: dep.serializedString())
    let del = try await c.request("DELETE", cms + "/o", body: #"{"propagationPolicy":"Foreground"}"#)
    #expect(del.code == 202)
    let o = try await c.request("GET", cms + "/o")
    #expect((o.json["metadata"]["finalizers"].arrayValue ?? []).contains("foregroundDeletion"))
    _ = try await c.request(
      "PATCH", secrets + "/d", body: #"{"metadata":{"finalizers":null}}"#, contentType: "application/merge-patch+json")
    #expect(try await c.request("GET", secrets + "/d").code == 404)
    #expect(try await c.request("GET", cms + "/o").code == 404)
  }

  @Test func namespaceDeletionRemovesContents() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request(
      "POST", "/api/v1/namespaces", body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#)
    #expect(try await c.request("GET", "/api/v1/namespaces/team/serviceaccounts/default").code == 200)
    _ = try await c.request(
      "POST", "/api/v1/namespaces/team/configmaps",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["x/y"]}}"#)
    let del = try await c.request("DELETE", "/api/v1/namespaces/team")
    #expect(del.code == 200)
    let ns = try await c.request("GET", "/api/v1/namespaces/team")
    #expect(ns.json["status"]["phase"] == "Terminating")
    let create = try await c.request(
      "POST", "/api/v1/namespaces/team/configmaps",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"new"}}"#)
    #expect(create.code == 403)
    #expect(
      create.json["message"]
        == "configmaps \"new\" is forbidden: unable to create new content in namespace team because it is being terminated"
    )
    _ = try await c.request(
      "PATCH", "/api/v1/namespaces/team/configmaps/held", body: #"{"metadata":{"finalizers":null}}"#,
      contentType: "application/merge-patch+json")
    #expect(try await c.request("GET", "/api/v1/namespaces/team").code == 404)
  }

  @Test func dryRunDoesNotStore() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let r = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}}"#)
    #expect(r.code == 201)
    #expect(try await c.request("GET", "/api/v1/namespaces/default/configmaps/dry").code == 404)
  }
}
