import CRDModels
import Foundation
import Testing

@testable import KubeClient

@Suite struct DecodingTests {
  @Test func listFromTheServer() throws {
    let body = #"""
      {"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"4711","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDcxMSwic3RhcnQiOiJiXHUwMDAwIn0","remainingItemCount":3},
       "items":[{"metadata":{"name":"a","namespace":"default","uid":"0f1c","resourceVersion":"10","creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"x"},
         "managedFields":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:k":{}}}}]},"data":{"k":"v"}},
         {"metadata":{"name":"b","namespace":"default","resourceVersion":"11"}}]}
      """#
    let list = try KubernetesClient.decode(ObjectList<TestConfigMap>.self, Array(body.utf8), context: "GET")
    #expect(list.items.map(\.metadata.name) == ["a", "b"])
    #expect(list.metadata.resourceVersion == "4711")
    #expect(list.metadata.remainingItemCount == 3)
    #expect(list.metadata.continue?.hasPrefix("eyJ2") == true)
    #expect(list.items[0].metadata.labels?["app"] == "x")
    let dyn = try KubernetesClient.decode(ObjectList<DynamicObject>.self, Array(body.utf8), context: "GET")
    #expect(
      dyn.items[0].identity == ObjectIdentity(name: "a", namespace: "default", uid: "0f1c", resourceVersion: "10"))
  }

  @Test func decodingErrorNamesThePath() {
    #expect {
      _ = try KubernetesClient.decode(
        TestConfigMap.self, Array(#"{"metadata":{"name":"a"},"data":{"k":1}}"#.utf8), context: "GET /x")
    } throws: { e in
      "\(e)" == "cannot decode the API server's answer: GET /x: TestConfigMap: data.k is not a String"
    }
  }

  @Test func conflictStatus() {
    let body = #"""
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"a","kind":"configmaps"},"code":409}
      """#
    let e = KubeError.fromResponse(code: 409, body: Array(body.utf8))
    #expect(e.isConflict && !e.isAlreadyExists && !e.isNotFound)
    #expect(e.status?.details?.name == "a")
    #expect(e.description.hasPrefix("Operation cannot be fulfilled on configmaps \"a\""))
    #expect(e.description.hasSuffix("(Conflict, 409)"))
  }

  @Test func alreadyExistsIsNotAConflict() {
    let body =
      #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"a\" already exists","reason":"AlreadyExists","details":{"name":"a","kind":"configmaps"},"code":409}"#
    let e = KubeError.fromResponse(code: 409, body: Array(body.utf8))
    #expect(e.isAlreadyExists && !e.isConflict)
  }

  @Test func invalidWithCauses() {
    let body = #"""
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Runner.gra.dev \"r\" is invalid: spec.workspace.size: Invalid value: \"ten\": must be a quantity","reason":"Invalid",
       "details":{"name":"r","group":"gra.dev","kind":"Runner","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"ten\": must be a quantity","field":"spec.workspace.size"}]},"code":422}
      """#
    let e = KubeError.fromResponse(code: 422, body: Array(body.utf8))
    #expect(e.isInvalid)
    #expect(e.causes.first?.field == "spec.workspace.size")
    #expect(e.causes.first?.reason == "FieldValueInvalid")
  }

  @Test func forbiddenUnauthorizedNotFoundGone() {
    func err(_ code: Int, _ reason: String) -> KubeError {
      KubeError.fromResponse(
        code: code,
        body: Array(#"{"kind":"Status","status":"Failure","message":"m","reason":"\#(reason)","code":\#(code)}"#.utf8))
    }
    #expect(err(403, "Forbidden").isForbidden)
    #expect(err(401, "Unauthorized").isUnauthorized)
    #expect(err(404, "NotFound").isNotFound)
    #expect(err(410, "Expired").isGone)
    #expect(err(410, "Gone").isGone)
    #expect(!err(404, "NotFound").isGone)
  }

  @Test func tooManyRequestsCarriesRetryAfter() {
    let body =
      #"{"kind":"Status","status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":2},"code":429}"#
    let e = KubeError.fromResponse(code: 429, body: Array(body.utf8))
    #expect(e.isTooManyRequests)
    #expect(e.retryAfter == .seconds(2))
    let header = KubeError.fromResponse(code: 429, body: Array(body.utf8), retryAfter: .seconds(7))
    #expect(header.retryAfter == .seconds(7))
  }

  @Test func nonStatusBodyStillReadable() {
    let html = "<html><body><h1>502 Bad Gateway</h1>\n</body></html>"
    let e = KubeError.fromResponse(code: 502, body: Array(html.utf8))
    #expect(e.code == 502)
    #expect(e.reason == "InternalError")
    #expect(
      e.message
        == "the server responded with HTTP 502 (InternalError): <html><body><h1>502 Bad Gateway</h1> </body></html>")
    let empty = KubeError.fromResponse(code: 404, body: [])
    #expect(empty.isNotFound)
    #expect(empty.message == "the server responded with HTTP 404 (NotFound) and no body")
  }

  @Test func deleteOptionsBody() throws {
    let p = DeleteParams(
      gracePeriodSeconds: 0, propagationPolicy: .foreground, preconditionUID: "u1", preconditionResourceVersion: "42",
      dryRun: true)
    let json = String(decoding: try KubeJSON.encode(p.body), as: UTF8.self)
    #expect(
      json
        == #"{"apiVersion":"v1","dryRun":["All"],"gracePeriodSeconds":0,"kind":"DeleteOptions","preconditions":{"resourceVersion":"42","uid":"u1"},"propagationPolicy":"Foreground"}"#
    )
  }

  @Test func queryEncoding() {
    var r = KubeRequest(method: "GET", path: "/api/v1/pods")
    r.query = [("labelSelector", "app in (a,b),tier!=db"), ("fieldSelector", "status.phase=Running")]
    #expect(
      r.target
        == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb&fieldSelector=status.phase%3DRunning")
  }

  @Test(
    arguments: [
      ("GET", "/api/v1/namespaces/ns1/pods/p1", [], "get"),
      ("GET", "/api/v1/namespaces/ns1/pods", [], "list"),
      ("GET", "/api/v1/namespaces/ns1/pods", [("watch", "true")], "watch"),
      ("GET", "/api/v1/namespaces/ns1/pods", [("watch", "1")], "watch"),
      ("GET", "/api/v1/namespaces/ns1/pods", [("watch", "false")], "list"),
      ("GET", "/api/v1/namespaces/ns1", [], "get"),
      ("GET", "/api/v1/namespaces", [], "list"),
      ("GET", "/api/v1/namespaces/ns1/pods/p1/log", [], "get"),
      ("get", "/api/v1/nodes/n1", [], "get"),
      ("HEAD", "/api/v1/nodes", [], "list"),
      ("POST", "/api/v1/namespaces/ns1/pods", [], "create"),
      ("PUT", "/apis/gra.dev/v1alpha1/namespaces/a/runners/r/status", [], "update"),
      ("PATCH", "/api/v1/namespaces/ns1/pods/p1", [], "patch"),
      ("DELETE", "/api/v1/namespaces/ns1/pods/p1", [], "delete"),
      ("DELETE", "/api/v1/namespaces/ns1", [], "delete"),
      ("DELETE", "/api/v1/namespaces/ns1/pods", [], "deletecollection"),
      ("OPTIONS", "/version", [], "options"),
    ] as [(String, String, [(String, String)], String)])
  func requestVerbs(method: String, path: String, query: [(String, String)], verb: String) {
    let r = KubeRequest(method: method, path: path, query: query.map { (name: $0.0, value: $0.1) })
    #expect(RequestMetric.verb(of: r) == verb)
  }

  @Test func metricPathsDropNames() {
    #expect(
      KubeTransport.metricPath("/api/v1/namespaces/ns1/pods/p1/status")
        == "/api/v1/namespaces/{namespace}/pods/{name}/status")
    #expect(KubeTransport.metricPath("/apis/gra.dev/v1alpha1/runners") == "/apis/gra.dev/v1alpha1/runners")
    #expect(
      KubeTransport.metricPath("/apis/apps/v1/namespaces/x/deployments")
        == "/apis/apps/v1/namespaces/{namespace}/deployments")
    #expect(KubeTransport.metricPath("/api/v1/nodes/n1/status") == "/api/v1/nodes/{name}/status")
    #expect(KubeTransport.metricPath("/api/v1/namespaces/ns1") == "/api/v1/namespaces/{namespace}")
    #expect(
      KubeTransport.metricPath("/apis/exec.gra.dev/v1alpha1/namespaces/a/runners/r/execs/e1")
        == "/apis/exec.gra.dev/v1alpha1/namespaces/{namespace}/runners/{name}/execs/{name}")
    #expect(KubeTransport.metricPath("/version") == "/version")
    #expect(KubeTransport.metricPath("/") == "/")
    #expect(KubeTransport.metricPath("//api//v1/nodes/") == "/api/v1/nodes")
    #expect(KubeTransport.metricPath("/api/v1/namespaces/namespaces") == "/api/v1/namespaces/{namespace}")
    #expect(
      KubeTransport.metricPath("/apis/g/v1/namespaces/a/things/namespaces/x")
        == "/apis/g/v1/namespaces/{namespace}/things/{name}/x")
    #expect(KubeTransport.metricPath("/") == "/")
  }
}
