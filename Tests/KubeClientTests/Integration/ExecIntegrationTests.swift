import CRDModels
import Foundation
import LocalCluster
import Testing

@testable import KubeClient

private let kubeletCanRun = LocalKubelet.unsupportedReason == nil

/// pods/exec and pods/log through the local API server and kubelet.
@Suite("Exec and logs against the local kubelet", .enabled(if: kubeletCanRun, "the local kubelet cannot run here"))
struct ExecIntegrationTests {
  static func withPod(
    _ name: String, command: [String], _ body: (LocalClusterFixture, Api<DynamicObject>) async throws -> Void
  ) async throws {
    try await withLocalCluster { c in
      let kubelet = LocalKubelet(
        store: c.server.store,
        configuration: KubeletConfiguration(dataDirectory: URL(fileURLWithPath: c.dir.path + "/kubelet")))
      try await kubelet.start()
      c.server.attach(nodeAgent: kubelet)
      do {
        let pods = c.client.dynamic(
          ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true),
          namespace: "default")
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
        pod["metadata"] = ["name": .string(name)]
        var container: JSONValue = ["name": "main", "image": "busybox"]
        container["command"] = .array(command.map { .string($0) })
        pod["spec"] = ["restartPolicy": "Never", "containers": [container]]
        _ = try await pods.create(pod)
        try await body(c, pods)
      } catch {
        await kubelet.shutdown()
        throw error
      }
      await kubelet.shutdown()
    }
  }

  static func waitForPhase(_ pods: Api<DynamicObject>, _ name: String, _ phases: Set<String>) async throws {
    for _ in 0..<300 {
      if let p = try await pods.get(name)["status"]["phase"].stringValue, phases.contains(p) { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("pod \(name) never reached \(phases)")
  }

  @Test func execReturnsOutputAndExitCode() async throws {
    try await Self.withPod("exec", command: ["sleep", "1000"]) { c, pods in
      try await Self.waitForPhase(pods, "exec", ["Running"])
      let ok = try await c.client.execCollect(
        pod: "exec", ExecOptions(command: ["sh", "-c", "echo out; echo err >&2"], container: "main"))
      #expect(ok.exitCode == 0)
      #expect(ok.stdoutText == "out\n")
      #expect(ok.stderrText == "err\n")
      let seven = try await c.client.execCollect(
        pod: "exec", ExecOptions(command: ["sh", "-c", "exit 7"], container: "main"))
      #expect(seven.exitCode == 7)
    }
  }

  @Test func execStdinIsClosedOnV5() async throws {
    try await Self.withPod("stdin", command: ["sleep", "1000"]) { c, pods in
      try await Self.waitForPhase(pods, "stdin", ["Running"])
      let (input, feed) = AsyncStream<[UInt8]>.makeStream()
      feed.yield(Array("hello\n".utf8))
      feed.yield(Array("world\n".utf8))
      feed.finish()
      let out = ByteCollector()
      let code = try await c.client.exec(
        pod: "stdin", ExecOptions(command: ["sh", "-c", "wc -l; exit 3"], container: "main"), stdin: input,
        stdout: { await out.append($0) })
      #expect(code == 3)
      #expect(String(decoding: await out.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }
  }

  @Test func execInAMissingPodIsNotFound() async throws {
    _ = try await withLocalCluster { c in
      await #expect {
        _ = try await c.client.execCollect(pod: "nope", ExecOptions(command: ["true"]))
      } throws: { e in
        guard let k = e as? KubeError else { return false }
        return k.isNotFound && k.message == #"pods "nope" not found"#
      }
    }
  }

  @Test func logsFollowUntilTheContainerEnds() async throws {
    try await Self.withPod("logs", command: ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.2; done"]) {
      c, pods in
      try await Self.waitForPhase(pods, "logs", ["Running", "Succeeded"])
      var lines: [String] = []
      for try await line in c.client.logLines(pod: "logs", LogOptions(container: "main", follow: true)) {
        lines.append(line)
      }
      #expect(lines == ["line 1", "line 2", "line 3"])
      try await Self.waitForPhase(pods, "logs", ["Succeeded"])
      let tail = try await c.client.logText(pod: "logs", LogOptions(container: "main", tailLines: 1))
      #expect(tail == "line 3\n")
    }
  }
}
