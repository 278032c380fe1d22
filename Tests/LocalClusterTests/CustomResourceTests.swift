import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite("custom resources: schema, tables, patches")
struct CustomResourceTests {
  static let base = "/apis/test.gra.dev/v1/namespaces/default/widgets"

  func started() async throws -> TestCluster {
    let c = try await TestCluster.start()
    let path = try c.writeFile("crd.yaml", Fixtures.widgetCRD)
    try await c.server.installManifests([URL(fileURLWithPath: path)])
    return c
  }

  @Test func defaultingPruningAndValidation() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    let ok = try await c.request(
      "POST", Self.base,
      body: #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"a"},"spec":{"image":"x","extra":1}}"#)
    #expect(ok.code == 201)
    #expect(ok.json["spec"]["size"] == 1)
    #expect(ok.json["spec"]["extra"].isNull)
    #expect(ok.headers["warning"]?.contains("unknown field \\\"spec.extra\\\"") == true, "\(ok.headers)")

    let strict = try await c.request(
      "POST", Self.base + "?fieldValidation=Strict",
      body: #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"b"},"spec":{"image":"x","extra":1}}"#)
    #expect(strict.code == 400)
    #expect(
      strict.json["message"]
        == "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.extra\""
    )

    let invalid = try await c.request(
      "POST", Self.base,
      body: #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"c"},"spec":{"size":0}}"#)
    #expect(invalid.code == 422)
    #expect(invalid.json["reason"] == "Invalid")
    #expect(invalid.json["details"]["kind"] == "Widget")
    #expect(invalid.json["details"]["group"] == "test.gra.dev")
    let fields = Set((invalid.json["details"]["causes"].arrayValue ?? []).compactMap { $0["field"].stringValue })
    #expect(fields == ["spec.image", "spec.size"])
    #expect(
      invalid.json["message"].stringValue?.hasPrefix("Widget.test.gra.dev \"c\" is invalid: [") == true,
      "\(invalid.json)")
  }

  @Test func tableWithPrinterColumns() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    _ = try await c.request(
      "POST", Self.base,
      body: #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"a"},"spec":{"image":"x","size":3}}"#)
    _ = try await c.request(
      "PATCH", Self.base + "/a/status",
      body:
        #"{"status":{"phase":"Ready","conditions":[{"type":"Other","status":"False"},{"type":"Ready","status":"True"}]}}"#,
      contentType: "application/merge-patch+json")
    let t = try await c.request(
      "GET", Self.base, accept: "application/json;as=Table;v=v1;g=meta.k8s.io, application/json")
    #expect(t.json["kind"] == "Table")
    #expect(t.json["apiVersion"] == "meta.k8s.io/v1")
    #expect(
      (t.json["columnDefinitions"].arrayValue ?? []).map { $0["name"] } == ["Name", "Phase", "Ready", "Size", "Age"])
    let cells = t.json["rows"][0]["cells"].arrayValue ?? []
    #expect(Array(cells.prefix(4)) == ["a", "Ready", "True", 3])
    #expect(t.json["rows"][0]["object"]["kind"] == "PartialObjectMetadata")
  }

  @Test func patchesAndServerSideApply() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    let apply = try await c.request(
      "PATCH", Self.base + "/s?fieldManager=gra-operator&force=true",
      body: #"{"apiVersion":"test.gra.dev/v1","kind":"Widget","metadata":{"name":"s"},"spec":{"image":"one"}}"#,
      contentType: "application/apply-patch+yaml")
    #expect(apply.code == 201)
    #expect(apply.json["metadata"]["managedFields"][0]["manager"] == "gra-operator")
    #expect(apply.json["metadata"]["managedFields"][0]["operation"] == "Apply")
    let yaml = try await c.request(
      "PATCH", Self.base + "/s?fieldManager=gra-operator",
      body: "apiVersion: test.gra.dev/v1\nkind: Widget\nmetadata:\n  name: s\nspec:\n  image: two\n",
      contentType: "application/apply-patch+yaml")
    #expect(yaml.code == 200)
    #expect(yaml.json["spec"]["image"] == "two")
    let noManager = try await c.request(
      "PATCH", Self.base + "/s", body: #"{"spec":{"image":"x"}}"#, contentType: "application/apply-patch+yaml")
    #expect(noManager.code == 422)
    let testFails = try await c.request(
      "PATCH", Self.base + "/s", body: #"[{"op":"test","path":"/spec/image","value":"nope"}]"#,
      contentType: "application/json-patch+json")
    #expect(testFails.code == 422)
    let stale = try await c.request(
      "PATCH", Self.base + "/s", body: #"{"metadata":{"resourceVersion":"1"},"spec":{"image":"y"}}"#,
      contentType: "application/merge-patch+json")
    #expect(stale.code == 409)
    #expect(
      stale.json["message"]
        == "Operation cannot be fulfilled on widgets.test.gra.dev \"s\": the object has been modified; please apply your changes to the latest version and try again"
    )
    let wrongType = try await c.request("PATCH", Self.base + "/s", body: "{}", contentType: "text/plain")
    #expect(wrongType.code == 415)
    #expect(
      wrongType.json["message"]
        == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )
  }

  @Test func strategicMergePatchOnBuiltins() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    _ = try await c.request(
      "POST", "/api/v1/namespaces/default/pods",
      body:
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"a","image":"one"},{"name":"b","image":"two"}]}}"#
    )
    let r = try await c.request(
      "PATCH", "/api/v1/namespaces/default/pods/p",
      body: #"{"metadata":{"labels":{"b":"2"}},"spec":{"containers":[{"name":"b","image":"three"}]}}"#,
      contentType: "application/strategic-merge-patch+json")
    #expect(r.code == 200, "\(r.json)")
    #expect((r.json["spec"]["containers"].arrayValue ?? []).map { $0["image"] } == ["one", "three"])
    #expect(r.json["metadata"]["labels"] == ["a": "1", "b": "2"])
    let forbidden = try await c.request(
      "PATCH", "/api/v1/namespaces/default/pods/p", body: #"{"spec":{"restartPolicy":"Never"}}"#,
      contentType: "application/strategic-merge-patch+json")
    #expect(forbidden.code == 422)
  }
}
