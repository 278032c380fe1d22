import CRDModels
import Foundation
import LocalCluster
import Testing

@testable import KubeClient

/// The client's recovery paths against the local API server: retries of failed requests
/// (the server injects 429/503 answers) and the watcher's relist after 410 Gone.
@Suite(.serialized) struct RetryAndRelistIntegrationTests {
  @Test func getIsRetriedOn503AndSucceeds() async throws {
    try await withLocalCluster { c in
      _ = try await c.configMaps.create(configMap("r1"))
      c.server.injectFailures(503, times: 2, method: "GET", pathPrefix: "/api/v1/namespaces/default/configmaps/r1")
      let got = try await c.configMaps.get("r1")
      #expect(got.metadata.name == "r1")
      let m = try #require(c.requests.all.last { $0.verb == "get" })
      #expect(m.code == 200)
      #expect(m.retries == 2)
    }
  }

  /// A create is not idempotent: a 503 (the server may have stored it) is not retried.
  @Test func createIsNotRetriedOn503() async throws {
    try await withLocalCluster { c in
      c.server.injectFailures(503, method: "POST", pathPrefix: "/api/v1/namespaces/default/configmaps")
      await #expect {
        _ = try await c.configMaps.create(configMap("r2"))
      } throws: { e in
        (e as? KubeError)?.code == 503
      }
      let m = try #require(c.requests.all.last { $0.verb == "create" })
      #expect(m.retries == 0)
      #expect(try await c.configMaps.getIfExists("r2") == nil)
    }
  }

  /// 429 is what API Priority and Fairness answers when it sheds load: every method retries it,
  /// after `Retry-After`.
  @Test func tooManyRequestsIsRetriedForEveryMethodAfterRetryAfter() async throws {
    try await withLocalCluster { c in
      c.server.injectFailures(
        429, method: "POST", pathPrefix: "/api/v1/namespaces/default/configmaps", retryAfterSeconds: 1)
      let start = ContinuousClock.now
      let created = try await c.configMaps.create(configMap("r3"))
      #expect(created.metadata.name == "r3")
      #expect(ContinuousClock.now - start >= .seconds(1))
      let m = try #require(c.requests.all.last { $0.verb == "create" })
      #expect(m.code == 201)
      #expect(m.retries == 1)
    }
  }

  @Test func retriesGiveUpAfterTheLimitWithTheServersStatus() async throws {
    try await withLocalCluster { c in
      c.server.injectFailures(504, times: 100, method: "GET", pathPrefix: "/api/v1/namespaces/default/configmaps/r4")
      var config = c.client.configuration
      config.retry = RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(10))
      let log = RequestLog()
      let client = try KubernetesClient(configuration: config, metrics: { log.record($0) })
      defer { Task { try? await client.shutdown() } }
      await #expect {
        _ = try await client.api(TestConfigMap.self, namespace: "default").get("r4")
      } throws: { e in
        guard let k = e as? KubeError else { return false }
        return k.code == 504 && k.isServerTimeout
      }
      #expect(log.all.last?.retries == 2)
    }
  }

  /// After the server forgets its history and drops every watch (compaction and a restart),
  /// the watcher's resume answers 410; it lists again and the cache it feeds ends up exactly
  /// as the server's state, changes made meanwhile included.
  @Test(.timeLimit(.minutes(1)))
  func watcherRelistsAfterGoneWithoutMissingObjects() async throws {
    try await withLocalCluster { c in
      let api = c.configMaps
      for i in 0..<3 { _ = try await api.create(configMap("pre\(i)", labels: ["w": "2"])) }
      var config = WatcherConfig(labelSelector: "w=2", pageSize: 2)
      config.initialBackoff = .milliseconds(10)
      var store: [String: String] = [:]
      var buffer: [String: String] = [:]
      var inits = 0
      var sawGone = false
      let expected: Set<String> = ["pre1", "pre2", "during"]
      for await e in api.watcher(config) {
        switch e {
        case .initStarted:
          inits += 1
          buffer = [:]
        case .initApply(let o): buffer[o.metadata.name ?? ""] = o.metadata.resourceVersion
        case .initDone:
          store = buffer
          if inits == 1 {
            // Move the server past what the watcher has seen, then cut it off from history.
            _ = try await api.create(configMap("unwatched"))
            await c.server.compactWatchHistory()
            _ = try await api.delete("pre0")
            _ = try await api.create(configMap("during", labels: ["w": "2"]))
            _ = try await api.patch("pre1", .merge(["data": ["k": "changed"]]))
          }
        case .apply(let o): store[o.metadata.name ?? ""] = o.metadata.resourceVersion
        case .delete(let o): store[o.metadata.name ?? ""] = nil
        case .failed(let err): if err.isGone { sawGone = true }
        }
        if inits >= 2, Set(store.keys) == expected,
          store["pre1"] == (try await api.get("pre1")).metadata.resourceVersion
        {
          break
        }
      }
      #expect(inits >= 2, "the watcher did not relist")
      #expect(Set(store.keys) == expected)
      let lists = c.requests.all.filter { $0.verb == "list" }.count
      #expect(lists >= 3, "\(lists) list requests")
      _ = sawGone  // reported or not, the relist is what matters
    }
  }
}
