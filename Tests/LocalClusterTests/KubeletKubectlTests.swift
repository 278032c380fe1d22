import CRDModels
import Foundation
import Testing

@testable import LocalCluster

#if canImport(Glibc)
  import Glibc
#endif

/// The local API server with the local kubelet attached, driven by the real kubectl.
private struct ClusterWithKubelet {
  let cluster: TestCluster
  let kubelet: LocalKubelet

  /// `startGate`: see ``KubeletConfiguration/startGateForTests``.
  static func start(startGate: String? = nil) async throws -> ClusterWithKubelet {
    let cluster = try await TestCluster.start()
    var configuration = KubeletConfiguration(
      dataDirectory: cluster.dir.appendingPathComponent("kubelet"), crashLoopInitialBackoff: .milliseconds(500))
    configuration.startGateForTests = startGate
    let kubelet = LocalKubelet(store: cluster.server.store, configuration: configuration)
    try await kubelet.start()
    cluster.server.attach(nodeAgent: kubelet)
    return ClusterWithKubelet(cluster: cluster, kubelet: kubelet)
  }

  func stop() async {
    await kubelet.shutdown()
    await cluster.stop()
  }

  /// Runs kubectl with a request timeout, so a stuck request fails the test instead of hanging it.
  func kubectl(_ args: String..., stdin: String? = nil) async throws -> TestCluster.KubectlResult {
    try await cluster.kubectl(["--request-timeout=60s"] + args, stdin: stdin)
  }

  func apply(_ yaml: String) async throws {
    let r = try await cluster.kubectl(["--request-timeout=60s", "apply", "-f", "-"], stdin: yaml)
    #expect(r.code == 0, "kubectl apply: \(r.err)")
  }

  func waitFor(_ pod: String, phase: String) async throws -> TestCluster.KubectlResult {
    try await cluster.kubectl([
      "--request-timeout=90s", "wait", "--for=jsonpath={.status.phase}=\(phase)", "pod/\(pod)", "--timeout=60s",
    ])
  }

  func jsonpath(_ pod: String, _ path: String) async throws -> String {
    try await cluster.kubectl(["get", "pod", pod, "-o", "jsonpath={\(path)}"]).out
  }
}

private let canRun = TestCluster.hasKubectl && LocalKubelet.unsupportedReason == nil

