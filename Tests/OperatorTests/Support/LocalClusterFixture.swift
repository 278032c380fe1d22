import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging

/// A local API server and a client for it, logged in as the cluster admin (or as `user`).
struct LocalClusterFixture {
  let server: LocalAPIServer
  let client: KubernetesClient
  let kubeconfig: URL

  static func start(_ options: LocalAPIServer.Options = .init()) async throws -> LocalClusterFixture {
    let server = try await LocalAPIServer.start(options)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-optest-\(UUID().uuidString)")
    let kubeconfig = dir.appendingPathComponent("kubeconfig")
    try await server.writeKubeconfig(to: kubeconfig)
    let config = try Kubeconfig.load(paths: [kubeconfig.path]).configuration()
    let client = try KubernetesClient(
      configuration: config, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    return LocalClusterFixture(server: server, client: client, kubeconfig: kubeconfig)
  }

  func stop() async {
    try? await client.shutdown()
    await server.shutdown()
    try? FileManager.default.removeItem(at: kubeconfig.deletingLastPathComponent())
  }
}

let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Polls `condition` every 20 ms for up to `timeout`; true when it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try? await Task.sleep(for: .milliseconds(20))
  }
  return try await condition()
}
