import Foundation
import Synchronization
import Testing

@testable import Operator

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

@Suite struct HealthServerTests {
  @Test func readyzFollowsTheChecksAndMetricsRenders() async throws {
    let registry = MetricsRegistry()
    registry.counter("gra_test_total", help: "Test.").inc()
    let synced = Mutex(false)
    let server = try await HealthServer.start(
      host: "127.0.0.1", port: 0, registry: registry, readiness: [("informers-synced", { synced.withLock { $0 } })])
    defer { Task { await server.stop() } }
    let base = "http://127.0.0.1:\(server.port)"

    let (healthz, hcode) = try await get("\(base)/healthz")
    #expect(hcode == 200 && healthz == "ok")

    let (notReady, ncode) = try await get("\(base)/readyz")
    #expect(ncode == 503)
    #expect(notReady.contains("[-]informers-synced failed"))

    synced.withLock { $0 = true }
    let (_, rcode) = try await get("\(base)/readyz")
    #expect(rcode == 200)

    let (metrics, mcode) = try await get("\(base)/metrics")
    #expect(mcode == 200)
    #expect(metrics.contains("gra_test_total 1"))

    let (_, missing) = try await get("\(base)/nope")
    #expect(missing == 404)
  }

  private func get(_ url: String) async throws -> (String, Int) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
  }
}