@Suite("Kubelet with the local API server and kubectl", .enabled(if: canRun, "needs kubectl, root and util-linux"))
struct KubeletKubectlTests {
  @Test func aPodRunsThenFailsWithItsExitCode() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    try await c.apply(
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: once}
      spec:
        restartPolicy: Never
        containers:
        - name: main
          image: python:3.11
          command: [python3, -c, "import sys, time; print('hello from python', flush=True); time.sleep(2); sys.exit(3)"]
      """)
    let running = try await c.waitFor("once", phase: "Running")
    #expect(running.code == 0, "\(running.err)")
    let failed = try await c.waitFor("once", phase: "Failed")
    #expect(failed.code == 0, "\(failed.err)")
    #expect(try await c.jsonpath("once", ".status.containerStatuses[0].state.terminated.exitCode") == "3")
    #expect(try await c.jsonpath("once", ".status.containerStatuses[0].state.terminated.reason") == "Error")
    #expect(try await c.jsonpath("once", ".spec.nodeName") == "local-node")
    let logs = try await c.kubectl("logs", "once")
    #expect(logs.out == "hello from python\n")
    let table = try await c.kubectl("get", "pod", "once")
    #expect(table.out.contains("Error"), "\(table.out)")
    let node = try await c.kubectl(
      "get", "node", "local-node", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
    #expect(node.out == "True")
  }

  @Test func kubectlRunSucceeds() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    let run = try await c.kubectl(
      "run", "hello", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo hi from $HOSTNAME")
    #expect(run.code == 0, "\(run.err)")
    #expect(try await c.waitFor("hello", phase: "Succeeded").code == 0)
    #expect(try await c.kubectl("logs", "hello").out == "hi from hello\n")
    #expect(try await c.jsonpath("hello", ".status.containerStatuses[0].state.terminated.reason") == "Completed")
  }

  @Test(.timeLimit(.minutes(1))) func execIntoAContainerStillInSetupIsRefused() async throws {
    let gate = try KubeletStartupTests.gate()
    defer { unlink(gate) }
    let c = try await ClusterWithKubelet.start(startGate: gate)
    defer { Task { await c.stop() } }
    try await c.apply(
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: held}
      spec:
        containers:
        - {name: main, image: busybox, command: [sleep, "600"]}
      """)
    let waiting = try await KubeletStartupTests.waitAtGate(gate)
    let refused = try await c.kubectl("exec", "held", "--", "cat", "/etc/hostname")
    #expect(refused.code != 0)
    #expect(refused.out.isEmpty, "ran outside the container: \(refused.out)")
    // Refused before the upgrade, as a kubelet refuses it.
    #expect(refused.err.contains(#"Error from server (InternalError): container not found ("main")"#), "\(refused.err)")
    #expect(try await c.jsonpath("held", ".status.containerStatuses[0].state.waiting.reason") == "ContainerCreating")
    await KubeletStartupTests.release(waiting)
    #expect(try await c.waitFor("held", phase: "Running").code == 0)
    let ran = try await c.kubectl("exec", "held", "--", "cat", "/etc/hostname")
    #expect(ran.code == 0, "\(ran.err)")
    #expect(ran.out == "held\n")
    // kubectl retries a refused WebSocket exec over SPDY; that request is refused and answered
    // too (it used to go unanswered, and kubectl waited forever).
    let wrong = try await c.kubectl("exec", "held", "-c", "nope", "--", "true")
    #expect(wrong.code == 1)
    #expect(
      wrong.err.contains("Error from server (BadRequest): container nope is not valid for pod held"), "\(wrong.err)")
  }

  @Test func execWithStdinReturnsTheExitCode() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    try await c.apply(
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: box}
      spec:
        containers:
        - name: main
          image: busybox
          command: [sleep, "1000"]
      """)
    #expect(try await c.waitFor("box", phase: "Running").code == 0)
    let ok = try await c.kubectl(
      "exec", "-i", "box", "--", "sh", "-c", "tr a-z A-Z; echo to-stderr >&2", stdin: "hello kubelet\n")
    #expect(ok.code == 0, "\(ok.err)")
    #expect(ok.out == "HELLO KUBELET\n")
    #expect(ok.err.contains("to-stderr"))
    let failing = try await c.kubectl("exec", "-i", "box", "--", "sh", "-c", "cat >/dev/null; exit 4", stdin: "x")
    #expect(failing.code == 4, "\(failing.err)")
  }

  @Test func logsFollowUntilTheContainerEnds() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    try await c.apply(
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: counter}
      spec:
        restartPolicy: Never
        containers:
        - name: main
          image: busybox
          command: [sh, -c, "for i in 1 2 3 4 5; do echo line $i; sleep 0.4; done"]
      """)
    #expect(try await c.waitFor("counter", phase: "Running").code == 0)
    let followed = try await c.kubectl("logs", "-f", "counter")
    #expect(followed.code == 0, "\(followed.err)")
    #expect(followed.out == "line 1\nline 2\nline 3\nline 4\nline 5\n")
    let tail = try await c.kubectl("logs", "--tail=2", "counter")
    #expect(tail.out == "line 4\nline 5\n")
  }

  @Test func aClaimKeepsFilesFromOnePodForTheNext() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    let pod = { (name: String, script: String) in
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: \(name)}
      spec:
        restartPolicy: Never
        securityContext: {runAsUser: 1000}
        volumes:
        - name: ws
          persistentVolumeClaim: {claimName: workspace}
        containers:
        - name: main
          image: ghcr.io/gra-dev/gra-runner:dev
          command: [sh, -c, "\(script)"]
          volumeMounts:
          - {name: ws, mountPath: /workspace}
      """
    }
    try await c.apply(
      """
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: workspace}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
      """)
    try await c.apply(pod("writer", "echo kept > /workspace/result.txt"))
    #expect(try await c.waitFor("writer", phase: "Succeeded").code == 0)
    let deleted = try await c.kubectl("delete", "pod", "writer", "--timeout=60s")
    #expect(deleted.code == 0, "\(deleted.err)")
    try await c.apply(pod("reader", "cat /workspace/result.txt; id -u"))
    #expect(try await c.waitFor("reader", phase: "Succeeded").code == 0)
    #expect(try await c.kubectl("logs", "reader").out == "kept\n1000\n")
    let claim = try await c.kubectl("get", "pvc", "workspace", "-o", "jsonpath={.status.phase}")
    #expect(claim.out == "Bound")
  }

  @Test func deletionIsGraceful() async throws {
    let c = try await ClusterWithKubelet.start()
    defer { Task { await c.stop() } }
    try await c.apply(
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: graceful}
      spec:
        terminationGracePeriodSeconds: 30
        containers:
        - name: main
          image: busybox
          command: [sh, -c, "trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.1; done"]
      """)
    #expect(try await c.waitFor("graceful", phase: "Running").code == 0)
    let deleted = try await c.kubectl("delete", "pod", "graceful", "--timeout=60s")
    #expect(deleted.code == 0, "\(deleted.err)")
    let gone = try await c.kubectl("get", "pod", "graceful")
    #expect(gone.code != 0)
    #expect(gone.err.contains("NotFound") || gone.err.contains("not found"))
    let events = try await c.kubectl(
      "get", "events", "--field-selector", "involvedObject.name=graceful", "-o", "jsonpath={.items[*].reason}")
    #expect(events.out.contains("Killing"), "\(events.out)")
  }
}
