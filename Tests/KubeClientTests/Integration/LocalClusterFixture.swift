import CRDModels
import Foundation
import LocalCluster

@testable import KubeClient

/// The project's local API server and a client configured from the kubeconfig it writes
/// (TLS with its CA, bearer token), so every layer of the client is exercised.
struct LocalClusterFixture {
  let server: LocalAPIServer
  let client: KubernetesClient
  let dir: TempDir
  let requests: RequestLog

  static func start(_ options: LocalAPIServer.Options = .init()) async throws -> LocalClusterFixture {
    let server = try await LocalAPIServer.start(options)
    let dir = try TempDir()
    let path = dir.path + "/kubeconfig"
    try await server.writeKubeconfig(to: URL(fileURLWithPath: path))
    let config = try Kubeconfig.load(paths: [path]).configuration()
    let log = RequestLog()
    let client = try KubernetesClient(configuration: config, metrics: { m in log.record(m) })
    return LocalClusterFixture(server: server, client: client, dir: dir, requests: log)
  }

  func client(token: String) throws -> KubernetesClient {
    var c = client.configuration
    c.credentials = .bearer(StaticToken(token))
    return try KubernetesClient(configuration: c)
  }

  func stop() async {
    try? await client.shutdown()
    await server.shutdown()
    dir.remove()
  }

  var configMaps: Api<TestConfigMap> { client.api(TestConfigMap.self, namespace: "default") }
}

/// Collects request metrics from the transport's hook.
final class RequestLog: @unchecked Sendable {
  private let lock = NSLock()
  private var metrics: [RequestMetric] = []
  func record(_ m: RequestMetric) {
    lock.lock()
    metrics.append(m)
    lock.unlock()
  }
  var all: [RequestMetric] {
    lock.lock()
    defer { lock.unlock() }
    return metrics
  }
}

/// Runs `body` with a fixture and always stops it.
func withLocalCluster<R>(
  _ options: LocalAPIServer.Options = .init(), _ body: (LocalClusterFixture) async throws -> R
) async throws -> R {
  let f = try await LocalClusterFixture.start(options)
  do {
    let r = try await body(f)
    await f.stop()
    return r
  } catch {
    await f.stop()
    throw error
  }
}

func configMap(_ name: String, _ data: [String: String] = [:], labels: [String: String]? = nil) -> TestConfigMap {
  TestConfigMap(metadata: ObjectMeta(name: name, namespace: "default", labels: labels), data: data)
}
