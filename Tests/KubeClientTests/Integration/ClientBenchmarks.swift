import CRDModels
import Foundation
import LocalCluster
import Testing

@testable import KubeClient

/// Figures for docs/client.md, not assertions: run with
/// `GRA_BENCH=1 swift test --skip-build --filter ClientBenchmarks`.
@Suite("KubeClient benchmarks", .enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] != nil), .serialized)
struct ClientBenchmarks {
  static func rssKiB(_ field: String = "VmRSS") -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
      return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
  }

  static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

  static func seconds(_ d: Duration) -> Double { d.seconds }

  static func fill(_ c: LocalClusterFixture, _ n: Int) async throws {
    let cm = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    for i in 0..<n {
      var o: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap"]
      o["metadata"] = ["name": .string("bench-\(i)"), "namespace": "default", "labels": ["bench": "yes"]]
      o["data"] = ["payload": .string(String(repeating: "x", count: 200)), "index": .string(String(i))]
      _ = try await c.server.store.create(cm, namespace: "default", object: o)
    }
  }

  @Test func getsPerSecond() async throws {
    try await withLocalCluster { c in
      _ = try await c.configMaps.create(configMap("target", ["k": "v"]))
      for _ in 0..<100 { _ = try await c.configMaps.get("target") }
      let n = 2000
      let clock = ContinuousClock()
      let serial = try await clock.measure {
        for _ in 0..<n { _ = try await c.configMaps.get("target") }
      }
      let concurrent = try await clock.measure {
        try await withThrowingTaskGroup(of: Void.self) { g in
          for _ in 0..<8 {
            g.addTask { for _ in 0..<(n / 8) { _ = try await c.configMaps.get("target") } }
          }
          try await g.waitForAll()
        }
      }
      print(
        "BENCH get: \(n) sequential gets in \(Self.seconds(serial)) s = \(Int(Double(n) / Self.seconds(serial))) req/s; 8 concurrent: \(Int(Double(n) / Self.seconds(concurrent))) req/s (TLS + bearer, local API server in the same process)"
      )
    }
  }

  @Test func listTenThousand() async throws {
    try await withLocalCluster { c in
      try await Self.fill(c, 10_000)
      let clock = ContinuousClock()
      for pageSize in [500, 0] {
        let before = Self.rssKiB()
        Self.resetPeak()
        var count = 0
        let t = try await clock.measure {
          let list =
            pageSize > 0
            ? try await c.configMaps.listAll(ListParams(labelSelector: "bench=yes"), pageSize: pageSize)
            : try await c.configMaps.list(ListParams(labelSelector: "bench=yes"))
          count = list.items.count
        }
        let peak = Self.rssKiB("VmHWM")
        print(
          "BENCH list: \(count) configmaps (~450 B each) with \(pageSize > 0 ? "pages of \(pageSize)" : "one request") in \(Self.seconds(t)) s; process RSS \(before / 1024) MiB before, peak \(peak / 1024) MiB (server and client share the process)"
        )
      }
    }
  }

  @Test func longWatch() async throws {
    try await withLocalCluster(.init(watchHistorySize: 50_000)) { c in
      let api = c.configMaps
      let rv = try await api.list().metadata.resourceVersion ?? ""
      let n = 10_000
      let before = Self.rssKiB()
      Self.resetPeak()
      let clock = ContinuousClock()
      let start = clock.now
      let writer = Task { try await Self.fill(c, n) }
      var seen = 0
      var bookmarks = 0
      for try await e in api.watch(from: rv, WatchParams(timeoutSeconds: 2)) {
        if case .bookmark = e { bookmarks += 1 } else { seen += 1 }
        if seen == n { break }
      }
      try await writer.value
      let t = clock.now - start
      print(
        "BENCH watch: \(seen) ADDED events (resumed every 2 s) in \(Self.seconds(t)) s = \(Int(Double(seen) / Self.seconds(t))) events/s; RSS \(before / 1024) MiB before, peak \(Self.rssKiB("VmHWM") / 1024) MiB"
      )
    }
  }
}
