import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging
import Operator

/// The exec bridge against direct `pods/exec`, in one process and one run: latency of `true`
/// and throughput of a large stdout, (a) `pods/exec` with KubeClient, (b) the bridge's
/// `POST …/exec` straight to its port, (c) the same through the API server's aggregation layer
/// (what `kubectl gra exec` and agents use). Local cluster, local kubelet: everything on one
/// machine, so the figures compare the paths; they are not what a real cluster gives.
struct ExecBridgeBenchmark {
  var iterations = 50
  var megabytes = 100

  func run() async throws -> [(String, String)] {
    let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-bench-bridge-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var options = LocalAPIServer.Options()
    if FileManager.default.fileExists(atPath: "manifests/crds") {
      options.crdPaths = [URL(fileURLWithPath: "manifests/crds")]
    }
    let server = try await LocalAPIServer.start(options)
    defer { Task { await server.shutdown() } }
    let kubelet = LocalKubelet(
      store: server.store, configuration: KubeletConfiguration(dataDirectory: dir.appendingPathComponent("kubelet")))
    try await kubelet.start()
    defer { Task { await kubelet.shutdown() } }
    server.attach(nodeAgent: kubelet)
    let kubeconfig = dir.appendingPathComponent("kubeconfig")
    try await server.writeKubeconfig(to: kubeconfig)
    let admin = try KubernetesClient(
      configuration: try Kubeconfig.load(paths: [kubeconfig.path]).configuration(), logger: logger)

    // The runner's pod and a Ready Runner.
    let pods = admin.dynamic(
      ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true), namespace: "default")
    var container: JSONValue = ["name": "runner", "image": "python:3.11"]
    container["command"] = ["python3", "-c", "import time; time.sleep(3600)"]
    var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "bench", "namespace": "default"]]
    pod["spec"] = ["containers": [container]]
    _ = try await pods.create(pod)
    for _ in 0..<300 where try await pods.get("bench")["status"]["phase"] != "Running" {
      try await Task.sleep(for: .milliseconds(100))
    }
    var spec = RunnerSpec()
    spec.exec = ExecLimits(maxConcurrent: 4, outputLimitBytes: Int64(megabytes + 10) << 20)
    let runners = admin.api(Runner.self, namespace: "default")
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: "bench", namespace: "default"), spec: spec))
    let ready: JSONValue = [
      "type": "Ready", "status": "True", "reason": "PodReady", "message": "",
      "lastTransitionTime": .string(Time.now().description),
    ]
    _ = try await runners.patchStatus(
      "bench", .merge(["status": ["phase": "Ready", "podName": "bench", "conditions": [ready]]]))

    // Aggregation and the bridge, as gra-operator local sets them up.
    let ca = try Certificates.makeCA(commonName: "front-proxy-ca")
    var proxySubject = Certificates.Subject(commonName: "front-proxy-client")
    proxySubject.clientAuth = true
    let proxy = try Certificates.make(proxySubject, issuer: ca)
    try await server.enableAggregation(
      AggregationOptions(
        proxyClientCertificatePEM: proxy.certificatePEM, proxyClientKeyPEM: proxy.privateKeyPEM,
        requestHeaderCAPEM: ca.certificatePEM,
        requestHeaderAllowedNames: ["front-proxy-client"], services: [:]))
    var bo = BridgeLauncher.Options()
    bo.host = "127.0.0.1"
    bo.port = 0
    bo.serviceNames = ["gra-bridge.gra-system.svc", "localhost"]
    let bridge = try await BridgeLauncher.start(
      client: admin, options: bo, metrics: MetricsRegistry(), events: nil, logger: logger)
    defer { Task { await bridge.stop() } }
    let apiservices = ResourceDescriptor(
      group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", kind: "APIService", namespaced: false)
    var apiservice: JSONValue = [
      "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": ["name": "v1alpha1.exec.gra.dev"],
    ]
    apiservice["spec"] = [
      "group": "exec.gra.dev", "version": "v1alpha1", "groupPriorityMinimum": 1000, "versionPriority": 15,
      "service": ["namespace": "gra-system", "name": "gra-bridge", "port": 443],
      "caBundle": .string(Data((bridge.caBundlePEM ?? "").utf8).base64EncodedString()),
    ]
    _ = try await server.store.create(apiservices, namespace: nil, object: apiservice)
    await server.mapAggregatedService("gra-system/gra-bridge:443", to: "127.0.0.1:\(bridge.server.port)")

    // The admin's token, through the API server (aggregated) and straight to the bridge.
    let token = await server.adminToken()
    var viaAPI = ClientConfiguration(server: server.tlsURL.absoluteString, credentials: .bearer(StaticToken(token)))
    viaAPI.tls.caPEM = Array(server.caCertificatePEM.utf8)
    viaAPI.requestTimeout = .seconds(600)
    let aggregated = try KubernetesClient(configuration: viaAPI, logger: logger)
    var direct = ClientConfiguration(
      server: "https://127.0.0.1:\(bridge.server.port)", credentials: .bearer(StaticToken(token)))
    direct.tls.caPEM = Array((bridge.caBundlePEM ?? "").utf8)
    direct.tls.serverName = "localhost"
    direct.requestTimeout = .seconds(600)
    let straight = try KubernetesClient(configuration: direct, logger: logger)
    defer {
      Task {
        try? await admin.shutdown()
        try? await aggregated.shutdown()
        try? await straight.shutdown()
      }
    }
    let path = "/apis/exec.gra.dev/v1alpha1/namespaces/default/runners/bench/exec"

    /// POSTs an exec and reads the answer to its end; the bytes of output and whether it exited 0.
    @Sendable func bridgeExec(_ client: KubernetesClient, _ command: [String]) async throws -> Int {
      let body = try KubeJSON.encode(JSONValue.object(["command": .array(command.map { .string($0) })]))
      let response = try await client.transport.stream(
        KubeRequest(method: "POST", path: path, body: Array(body), contentType: "application/json"),
        timeout: .seconds(600))
      var total = 0
      var tail: [UInt8] = []
      for try await chunk in response.body {
        total += chunk.readableBytes
        if chunk.readableBytes >= 64 {
          tail = Array(chunk.readableBytesView.suffix(64))
        } else {
          tail = Array((tail + chunk.readableBytesView).suffix(64))
        }
      }
      guard String(decoding: tail, as: UTF8.self).contains(#"{"exitCode":0,"type":"exit"}"#) else {
        throw BenchFailure("the exec did not exit 0: …\(String(decoding: tail, as: UTF8.self))")
      }
      return total
    }
    @Sendable func podExec(_ command: [String]) async throws -> Int {
      let count = ByteCount()
      let code = try await admin.exec(
        namespace: "default", pod: "bench", ExecOptions(command: command), stdout: { await count.add($0.count) },
        stderr: { _ in })
      guard code == 0 else { throw BenchFailure("pods/exec exited \(code)") }
      return await count.total
    }

    var rows: [(String, String)] = []
    let paths: [(String, @Sendable ([String]) async throws -> Int)] = [
      ("pods/exec (KubeClient, WebSocket)", { try await podExec($0) }),
      ("bridge, straight to its port", { try await bridgeExec(straight, $0) }),
      ("bridge through the API server (aggregated)", { try await bridgeExec(aggregated, $0) }),
    ]
    // Warm up connections and caches (TokenReview/SubjectAccessReview answers are cached 10 s).
    for (_, f) in paths { _ = try await f(["true"]) }
    for (name, f) in paths {
      var times: [Double] = []
      for _ in 0..<iterations {
        let start = ContinuousClock.now
        _ = try await f(["true"])
        times.append(Self.seconds(ContinuousClock.now - start) * 1000)
      }
      times.sort()
      let mean = times.reduce(0, +) / Double(times.count)
      rows.append(
        (
          "`true`, \(name)",
          String(
            format: "p50 %.1f ms, p95 %.1f ms, mean %.1f ms (n=%d)", times[times.count / 2],
            times[times.count * 95 / 100], mean, times.count)
        ))
    }
    let writer = "import sys\nb = b'x' * 65535 + b'\\n'\nfor i in range(\(megabytes * 16)): sys.stdout.buffer.write(b)"
    for (name, f) in paths {
      let start = ContinuousClock.now
      let bytes = try await f(["python3", "-c", writer])
      let s = Self.seconds(ContinuousClock.now - start)
      rows.append(
        (
          "\(megabytes) MiB stdout, \(name)",
          String(format: "%.2f s, %.0f MiB/s of output (%d bytes on the wire)", s, Double(megabytes) / s, bytes)
        ))
    }
    return rows
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }
}

struct BenchFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

actor ByteCount {
  var total = 0
  func add(_ n: Int) { total += n }
}
