import CRDModels
import Foundation
import Testing

@testable import LocalCluster

/// Drives the server with the real kubectl (v1.32 at /usr/bin/kubectl). Each test fails with
/// a clear message when kubectl is missing.
@Suite("real kubectl")
struct KubectlTests {
  static let widget = """
    apiVersion: test.gra.dev/v1
    kind: Widget
    metadata:
      name: w1
    spec:
      image: python:3.11
      size: 2
    """

  func started() async throws -> TestCluster {
    guard TestCluster.hasKubectl else { throw KubectlMissing() }
    return try await TestCluster.start()
  }

  @Test func applyCRDThenResourceAndGetTable() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    let crd = try c.writeFile("crd.yaml", Fixtures.widgetCRD)
    var r = try await c.kubectl(["apply", "-f", crd])
    #expect(r.code == 0, "\(r.err)")
    #expect(r.out == "customresourcedefinition.apiextensions.k8s.io/widgets.test.gra.dev created\n")
    let w = try c.writeFile("w.yaml", Self.widget)
    r = try await c.kubectl(["apply", "-f", w])
    #expect(r.code == 0, "\(r.err)")
    #expect(r.out == "widget.test.gra.dev/w1 created\n")
    r = try await c.kubectl(["apply", "-f", w])
    #expect(r.out == "widget.test.gra.dev/w1 unchanged\n")
    _ = try c.writeFile("w.yaml", Self.widget.replacingOccurrences(of: "size: 2", with: "size: 5"))
    r = try await c.kubectl(["apply", "-f", w])
    #expect(r.out == "widget.test.gra.dev/w1 configured\n", "\(r.err)")

    r = try await c.kubectl([
      "patch", "widget", "w1", "--subresource=status", "--type=merge", "-p",
      #"{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True"}]}}"#,
    ])
    #expect(r.code == 0, "\(r.err)")
    r = try await c.kubectl(["get", "wd"])
    let lines = r.out.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    #expect(lines.first == ["NAME", "PHASE", "READY", "SIZE", "AGE"])
    #expect(Array(lines.dropFirst().first?.prefix(4) ?? []) == ["w1", "Ready", "True", "5"])
    r = try await c.kubectl(["get", "gra"])
    #expect(r.out.split(separator: "\n").dropFirst().first?.hasPrefix("w1 ") == true, "category gra: \(r.out) \(r.err)")
    r = try await c.kubectl(["get", "widget", "w1", "-o", "jsonpath={.metadata.generation}"])
    #expect(r.out == "2")
    r = try await c.kubectl(["explain", "widget.spec.image"])
    #expect(r.out.contains("The container image."), "\(r.out) \(r.err)")
    r = try await c.kubectl(["describe", "widget", "w1"])
    #expect(r.code == 0 && r.out.contains("Image:  python:3.11"), "\(r.out) \(r.err)")
  }

  @Test func errorPathsAsKubectlPrintsThem() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    let crd = try c.writeFile("crd.yaml", Fixtures.widgetCRD)
    _ = try await c.kubectl(["apply", "-f", crd])
    var r = try await c.kubectl(["get", "widget", "nope"])
    #expect(r.code == 1)
    #expect(r.err == "Error from server (NotFound): widgets.test.gra.dev \"nope\" not found\n")
    r = try await c.kubectl(["create", "configmap", "x"])
    r = try await c.kubectl(["create", "configmap", "x"])
    #expect(r.err == "error: failed to create configmap: configmaps \"x\" already exists\n", "\(r.err)")
    // Conflict: replace with a stale resourceVersion.
    r = try await c.kubectl(["get", "configmap", "x", "-o", "json"])
    let stale = r.out
    _ = try await c.kubectl(["label", "configmap", "x", "a=b"])
    let f = try c.writeFile("stale.json", stale)
    r = try await c.kubectl(["replace", "-f", f])
    #expect(r.code == 1)
    #expect(
      r.err.contains(
        "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again"
      ), "\(r.err)")
    // Unauthorized.
    r = try await c.kubectl(["get", "pods"], token: "bogus")
    #expect(r.code == 1)
    #expect(r.err.contains("error: You must be logged in to the server (Unauthorized)"), "\(r.err)")
  }

  @Test func watchPrintsChanges() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    _ = try await c.kubectl(["create", "configmap", "w"])
    async let watched = c.kubectl(["get", "configmaps", "-w", "--request-timeout=3s"])
    try await Task.sleep(for: .seconds(1))
    _ = try await c.kubectl(["label", "configmap", "w", "x=y"])
    let r = try await watched
    let names = r.out.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
    #expect(names.first == "NAME")
    #expect(names.filter { $0 == "w" }.count >= 2, "\(r.out)")
  }

  @Test func builtinsAsKubectlShowsThem() async throws {
    let c = try await started()
    defer { Task { await c.stop() } }
    var r = try await c.kubectl(["get", "ns"])
    #expect(r.out.contains("kube-system"))
    #expect(r.out.hasPrefix("NAME"))
    r = try await c.kubectl(["run", "p", "--image=busybox", "--restart=Never"])
    #expect(r.code == 0, "\(r.err)")
    r = try await c.kubectl(["get", "pods"])
    #expect(r.out.contains("p      0/1     Pending"), "\(r.out)")
    r = try await c.kubectl(["api-resources", "--api-group=rbac.authorization.k8s.io"])
    #expect(r.out.contains("clusterroles"), "\(r.out) \(r.err)")
    // Strategic merge patch through kubectl apply on a built-in kind.
    let svc = try c.writeFile(
      "svc.yaml",
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: s
      spec:
        selector: {app: a}
        ports:
        - port: 80
      """)
    r = try await c.kubectl(["apply", "-f", svc])
    #expect(r.code == 0, "\(r.err)")
    _ = try c.writeFile(
      "svc.yaml",
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: s
      spec:
        selector: {app: a}
        ports:
        - port: 80
          name: http
        - port: 443
          name: https
      """)
    r = try await c.kubectl(["apply", "-f", svc])
    #expect(r.out == "service/s configured\n", "\(r.err)")
    r = try await c.kubectl(["get", "svc", "s", "-o", "jsonpath={.spec.ports[*].port}"])
    #expect(r.out == "80 443")
  }
}
