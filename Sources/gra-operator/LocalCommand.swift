import ArgumentParser
import Foundation
import LocalCluster

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
  @Option(help: "Port to listen on (0 picks a free one).") var port = 6443
  @Option(help: "Where to write the kubeconfig.") var kubeconfig = ".local/kubeconfig"
  @Option(help: "CRD manifests to install (file or directory); default manifests/crds when present.")
  var crds: [String] = []
  @Option(help: "A kube-apiserver token file: token,user,uid,\"group1,group2\".") var tokenFile: String?
  @Option(help: "Where the local kubelet keeps pod directories and volumes.") var dataDir = ".local/kubelet"
  @Flag(help: "Run only the API server (pods stay Pending).") var noKubelet = false

  func run() async throws {
    var options = LocalAPIServer.Options(host: host, port: port)
    var crdPaths = crds.map { URL(fileURLWithPath: $0) }
    if crdPaths.isEmpty, FileManager.default.fileExists(atPath: "manifests/crds") {
      crdPaths = [URL(fileURLWithPath: "manifests/crds")]
    }
    options.crdPaths = crdPaths
    options.tokenFile = tokenFile.map { URL(fileURLWithPath: $0) }
    let server = try await LocalAPIServer.start(options)
    let kubeconfigURL = URL(fileURLWithPath: kubeconfig)
    try await server.writeKubeconfig(to: kubeconfigURL)

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

    let examples = (try? FileManager.default.contentsOfDirectory(atPath: "manifests/examples"))?.sorted()
      .filter { $0.hasSuffix(".yaml") } ?? []
    var lines = [
      "gra local cluster",
      "  API server:  \(server.url.absoluteString) (in memory; everything is lost on exit)",
      "  CRDs:        \(crdPaths.isEmpty ? "none installed (no manifests/crds)" : crdPaths.map(\.path).joined(separator: ", "))",
      "  \(kubeletNote)",
      "  operator:    not started - the gra operator does not exist yet, so Runners and TracerJobs are stored but not reconciled",
      "",
      "Try:",
      "  export KUBECONFIG=\(kubeconfigURL.path)",
      "  kubectl get nodes",
      "  kubectl api-resources --api-group=gra.dev",
    ]
    if let first = examples.first { lines.append("  kubectl apply -f manifests/examples/\(first)") }
    lines.append("  kubectl get runners,tracerjobs")
    lines.append("")
    lines.append("Press Ctrl-C to stop.")
    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))

    await Self.waitForInterrupt()
    print("\nstopping…")
    if let kubelet { await kubelet.shutdown() }
    await server.shutdown()
  }

  /// Suspends until SIGINT or SIGTERM.
  static func waitForInterrupt() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let once = Once(c)
      for sig in [SIGINT, SIGTERM] {
        let src = DispatchSource.makeSignalSource(signal: sig, queue: .main)
        src.setEventHandler { once.fire() }
        src.resume()
        Once.keep(src)
      }
    }
  }
}

/// Resumes a continuation at most once (signal handlers may fire repeatedly).
final class Once: @unchecked Sendable {
  private let lock = NSLock()
  private var c: CheckedContinuation<Void, Never>?
  nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
  init(_ c: CheckedContinuation<Void, Never>) { self.c = c }
  func fire() {
    lock.lock()
    let k = c
    c = nil
    lock.unlock()
    k?.resume()
  }
  static func keep(_ s: any DispatchSourceSignal) { sources.append(s) }
}
