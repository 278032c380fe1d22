import CRDModels
import Foundation
import Testing

@testable import LocalCluster

/// Figures for docs/local-cluster.md; run with `GRA_BENCH=1 swift test --filter Benchmarks`.
/// Prints, never asserts timings.
@Suite("Benchmarks", .enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] == "1"))
struct Benchmarks {
  static func rssMB() -> Double {
    let s = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
      let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
      return kb / 1024
    }
    return 0
  }

  static func say(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
  }

  static func time<T>(_ f: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let r = try await f()
    let d = ContinuousClock.now - start
    return (r, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
  }

  /// Creates 10,000 ConfigMaps over HTTP (8 clients) in batches of 1,000 and prints each
  /// batch's rate: a per-write cost that grows with the store shows as falling rates.
  @Test func createRateOverHTTPAsTheStoreGrows() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    var rates: [Int] = []
    for batch in 0..<10 {
      let (_, secs) = try await Self.time {
        try await withThrowingTaskGroup(of: Void.self) { g in
          for w in 0..<8 {
            g.addTask {
              for i in stride(from: batch * 1000 + w, to: (batch + 1) * 1000, by: 8) {
                let body =
                  #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-\#(i)","labels":{"bench":"yes"}},"data":{"key":"value-\#(i)"}}"#
                let r = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: body)
                precondition(r.code == 201)
              }
            }
          }
          try await g.waitForAll()
        }
      }
      rates.append(Int(1000 / secs))
    }
    Self.say("BENCH create over HTTP, creates/s per batch of 1,000 (0→10,000 objects): \(rates)")
  }

  @Test func tenThousandObjectsAndHundredWatchers() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let rss0 = Self.rssMB()
    let n = 10_000
    let overHTTP = 2_000
    let (_, createSecs) = try await Self.time {
      try await withThrowingTaskGroup(of: Void.self) { g in
        for w in 0..<8 {
          g.addTask {
            for i in stride(from: w, to: overHTTP, by: 8) {
              let body =
                #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-\#(i)","labels":{"bench":"yes","i":"\#(i % 10)"}},"data":{"key":"value-\#(i)","other":"some more data to make it realistic"}}"#
              let r = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: body)
              precondition(r.code == 201)
            }
          }
        }
        try await g.waitForAll()
      }
    }
    Self.say(
      "BENCH create \(overHTTP) configmaps over HTTP (8 clients): \(String(format: "%.2f", createSecs)) s = \(Int(Double(overHTTP) / createSecs)) creates/s"
    )
    let cms = ResourceDescriptor(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    let (_, storeSecs) = try await Self.time {
      for i in overHTTP..<n {
        let o: JSONValue = [
          "apiVersion": "v1", "kind": "ConfigMap",
          "metadata": ["name": .string("cm-\(i)"), "labels": ["bench": "yes", "i": .string(String(i % 10))]],
          "data": ["key": .string("value-\(i)"), "other": "some more data to make it realistic"],
        ]
        _ = try await c.server.store.create(cms, namespace: "default", object: o)
      }
    }
    Self.say(
      "BENCH create \(n - overHTTP) more in-process (same admission/store path): \(String(format: "%.2f", storeSecs)) s = \(Int(Double(n - overHTTP) / storeSecs)) creates/s"
    )
    let rss1 = Self.rssMB()
    let (full, listSecs) = try await Self.time { try await c.request("GET", "/api/v1/namespaces/default/configmaps") }
    Self.say("BENCH list \(n) in one response: \(String(format: "%.3f", listSecs)) s, \(full.body.count / 1024) KiB")
    let (sel, selSecs) = try await Self.time { try await c.request("GET", "/api/v1/configmaps?labelSelector=i%3D3") }
    var pages = 0
    let (_, pagedSecs) = try await Self.time {
      var cont: String? = nil
      repeat {
        let r = try await c.request(
          "GET", "/api/v1/namespaces/default/configmaps?limit=500" + (cont.map { "&continue=\($0)" } ?? ""))
        cont = r.json["metadata"]["continue"].stringValue
        pages += 1
      } while cont != nil
    }
    let (table, tableSecs) = try await Self.time {
      try await c.request(
        "GET", "/api/v1/namespaces/default/configmaps?limit=500", accept: "application/json;as=Table;v=v1;g=meta.k8s.io"
      )
    }
    let rss2 = Self.rssMB()

    // 100 HTTP watchers, then a burst of 1,000 creates.
    let watchers = 100
    let burst = 1_000
    let rv = full.json["metadata"]["resourceVersion"].stringValue!
    let (counts, burstSecs): ([Int], Double) = try await Self.time {
      try await withThrowingTaskGroup(of: Int.self) { g in
        for _ in 0..<watchers {
          g.addTask {
            let r = try await c.request(
              "GET", "/api/v1/namespaces/default/secrets?watch=true&resourceVersion=\(rv)&timeoutSeconds=15")
            return r.lines.count
          }
        }
        g.addTask {
          try await Task.sleep(for: .seconds(2))
          for i in 0..<burst {
            _ = try await c.request(
              "POST", "/api/v1/namespaces/default/secrets",
              body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s-\#(i)"}}"#)
          }
          return -1
        }
        var out: [Int] = []
        for try await v in g where v >= 0 { out.append(v) }
        return out
      }
    }
    // In-process fan-out latency: 100 store watchers, time until all saw the burst.
    let store = c.server.store
    let secrets = ResourceDescriptor(
      group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    let (_, fanoutSecs) = try await Self.time {
      try await withThrowingTaskGroup(of: Void.self) { g in
        let list = try await store.list(secrets, namespace: "kube-public", labelSelector: nil, fieldSelector: nil)
        var streams: [AsyncStream<StoreEvent>] = []
        for _ in 0..<watchers {
          streams.append(
            try await store.watch(secrets, namespace: "kube-public", resourceVersion: list.resourceVersion))
        }
        for s in streams {
          g.addTask {
            var seen = 0
            for await _ in s {
              seen += 1
              if seen == burst { return }
            }
          }
        }
        for i in 0..<burst {
          _ = try await store.create(
            secrets, namespace: "kube-public",
            object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("f-\(i)")]])
        }
        try await g.waitForAll()
      }
    }
    let rss3 = Self.rssMB()
    let report = """
      BENCH list \(n) (one response, \(full.body.count / 1024) KiB): \(String(format: "%.3f", listSecs)) s
      BENCH list by label selector across namespaces (\(sel.json["items"].arrayValue?.count ?? 0) items): \(String(format: "%.3f", selSecs)) s
      BENCH list \(n) in \(pages) pages of 500: \(String(format: "%.3f", pagedSecs)) s
      BENCH table page of 500 (\(table.body.count / 1024) KiB): \(String(format: "%.3f", tableSecs)) s
      BENCH \(watchers) HTTP watchers + burst of \(burst) creates: every watcher got \(Set(counts).sorted()) events; wall \(String(format: "%.2f", burstSecs)) s incl. 2 s setup and the 15 s watch timeout
      BENCH \(watchers) in-process watchers, burst of \(burst) creates, until all saw all: \(String(format: "%.3f", fanoutSecs)) s
      BENCH RSS MB: start \(String(format: "%.0f", rss0)), after creates \(String(format: "%.0f", rss1)), after lists \(String(format: "%.0f", rss2)), after watch bursts \(String(format: "%.0f", rss3))
      """
    Self.say(report)
    // Figures only: with a debug build the burst over HTTP may outlast the watch timeout.
    #expect(counts.count == watchers)
  }
}
