import CRDModels
import Foundation
import Testing

@testable import LocalCluster

/// The project's own CRDs and examples through the real kubectl.
@Suite("manifests/crds and manifests/examples with kubectl")
struct ManifestTests {
  static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func applyProjectCRDsAndExamples() async throws {
    guard TestCluster.hasKubectl else { throw KubectlMissing() }
    let crds = Self.repoRoot.appendingPathComponent("manifests/crds")
    let examples = Self.repoRoot.appendingPathComponent("manifests/examples")
    try #require(FileManager.default.fileExists(atPath: crds.path), "manifests/crds is missing")
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    var r = try await c.kubectl(["apply", "-f", crds.path])
    #expect(r.code == 0, "\(r.err)")
    #expect(r.out.contains("customresourcedefinition.apiextensions.k8s.io/runners.gra.dev created"))
    r = try await c.kubectl(["apply", "-f", examples.path])
    #expect(r.code == 0, "\(r.err)")
    r = try await c.kubectl(["get", "runners"])
    #expect(r.code == 0, "\(r.err)")
    let header = r.out.split(separator: "\n").first.map { $0.split(separator: " ").map(String.init) } ?? []
    #expect(Array(header.prefix(4)) == ["NAME", "PHASE", "READY", "IDLE"], "\(r.out)")
    r = try await c.kubectl(["get", "rn,tj", "-o", "name"])
    #expect(r.out.contains("runner.gra.dev/") && r.out.contains("tracerjob.gra.dev/"), "\(r.out) \(r.err)")
    r = try await c.kubectl(["explain", "runner.spec"])
    #expect(r.code == 0 && r.out.contains("FIELDS:"), "\(r.out) \(r.err)")
  }
}
