import CRDModels
import Foundation
import TestSupport
import Testing

@testable import LocalCluster

/// A kubelet on an in-memory store, with a fresh data directory.
struct KubeletTestbed {
  let store = KubeletFakeStore()
  let dir: URL
  let kubelet: LocalKubelet

  /// `startGate`: see ``KubeletConfiguration/startGateForTests``.
  init(startGate: String? = nil) async throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubelet-\(UUID().uuidString.prefix(8))")
    var configuration = KubeletConfiguration(
      dataDirectory: dir, crashLoopInitialBackoff: .milliseconds(500), unschedulableRetryInterval: .seconds(1))
    configuration.startGateForTests = startGate
    kubelet = LocalKubelet(store: store, configuration: configuration)
    try await kubelet.start()
  }

  func stop() async {
    await kubelet.shutdown()
    try? FileManager.default.removeItem(at: dir)
  }

  @discardableResult
  func create(_ json: String) async throws -> JSONValue {
    try await create(KubeletResources.pods, json)
  }

  @discardableResult
  func create(_ resource: ResourceDescriptor, _ json: String) async throws -> JSONValue {
    try await store.create(
      resource, namespace: "default", object: KubeJSON.decode(JSONValue.self, from: Data(json.utf8)))
  }

  /// The pod once `condition` holds (waiting up to `seconds`), else its last state.
  func pod(_ name: String, within seconds: Int = 30, until condition: (JSONValue) -> Bool) async throws -> JSONValue {
    let end = Date().addingTimeInterval(Double(seconds))
    while Date() < end {
      let p = (try? await store.get(KubeletResources.pods, namespace: "default", name: name)) ?? .null
      if condition(p) { return p }
      try await Task.sleep(for: .milliseconds(50))
    }
    return (try? await store.get(KubeletResources.pods, namespace: "default", name: name)) ?? .null
  }

  /// Sets `spec.activeDeadlineSeconds` on a running pod (retrying conflicts with status writes).
  func setActiveDeadline(_ name: String, seconds: Int64) async throws {
    for _ in 0..<20 {
      var p = try await store.get(KubeletResources.pods, namespace: "default", name: name)
      p["spec"]["activeDeadlineSeconds"] = .int(seconds)
      do {
        _ = try await store.update(KubeletResources.pods, namespace: "default", object: p)
        return
      } catch let s as Status where s.code == 409 {
        continue
      }
    }
    Issue.record("could not set activeDeadlineSeconds on \(name)")
  }

  /// Waits (up to `seconds`) until container `container` of pod `pod` has written `text` to
  /// its log: the point where a test knows the container's command runs (a pod reported
  /// Running has started its container, not necessarily reached a given line of its script).
  func waitForLog(
    _ pod: String, _ container: String, contains text: String, within seconds: Int = 30
  ) async throws
    -> Bool
  {
    let end = Date().addingTimeInterval(Double(seconds))
    while Date() < end {
      if let out = try? await logs(pod, container), out.contains(text) { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  func phase(_ name: String, _ phases: Set<String>) async throws -> JSONValue {
    try await pod(name) { phases.contains($0["status"]["phase"].stringValue ?? "") }
  }

  func logs(_ pod: String, _ container: String, _ options: LogOptions = LogOptions()) async throws -> String {
    var out = ""
    for try await chunk in try await kubelet.logs(
      namespace: "default", pod: pod, container: container, options: options)
    {
      out += String(decoding: chunk, as: UTF8.self)
    }
    return out
  }
}

private let canRunPods = LocalKubelet.unsupportedReason == nil

@Suite("Kubelet runs pods", .enabled(if: canRunPods, "needs root and util-linux for pod sandboxes"))
struct KubeletPodTests {
  @Test func aPodRunsToCompletionWithItsExitCodeMessageVolumesAndEnv() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(KubeletResources.secrets, #"{"metadata":{"name":"s1"},"data":{"token":"c2VjcmV0"}}"#)
    try await bed.create(
      KubeletResources.claims,
      #"{"metadata":{"name":"ws"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"#
    )
    try await bed.create(
      #"""
      {"metadata":{"name":"job"},"spec":{"restartPolicy":"Never","securityContext":{"runAsUser":1000},
       "volumes":[{"name":"ws","persistentVolumeClaim":{"claimName":"ws"}},{"name":"sec","secret":{"secretName":"s1"}}],
       "containers":[{"name":"main","image":"python:3.11","workingDir":"/workspace",
         "command":["sh","-c","id -u; pwd; echo $TOKEN $POD; cat /etc/sec/token; echo; python -c 'print(6*7)'; echo data > /workspace/f; echo done >/dev/termination-log; exit 3"],
         "env":[{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"s1","key":"token"}}},
                {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
         "volumeMounts":[{"name":"ws","mountPath":"/workspace"},{"name":"sec","mountPath":"/etc/sec"}]}]}}
      """#)
    let pod = try await bed.phase("job", ["Succeeded", "Failed"])
    #expect(pod["status"]["phase"] == "Failed")
    let terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    #expect(terminated["exitCode"] == 3)
    #expect(terminated["reason"] == "Error")
    #expect(terminated["message"] == "done\n")
    #expect(pod["status"]["containerStatuses"][0]["containerID"].stringValue?.hasPrefix("local://") == true)
    #expect(try await bed.logs("job", "main") == "1000\n/workspace\nsecret job\nsecret\n42\n")
    let claimFile = bed.dir.appendingPathComponent("volumes/default/ws/f")
    #expect(try String(contentsOf: claimFile, encoding: .utf8) == "data\n")
    let claim = try await bed.store.get(KubeletResources.claims, namespace: "default", name: "ws")
    #expect(claim["status"]["phase"] == "Bound")
    let events = await bed.store.events(about: "job")
    #expect(events.contains("Scheduled: Successfully assigned default/job to local-node"))
    #expect(events.contains("Created: Created container: main"))
    #expect(events.contains("Started: Started container main"))
    #expect(events.contains { $0.hasPrefix("Pulled: Container image \"python:3.11\" already present on machine") })
  }

  @Test func aClaimOutlivesThePodThatWroteIt() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      KubeletResources.claims,
      #"{"metadata":{"name":"shared"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"#
    )
    for (name, script) in [("writer", "echo hello-from-writer > /data/note"), ("reader", "cat /data/note")] {
      try await bed.create(
        #"""
        {"metadata":{"name":"\#(name)"},"spec":{"restartPolicy":"Never",
         "volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"shared"}}],
         "containers":[{"name":"c","image":"busybox","command":["sh","-c","\#(script)"],"volumeMounts":[{"name":"d","mountPath":"/data"}]}]}}
        """#)
      let pod = try await bed.phase(name, ["Succeeded", "Failed"])
      #expect(pod["status"]["phase"] == "Succeeded")
      if name == "reader" {
        #expect(try await bed.logs("reader", "c") == "hello-from-writer\n")
      }
      try await bed.store.delete(KubeletResources.pods, namespace: "default", name: name, gracePeriodSeconds: nil)
      #expect(try await bed.pod(name) { $0.isNull }.isNull)
    }
  }

  @Test func execStreamsStdinOutputAndTheExitCode() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"""
      {"metadata":{"name":"srv"},"spec":{"volumes":[{"name":"w","emptyDir":{}}],
       "containers":[{"name":"main","image":"busybox","workingDir":"/w","command":["sh","-c","echo ready > /w/state; sleep 1000"],
       "volumeMounts":[{"name":"w","mountPath":"/w"}],
       "readinessProbe":{"exec":{"command":["cat","/w/state"]},"periodSeconds":1}}]}}
      """#)
    let pod = try await bed.pod("srv") { $0["status"]["containerStatuses"][0]["ready"] == true }
    #expect(pod["status"]["phase"] == "Running")
    #expect(pod["status"]["conditions"].arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")

    let (stdin, input) = AsyncStream<[UInt8]>.makeStream()
    input.yield(Array("line one\nline two\n".utf8))
    input.finish()
    let out = OutputCollector()
    let err = OutputCollector()
    let outcome = try await bed.kubelet.exec(
      namespace: "default", pod: "srv", container: "main",
      command: ["sh", "-c", "wc -l; cat state; pwd; hostname; echo oops >&2; exit 7"], tty: false,
      io: ExecIO(stdin: stdin, resize: nil, stdout: { out.append($0) }, stderr: { err.append($0) }))
    #expect(outcome == .exited(code: 7))
    #expect(out.text == "2\nready\n/w\nsrv\n")
    #expect(err.text == "oops\n")

    let (ttyIn, keys) = AsyncStream<[UInt8]>.makeStream()
    let (resize, sizes) = AsyncStream<TerminalSize>.makeStream()
    sizes.yield(TerminalSize(width: 100, height: 40))
    let screen = OutputCollector()
    Task {
      try await Task.sleep(for: .milliseconds(300))
      keys.yield(Array("stty size; exit 5\n".utf8))
    }
    let ttyOutcome = try await bed.kubelet.exec(
      namespace: "default", pod: "srv", container: "main", command: ["sh"], tty: true,
      io: ExecIO(stdin: ttyIn, resize: resize, stdout: { screen.append($0) }, stderr: { _ in }))
    #expect(ttyOutcome == .exited(code: 5))
    #expect(screen.text.contains("40 100\r\n"))

    let (big, bigInput) = AsyncStream<[UInt8]>.makeStream()
    bigInput.yield([UInt8](repeating: 120, count: 4 << 20))
    bigInput.finish()
    let unread = try await bed.kubelet.exec(
      namespace: "default", pod: "srv", container: "main", command: ["true"], tty: false,
      io: ExecIO(stdin: big, resize: nil, stdout: { _ in }, stderr: { _ in }))
    #expect(unread == .exited(code: 0))

    let missing = try await bed.kubelet.exec(
      namespace: "default", pod: "srv", container: "nope", command: ["true"], tty: false,
      io: ExecIO(stdin: nil, resize: nil, stdout: { _ in }, stderr: { _ in }))
    #expect(missing == .failed(message: #"container not found ("nope")"#))
  }

  @Test func deletionSendsSIGTERMThenRemovesThePod() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"""
      {"metadata":{"name":"graceful"},"spec":{"terminationGracePeriodSeconds":20,
       "containers":[{"name":"c","image":"busybox","command":["sh","-c","trap 'echo got TERM; exit 0' TERM; echo up; while true; do sleep 0.1; done"]}]}}
      """#)
    // "up" comes after the trap: a SIGTERM before it would end the shell without "got TERM".
    #expect(try await bed.waitForLog("graceful", "c", contains: "up\n"))
    var follow = LogOptions()
    follow.follow = true
    // The follow is open before the delete, as `kubectl logs -f` would be.
    let stream = try await bed.kubelet.logs(namespace: "default", pod: "graceful", container: "c", options: follow)
    let followed = Task {
      var out = ""
      for try await chunk in stream { out += String(decoding: chunk, as: UTF8.self) }
      return out
    }
    try await bed.store.delete(KubeletResources.pods, namespace: "default", name: "graceful", gracePeriodSeconds: nil)
    let gone = try await bed.pod("graceful") { $0.isNull }
    #expect(gone.isNull)
    #expect(try await followed.value == "up\ngot TERM\n")
    let events = await bed.store.events(about: "graceful")
    #expect(events.contains("Killing: Stopping container c"))
  }

  @Test func aForcedDeletionKillsAContainerThatIgnoresSIGTERM() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    // The marker is in the container's own command line (the shell running the script), so the
    // search below finds the container's process itself, not only the kubelet's wrappers.
    let marker = "stubborn-\(UUID().uuidString.prefix(8))"
    try await bed.create(
      #"""
      {"metadata":{"name":"stubborn"},"spec":{"terminationGracePeriodSeconds":300,
       "containers":[{"name":"c","image":"busybox","command":["sh","-c","trap '' TERM; echo ignoring TERM; while true; do sleep 0.1; done # MARKER"]}]}}
      """#.replacingOccurrences(of: "MARKER", with: marker))
    // Running means the container was started, not that its shell has run `trap` yet: a SIGTERM
    // before that ends the container within its grace period and the test would prove nothing.
    #expect(try await bed.waitForLog("stubborn", "c", contains: "ignoring TERM\n"))
    #expect(!Self.processes(mentioning: marker).isEmpty, "running")
    try await bed.store.delete(KubeletResources.pods, namespace: "default", name: "stubborn", gracePeriodSeconds: nil)
    try await Task.sleep(for: .milliseconds(500))
    #expect(!Self.processes(mentioning: marker).isEmpty, "still in its grace period")
    let graceful = try await bed.store.get(KubeletResources.pods, namespace: "default", name: "stubborn")
    #expect(graceful["metadata"]["deletionTimestamp"] != .null)
    try await bed.store.delete(KubeletResources.pods, namespace: "default", name: "stubborn", gracePeriodSeconds: 0)
    var left = Self.processes(mentioning: marker)
    for _ in 0..<100 where !left.isEmpty {
      try await Task.sleep(for: .milliseconds(50))
      left = Self.processes(mentioning: marker)
    }
    #expect(left.isEmpty)
  }

  @Test func aCrashingContainerBacksOffAndKeepsItsPreviousLog() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"""
      {"metadata":{"name":"crash"},"spec":{"containers":[{"name":"c","image":"debian:12",
       "command":["sh","-c","echo attempt; exit 2"],"terminationMessagePolicy":"FallbackToLogsOnError"}]}}
      """#)
    let pod = try await bed.pod("crash") {
      ($0["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0) >= 2
        && $0["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    }
    let status = pod["status"]["containerStatuses"][0]
    #expect(pod["status"]["phase"] == "Running")
    #expect(status["state"]["waiting"]["reason"] == "CrashLoopBackOff")
    #expect(status["lastState"]["terminated"]["exitCode"] == 2)
    #expect(status["lastState"]["terminated"]["message"] == "attempt\n")
    var previous = LogOptions()
    previous.previous = true
    #expect(try await bed.logs("crash", "c", previous) == "attempt\n")
    let events = await bed.store.events(about: "crash")
    #expect(events.contains { $0.hasPrefix("BackOff: Back-off restarting failed container c in pod crash_default(") })
  }

  @Test func podsThatCannotRunSayWhy() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"{"metadata":{"name":"gpu"},"spec":{"containers":[{"name":"c","image":"python:3","resources":{"limits":{"nvidia.com/gpu":"1"}}}]}}"#
    )
    try await bed.create(#"{"metadata":{"name":"nginx"},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}}"#)
    let gpu = try await bed.pod("gpu") { $0["status"]["conditions"][0]["reason"] == "Unschedulable" }
    let message =
      "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    let scheduled = gpu["status"]["conditions"].arrayValue?.first { $0["type"] == "PodScheduled" }
    #expect(scheduled?["status"] == "False")
    #expect(scheduled?["message"] == .string(message))
    #expect(gpu["spec"]["nodeName"] == .null)
    #expect(await bed.store.events(about: "gpu").contains("FailedScheduling: \(message)"))

    let nginx = try await bed.pod("nginx") {
      $0["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ImagePullBackOff"
    }
    #expect(nginx["status"]["phase"] == "Pending")
    #expect(
      nginx["status"]["containerStatuses"][0]["state"]["waiting"]["message"] == "Back-off pulling image \"nginx:1.25\"")
    let events = await bed.store.events(about: "nginx")
    #expect(events.contains("Failed: \(LocalImage.unsupportedMessage("nginx:1.25"))"))
    #expect(events.contains("Failed: Error: ErrImagePull"))
    #expect(events.contains("Failed: Error: ImagePullBackOff"))
  }

  /// The deadline is set only once the main container runs: a deadline fixed at creation
  /// counts from the pod's start, so on a loaded machine it could expire before the init
  /// container ran (the pod then fails with the init container never started, as kube's would).
  @Test func initContainersRunFirstAndTheDeadlineStopsThePod() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(
      #"""
      {"metadata":{"name":"dl"},"spec":{"restartPolicy":"Never",
       "initContainers":[{"name":"i1","image":"busybox","command":["sh","-c","echo from-init > /work/x"],"volumeMounts":[{"name":"w","mountPath":"/work"}]}],
       "containers":[{"name":"c","image":"busybox","command":["sh","-c","cat /work/x; exec sleep 100"],"volumeMounts":[{"name":"w","mountPath":"/work"}]}],
       "volumes":[{"name":"w","emptyDir":{}}]}}
      """#)
    _ = try await bed.pod("dl", within: 60) { !$0["status"]["containerStatuses"][0]["state"]["running"].isNull }
    try await bed.setActiveDeadline("dl", seconds: 1)
    let pod = try await bed.phase("dl", ["Failed", "Succeeded"])
    #expect(pod["status"]["phase"] == "Failed")
    #expect(pod["status"]["reason"] == "DeadlineExceeded")
    #expect(pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed")
    #expect(pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 143)
    #expect(try await bed.logs("dl", "c") == "from-init\n")
  }

  @Test func theRunnerImageRunsItsEntrypointWithSSHAndHealthCheck() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    let keyDir = bed.dir.appendingPathComponent("key")
    try FileManager.default.createDirectory(at: keyDir, withIntermediateDirectories: true)
    _ = try await runProcess(
      "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyDir.appendingPathComponent("id").path])
    let publicKey = try String(contentsOf: keyDir.appendingPathComponent("id.pub"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let port = Int.random(in: 20_000...40_000)
    try await bed.create(
      #"""
      {"metadata":{"name":"runner"},"spec":{
       "volumes":[{"name":"ws","emptyDir":{}}],
       "containers":[{"name":"runner","image":"ghcr.io/gra-dev/gra-runner:dev",
         "env":[{"name":"GRA_AUTHORIZED_KEYS","value":"\#(publicKey)"},{"name":"GRA_SSH_PORT","value":"\#(port)"}],
         "volumeMounts":[{"name":"ws","mountPath":"/workspace"}],
         "readinessProbe":{"exec":{"command":["healthcheck"]},"periodSeconds":1,"timeoutSeconds":5},
         "livenessProbe":{"tcpSocket":{"port":\#(port)},"periodSeconds":1,"initialDelaySeconds":2,"failureThreshold":30}}]}}
      """#)
    let pod = try await bed.pod("runner", within: 60) { $0["status"]["containerStatuses"][0]["ready"] == true }
    let events = await bed.store.events(about: "runner")
    #expect(pod["status"]["containerStatuses"][0]["ready"] == true, "\(events)")
    let out = OutputCollector()
    let outcome = try await bed.kubelet.exec(
      namespace: "default", pod: "runner", container: "runner",
      command: ["sh", "-c", "id -u; pwd; echo $HOME; python -c 'print(6*7)'"], tty: false,
      io: ExecIO(stdin: nil, resize: nil, stdout: { out.append($0) }, stderr: { out.append($0) }))
    #expect(outcome == .exited(code: 0))
    #expect(out.text == "1000\n/workspace\n/home/runner\n42\n")
    try await Task.sleep(for: .seconds(3))
    let later = try await bed.store.get(KubeletResources.pods, namespace: "default", name: "runner")
    #expect(later["status"]["containerStatuses"][0]["restartCount"] == 0)
  }

  @Test func probesDriveReadinessAndRestarts() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    let port = Int.random(in: 20_000...40_000)
    try await bed.create(
      #"""
      {"metadata":{"name":"web"},"spec":{"terminationGracePeriodSeconds":2,"containers":[{"name":"c","image":"python:3.11",
       "command":["python","-m","http.server","\#(port)","--bind","127.0.0.1","--directory","/tmp"],
       "readinessProbe":{"httpGet":{"path":"/ready","port":\#(port)},"periodSeconds":1},
       "livenessProbe":{"exec":{"command":["sh","-c","test ! -e /tmp/die"]},"periodSeconds":1,"failureThreshold":1}}]}}
      """#)
    let up = try await bed.pod("web") { $0["status"]["containerStatuses"][0]["started"] == true }
    #expect(up["status"]["containerStatuses"][0]["ready"] == false)
    let exec = { (script: String) in
      _ = try await bed.kubelet.exec(
        namespace: "default", pod: "web", container: "c", command: ["sh", "-c", script], tty: false,
        io: ExecIO(stdin: nil, resize: nil, stdout: { _ in }, stderr: { _ in }))
    }
    for _ in 0..<300 where !(await bed.store.events(about: "web")).contains(where: { $0.contains("statuscode: 404") }) {
      try await Task.sleep(for: .milliseconds(50))
    }
    try await exec("touch /tmp/ready")
    let ready = try await bed.pod("web") { $0["status"]["containerStatuses"][0]["ready"] == true }
    #expect(ready["status"]["conditions"].arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")

    let forward = try #require(try await bed.kubelet.portForward(namespace: "default", pod: "web", port: port))
    try await forward.send(Array("GET /ready HTTP/1.0\r\n\r\n".utf8))
    var answer: [UInt8] = []
    for await chunk in forward.incoming { answer += chunk }
    await forward.close()
    #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.0 200"))
    #expect(try await bed.kubelet.portForward(namespace: "default", pod: "web", port: port + 1) == nil)
    try await exec("touch /tmp/die")
    let restarted = try await bed.pod("web") {
      ($0["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0) >= 1
    }
    #expect(restarted["status"]["containerStatuses"][0]["restartCount"].intValue ?? 0 >= 1)
    let events = await bed.store.events(about: "web")
    #expect(
      events.contains { $0.hasPrefix("Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404") })
    #expect(events.contains { $0.hasPrefix("Unhealthy: Liveness probe failed:") })
    #expect(events.contains("Killing: Container c failed liveness probe, will be restarted"))
  }

  @Test func shutdownLeavesNoProcessBehind() async throws {
    let bed = try await KubeletTestbed()
    // A sleep length of its own: every process of the container (the shell and its three
    // sleeps, one in a session of its own) carries it in its command line.
    let seconds = "1000.\(Int.random(in: 100_000...999_999))"
    try await bed.create(
      #"{"metadata":{"name":"bg"},"spec":{"containers":[{"name":"c","image":"busybox","command":["sh","-c","sleep S & sleep S & setsid sleep S & echo started; wait"]}]}}"#
        .replacingOccurrences(of: "sleep S", with: "sleep \(seconds)"))
    #expect(try await bed.waitForLog("bg", "c", contains: "started\n"))
    let out = OutputCollector()
    _ = try await bed.kubelet.exec(
      namespace: "default", pod: "bg", container: "c", command: ["sh", "-c", "ls /proc | grep -c '^[0-9]'"], tty: false,
      io: ExecIO(stdin: nil, resize: nil, stdout: { out.append($0) }, stderr: { _ in }))
    #expect(Int(out.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 5)
    #expect(Self.processes(mentioning: seconds).count >= 4, "the shell and its sleeps run")
    let marker = bed.dir.path
    await bed.stop()
    var left = Self.processes(mentioning: marker) + Self.processes(mentioning: seconds)
    for _ in 0..<100 where !left.isEmpty {
      try await Task.sleep(for: .milliseconds(50))
      left = Self.processes(mentioning: marker) + Self.processes(mentioning: seconds)
    }
    #expect(left.isEmpty)
  }

  /// Host pids whose command line mentions `text` (the kubelet's nsenter/unshare processes
  /// carry the data directory in their arguments).
  static func processes(mentioning text: String) -> [String] {
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
    return pids.filter { pid in
      guard let cmd = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
      return String(decoding: cmd, as: UTF8.self).contains(text)
    }
  }
}
