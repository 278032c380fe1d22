import CRDModels
import Foundation
import LocalCluster
import Testing

@testable import KubeClient

@Suite("Watch against the local API server", .timeLimit(.minutes(1))) struct WatchIntegrationTests {
  @Test func watchSeesChangesBookmarksAndResumesAfterServerTimeouts() async throws {
    try await withLocalCluster(.init(bookmarkInterval: .milliseconds(500))) { c in
      let api = c.configMaps
      let start = try await api.list().metadata.resourceVersion ?? ""
      let events = api.watch(from: start, WatchParams(timeoutSeconds: 1))
      let writer = Task {
        _ = try await api.create(configMap("w", ["n": "0"]))
        // Outlive at least two server-side watch timeouts.
        try await Task.sleep(for: .milliseconds(2500))
        _ = try await api.patch("w", .merge(["data": ["n": "1"]]))
        try await Task.sleep(for: .milliseconds(300))
        _ = try await api.delete("w")
      }
      var seen: [String] = []
      var bookmarks = 0
      for try await e in events {
        switch e {
        case .added(let o): seen.append("ADDED \(o.metadata.name ?? "") \(o.data?["n"] ?? "")")
        case .modified(let o): seen.append("MODIFIED \(o.metadata.name ?? "") \(o.data?["n"] ?? "")")
        case .deleted(let o): seen.append("DELETED \(o.metadata.name ?? "")")
        case .bookmark(let rv, _):
          #expect(!rv.isEmpty)
          bookmarks += 1
        case .error(let s): Issue.record("error event \(s)")
        }
        if seen.count == 3 { break }
      }
      try await writer.value
      #expect(seen == ["ADDED w 0", "MODIFIED w 1", "DELETED w"])
      #expect(bookmarks > 0)
      // The watch reconnected after each 1 s server timeout.
      let watches = c.requests.all.filter { $0.method == "GET" && $0.code == 200 }.count
      #expect(watches >= 3)
    }
  }

  /// A client's own write and its echo in its watch are decoded once (whichever comes second
  /// takes the other's object); another client's writes are decoded. The values are the same.
  /// When the answer and the echo are decoded at the same moment neither can take the other's,
  /// so of ten own writes at least half, not all, must be reused.
  @Test func echoesOfOwnWritesAreNotDecodedAgain() async throws {
    try await withLocalCluster { c in
      let api = c.configMaps
      let otherClient = try KubernetesClient(configuration: c.client.configuration)
      defer { Task { try? await otherClient.shutdown() } }
      let other = otherClient.api(TestConfigMap.self, namespace: "default")
      let start = try await api.list().metadata.resourceVersion ?? ""
      var events = api.watch(from: start, WatchParams(timeoutSeconds: 30)).makeAsyncIterator()
      // Once the watch has delivered another client's object, it is running.
      _ = try await other.create(configMap("first"))
      _ = try await events.next()
      let before = c.client.recent.reused

      var written = [try await api.create(configMap("echo", ["n": "0"]))]
      written.append(try await other.patch("echo", .merge(["data": ["n": "1"]])))
      for n in 2...10 { written.append(try await api.patch("echo", .merge(["data": ["n": .string("\(n)")]]))) }
      var seen: [TestConfigMap] = []
      while seen.count < written.count, let e = try await events.next() {
        if let o = e.object { seen.append(o) }
      }
      #expect(seen == written)
      let reused = c.client.recent.reused - before
      #expect((5...10).contains(reused), "\(reused) of 10 own writes decoded once")
    }
  }

  @Test func expiredResourceVersionIsGone() async throws {
    try await withLocalCluster(.init(watchHistorySize: 5)) { c in
      let api = c.configMaps
      let old = try await api.list().metadata.resourceVersion ?? ""
      for i in 0..<20 { _ = try await api.create(configMap("g\(i)")) }
      await #expect {
        for try await _ in api.watch(from: old, WatchParams(timeoutSeconds: 5)) {}
      } throws: { e in
        (e as? KubeError)?.isGone == true
      }
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func watcherListsInPagesThenWatches() async throws {
    try await withLocalCluster { c in
      let api = c.configMaps
      for i in 0..<3 { _ = try await api.create(configMap("pre\(i)", labels: ["w": "1"])) }
      var config = WatcherConfig(labelSelector: "w=1", pageSize: 2, timeoutSeconds: 1)
      config.initialBackoff = .milliseconds(10)
      var initApplied: [String] = []
      var log: [String] = []
      for await e in api.watcher(config) {
        switch e {
        case .initStarted: log.append("init")
        case .initApply(let o): initApplied.append(o.metadata.name ?? "")
        case .initDone:
          log.append("initDone")
          // Outlive a server-side watch timeout before the change.
          try await Task.sleep(for: .milliseconds(1500))
          _ = try await api.create(configMap("live", labels: ["w": "1"]))
        case .apply(let o): log.append("apply \(o.metadata.name ?? "")")
        case .delete(let o): log.append("delete \(o.metadata.name ?? "")")
        case .failed(let err): log.append(err.isGone ? "gone" : "failed \(err)")
        }
        if log.last == "apply live" { _ = try await api.delete("live") }
        if log.last == "delete live" { break }
      }
      #expect(initApplied == ["pre0", "pre1", "pre2"])
      #expect(log == ["init", "initDone", "apply live", "delete live"])
      let lists = c.requests.all.filter { $0.method == "GET" }.count
      #expect(lists >= 3)
    }
  }
}
