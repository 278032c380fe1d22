import ArgumentParser
import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging
import Operator

#if canImport(Glibc)
  import Glibc
#endif

/// `gra-operator local`: a local Kubernetes API server (and the local kubelet) on loopback,
/// with the gra CRDs installed and a kubeconfig for kubectl.
struct LocalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "local",
    abstract: "Run a local Kubernetes API server and kubelet for trying gra without a cluster.")

  @Option(help: "Address to listen on.") var host = "127.0.0.1"
  @Option(parsing: .unconditional, help: "Port to listen on (0 picks a free one).") var port = 6443
  @Option(help: "Where to write the kubeconfig.") var kubeconfig = ".local/kubeconfig"
  @Option(help: "CRD manifests to install (file or directory); default manifests/crds when present.")
  var crds: [String] = []
  @Option(help: "A kube-apiserver token file: token,user,uid,\"group1,group2\".") var tokenFile: String?
  @Option(help: "Where the local kubelet keeps pod directories and volumes.") var dataDir = ".local/kubelet"
  @Flag(help: "Run only the API server (pods stay Pending).") var noKubelet = false
  @Flag(help: "Do not run the gra operator (Runners and TracerJobs are stored, not reconciled).")
  var noOperator = false
  @Option(help: "Operator log format: json or logfmt (logs go to stderr).") var logFormat: StructuredLogHandler.Format = .logfmt
  @Option(parsing: .unconditional, help: "Port of the exec bridge (0 picks a free one); it is reached through the API server's aggregation layer.")
  var bridgePort = 0
  @Flag(help: "Do not run the exec bridge (runners/exec is then not served).") var noBridge = false
  @Option(help: "Image of Runners and TracerJobs that do not set spec.image (default: $GRA_RUNNER_IMAGE, else \(GraDefaults.runnerImage)).")
  var runnerImage: String?

  func validate() throws {
    for (flag, value) in [("--port", port), ("--bridge-port", bridgePort)] where !(0...65535).contains(value) {
      throw ValidationError("\(flag) \(value): must be a port from 0 to 65535 (0 picks a free one)")
    }
    for path in crds where !FileManager.default.fileExists(atPath: path) {
      throw ValidationError("--crds \(path): no such file or directory; point it at manifests/crds of the gra checkout")
    }
    if let tokenFile, !FileManager.default.isReadableFile(atPath: tokenFile) {
      throw ValidationError("--token-file \(tokenFile): cannot read it; pass a readable kube-apiserver token file (token,user,uid,\"groups\")")
    }
    _ = try RunCommand.runnerImage(flag: runnerImage, environment: ProcessInfo.processInfo.environment)
  }

  func run() async throws {
    var options = LocalAPIServer.Options(host: host, port: port)
    var crdPaths = crds.map { URL(fileURLWithPath: $0) }
    if crdPaths.isEmpty, FileManager.default.fileExists(atPath: "manifests/crds") {
      crdPaths = [URL(fileURLWithPath: "manifests/crds")]
    }
    if crdPaths.isEmpty && !noOperator {
      // Without them the operator's Runner and TracerJob watches fail (404) and warn forever.
      throw CommandFailure(
        "no CRDs to install (no manifests/crds here): run from the gra checkout, pass --crds PATH/manifests/crds, or add --no-operator")
    }
    try PortCheck.free([("--port", "\(host):\(port)")] + (noOperator || noBridge ? [] : [("--bridge-port", "127.0.0.1:\(bridgePort)")]))
    options.crdPaths = crdPaths
    options.tokenFile = tokenFile.map { URL(fileURLWithPath: $0) }
    let server: LocalAPIServer
    do {
      server = try await LocalAPIServer.start(options)
    } catch {
      throw CommandFailure("could not start the local API server on \(host):\(port): \(error); pick another --port (0 picks a free one)")
    }
    let kubeconfigURL = URL(fileURLWithPath: kubeconfig)
    do {
      try await server.writeKubeconfig(to: kubeconfigURL)
    } catch {
      await server.shutdown()
      throw CommandFailure("--kubeconfig \(kubeconfig): cannot write it (\(error)); pass a writable path")
    }

    var kubelet: LocalKubelet?
    var kubeletNote = "local kubelet: disabled (--no-kubelet); pods stay Pending"
    if !noKubelet {
      let k = LocalKubelet(
        store: server.store, configuration: KubeletConfiguration(dataDirectory: URL(fileURLWithPath: dataDir)))
      do {
        try await k.start()
        server.attach(nodeAgent: k)
        kubelet = k
        kubeletNote = "local kubelet: running pods as local processes under \(dataDir)"
        if let why = LocalKubelet.unsupportedReason { kubeletNote += " (limited: \(why))" }
      } catch {
        kubeletNote = "local kubelet: could not start (\(error)); pods stay Pending"
      }
    }

    var operatorTask: Task<Void, any Error>?
    var operatorNote = "operator:    disabled (--no-operator); Runners and TracerJobs are stored, not reconciled"
    var bridgeNote = "exec bridge: disabled"
    var bridge: BridgeLauncher.Running?
    if !noOperator {
      let (task, client, metrics, logger) = try startOperator(kubeconfig: kubeconfigURL)
      operatorTask = task
      operatorNote = "operator:    running in this process (Runner and TracerJob controllers), logs on stderr"
      if !noBridge {
        let running = try await LocalBridge.start(
          server: server, client: client, port: bridgePort, metrics: metrics, logger: logger)
        bridge = running
        bridgeNote = "exec bridge: https://127.0.0.1:\(running.server.port), aggregated as APIService v1alpha1.exec.gra.dev"
      }
    }

    let minimal = FileManager.default.fileExists(atPath: "manifests/examples/runner-minimal.yaml")
      ? "manifests/examples/runner-minimal.yaml" : "<a Runner manifest>"
    var lines = [
      "gra local cluster",
      "  API server:  \(server.url.absoluteString) (in memory; everything is lost on exit)",
      "  CRDs:        \(crdPaths.isEmpty ? "none installed (no manifests/crds)" : crdPaths.map(\.path).joined(separator: ", "))",
      "  \(kubeletNote)",
      "  \(operatorNote)",
      "  \(bridgeNote)",
      "",
      "Next, in another terminal:",
      "  export KUBECONFIG=\(kubeconfigURL.path)",
      "  kubectl apply -f \(minimal) && kubectl get runners -w",
      "  swift run kubectl-gra exec demo -- python3 -c 'print(6*7)'",
    ]
    lines.append("")
    lines.append("Press Ctrl-C to stop.")
    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))

    await Self.waitForInterrupt()
    print("\nstopping…")
    await bridge?.stop()
    operatorTask?.cancel()
    _ = await operatorTask?.result
    if let kubelet { await kubelet.shutdown() }
    await server.shutdown()
  }

  /// The operator, as `gra-operator run` would run it against this cluster: same controllers,
  /// same client, talking HTTP to the local API server (no leader election, no health port).
  func startOperator(kubeconfig: URL) throws -> (Task<Void, any Error>, KubernetesClient, MetricsRegistry, Logger) {
    let format = logFormat
    LoggingSystem.bootstrap { StructuredLogHandler(label: $0, format: format) }
    let logger = Logger(label: "gra-operator")
    let client = try KubernetesClient(
      configuration: try Kubeconfig.load(paths: [kubeconfig.path]).configuration(), logger: logger)
    var options = Manager.Options()
    options.healthPort = nil
    options.metricsPort = nil
    let metrics = MetricsRegistry()
    let manager = Manager(client: client, watchNamespace: nil, metrics: metrics, options: options, logger: logger)
    var runnerOptions = RunnerReconciler.Options()
    runnerOptions.defaultImage = try RunCommand.runnerImage(flag: runnerImage, environment: ProcessInfo.processInfo.environment)
    let controllers = OperatorControllers.make(manager: manager, workers: 4, logger: logger, runner: runnerOptions)
    let task = Task {
      defer { Task { try? await client.shutdown() } }
      try await manager.run(controllers)
    }
    return (task, client, metrics, logger)
  }

  /// Suspends until SIGINT or SIGTERM.
  static func waitForInterrupt() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    let handler = SignalHandler.install([SIGINT, SIGTERM]) { _, _ in continuation.yield() }
    defer { handler.cancel() }
    for await _ in stream { break }
  }
}
