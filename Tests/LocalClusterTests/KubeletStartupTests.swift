import CRDModels
import Foundation
import Testing

@testable import LocalCluster

#if canImport(Glibc)
  import Glibc
#endif

/// When a container counts as started: only once its wrapper has set up its mounts and root
/// and executed its command. Before that no status says running, no exec runs (it would run
/// outside the container's root) and no signal reaches the wrapper.
@Suite(
  "Kubelet starts containers before reporting them running",
  .enabled(if: LocalKubelet.unsupportedReason == nil, "needs root and util-linux for pod sandboxes"))
struct KubeletStartupTests {
  /// A pod whose container has `mounts` emptyDir volumes (each one is a step of its wrapper).
  static func pod(
    _ name: String, mounts: Int = 0, command: [String] = ["sleep", "600"], extra: String = ""
  )
    -> String
  {
    let volumes = (0..<mounts).map { #"{"name":"v\#($0)","emptyDir":{}}"# }.joined(separator: ",")
    let volumeMounts = (0..<mounts).map { #"{"name":"v\#($0)","mountPath":"/v/\#($0)"}"# }.joined(separator: ",")
    let argv = command.map { "\"\($0)\"" }.joined(separator: ",")
    return #"""
      {"metadata":{"name":"\#(name)"},"spec":{\#(extra)"volumes":[\#(volumes)],
       "containers":[{"name":"c","image":"busybox","command":[\#(argv)],"volumeMounts":[\#(volumeMounts)]}]}}
      """#
  }

  /// The first version of pod `name` (from a watch opened before it was created) for which
  /// `condition` holds, seen as soon as the kubelet writes it.
  static func first(
    _ events: AsyncStream<StoreEvent>, _ name: String, within seconds: Int = 30,
    where condition: @escaping @Sendable (JSONValue) -> Bool
  ) async -> JSONValue? {
    await withTaskGroup(of: JSONValue?.self) { g in
      g.addTask {
        for await e in events where e.object["metadata"]["name"].stringValue == name && condition(e.object) {
          return e.object
        }
        return nil
      }
      g.addTask {
        try? await Task.sleep(for: .seconds(seconds))
        return nil
      }
      let found = await g.next() ?? nil
      g.cancelAll()
      return found
    }
  }

  static func isRunning(_ pod: JSONValue) -> Bool {
    !pod["status"]["containerStatuses"][0]["state"]["running"].isNull
  }

  static func exec(_ bed: KubeletTestbed, _ pod: String, _ command: [String]) async throws -> (ExecOutcome, String) {
    let out = OutputCollector()
    let outcome = try await bed.kubelet.exec(
      namespace: "default", pod: pod, container: "c", command: command, tty: false,
      io: ExecIO(stdin: nil, resize: nil, stdout: { out.append($0) }, stderr: { out.append($0) }))
    return (outcome, out.text)
  }

  static func rootOf(_ pid: pid_t) -> String? {
    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")
  }

  @Test func whenStatusSaysRunningTheCommandRunsInTheContainersRoot() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    for n in 0..<3 {
      let name = "starting-\(n)"
      let events = try await bed.store.watch(KubeletResources.pods, namespace: "default", resourceVersion: nil)
      try await bed.create(Self.pod(name, mounts: 20))
      let running = await Self.first(events, name, where: Self.isRunning)
      try #require(running != nil, "\(name) never ran")
      // Checked at once: a container reported running before its wrapper has entered its root
      // would still be the wrapper here, in the host's root.
      let worker = try #require(await bed.kubelet.state.worker(namespace: "default", name: name))
      let pid = try #require(await worker.running["c"]?.mainPid, "running without a main process")
      let argv = (ChildProcess.commandLine(of: pid) ?? []).map { String($0.prefix(40)) }
      let st =
        (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))?.split(separator: "\n").prefix(8).joined(
          separator: " | ") ?? "gone"
      #expect(argv == ["sleep", "600"], "the main process is not the container's command: \(st)")
      let rootfs = await worker.layout.rootfs.resolvingSymlinksInPath().path
      #expect(Self.rootOf(pid) == rootfs)
      let (hostname, text) = try await Self.exec(bed, name, ["cat", "/etc/hostname"])
      #expect(hostname == .exited(code: 0))
      #expect(text == "\(name)\n", "exec ran outside the container's root")
      #expect(try await Self.exec(bed, name, ["test", "-d", "/v/19"]).0 == .exited(code: 0))
      try await bed.store.delete(KubeletResources.pods, namespace: "default", name: name, gracePeriodSeconds: 0)
    }
  }

  /// Holds every container of `bed` in setup until ``release(_:)``.
  static func gate() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString.prefix(8))").path
    guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    return path
  }

  /// Waits until a container's wrapper has set up its mounts and waits at the gate; returns
  /// the gate's write end, held open so that the wrapper keeps waiting until ``release(_:)``.
  static func waitAtGate(_ gate: String) async throws -> Int32 {
    let end = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < end {
      let fd = open(gate, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
      if fd >= 0 { return fd }
      try await Task.sleep(for: .milliseconds(10))
    }
    throw Status(message: "no container came to the start gate", reason: "Timeout", code: 504)
  }

  /// Lets the wrapper go on (on a thread where a wrapper gone meanwhile is EPIPE, not SIGPIPE).
  static func release(_ fd: Int32) async {
    await FD.blocking {
      FD.writeAll(fd, [10])
      close(fd)
    }
  }

  @Test func aContainerStillInSetupIsNotRunningAndRefusesExec() async throws {
    let gate = try Self.gate()
    defer { unlink(gate) }
    let bed = try await KubeletTestbed(startGate: gate)
    defer { Task { await bed.stop() } }
    try await bed.create(Self.pod("held", mounts: 2))
    let waiting = try await Self.waitAtGate(gate)
    let worker = try #require(await bed.kubelet.state.worker(namespace: "default", name: "held"))

    #expect(await worker.running["c"] != nil, "created")
    let (refused, output) = try await Self.exec(bed, "held", ["cat", "/etc/hostname"])
    #expect(refused == .failed(message: #"container not found ("c")"#))
    #expect(output.isEmpty)
    #expect(await worker.running["c"]?.mainPid == nil, "still in setup")
    let pod = try await bed.store.get(KubeletResources.pods, namespace: "default", name: "held")
    #expect(pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating")
    #expect(pod["status"]["containerStatuses"][0]["started"] == false)
    let events = await bed.store.events(about: "held")
    #expect(!events.contains { $0.hasPrefix("Started:") })

    await Self.release(waiting)
    let running = try await bed.pod("held", until: Self.isRunning)
    #expect(running["status"]["phase"] == "Running")
    let (ran, text) = try await Self.exec(bed, "held", ["cat", "/etc/hostname"])
    #expect(ran == .exited(code: 0))
    #expect(text == "held\n")
    #expect(await bed.store.events(about: "held").contains("Started: Started container c"))
  }

  @Test func aGracefulStopWhileStartingSignalsTheCommandOnceItRuns() async throws {
    let gate = try Self.gate()
    defer { unlink(gate) }
    let bed = try await KubeletTestbed(startGate: gate)
    defer { Task { await bed.stop() } }
    let events = try await bed.store.watch(KubeletResources.pods, namespace: "default", resourceVersion: nil)
    try await bed.create(Self.pod("stopping", extra: #""terminationGracePeriodSeconds":60,"#))
    let waiting = try await Self.waitAtGate(gate)
    try await bed.store.delete(KubeletResources.pods, namespace: "default", name: "stopping", gracePeriodSeconds: nil)
    // The kubelet has taken the deletion in (Killing) while the wrapper still waits at the gate.
    let end = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < end, !(await bed.store.events(about: "stopping").contains { $0.hasPrefix("Killing:") })
    {
      try await Task.sleep(for: .milliseconds(10))
    }
    await Self.release(waiting)
    // SIGTERM reaches `sleep` once it runs: the pod goes well within its 60 s grace period, and
    // the container ran (not a wrapper killed in setup, which would be a StartError).
    let terminated = await Self.first(events, "stopping", within: 40) {
      !$0["status"]["containerStatuses"][0]["state"]["terminated"].isNull
    }
    let state = try #require(terminated)["status"]["containerStatuses"][0]["state"]["terminated"]
    #expect(state["reason"] == "Error")
    #expect(state["exitCode"] == 143)
    let gone = try await bed.pod("stopping", within: 40) { $0 == .null }
    #expect(gone == .null)
    #expect(await bed.store.events(about: "stopping").contains("Started: Started container c"))
  }

  @Test func aCommandThatCannotBeExecutedIsAStartError() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    try await bed.create(Self.pod("missing", command: ["no-such-command", "x"], extra: #""restartPolicy":"Never","#))
    let pod = try await bed.phase("missing", ["Succeeded", "Failed"])
    #expect(pod["status"]["phase"] == "Failed")
    let state = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    #expect(state["reason"] == "StartError")
    #expect(state["exitCode"] == 128)
    #expect(state["startedAt"] == "1970-01-01T00:00:00Z", "containerd's zero start time for a container never started")
    #expect(state["finishedAt"].stringValue?.hasPrefix("20") == true)
    #expect(
      state["message"]
        == #"unable to start container process: exec: "no-such-command": executable file not found in $PATH"#)
    let events = await bed.store.events(about: "missing")
    #expect(!events.contains { $0.hasPrefix("Started:") })
    #expect(
      events.contains(
        #"Failed: Error: unable to start container process: exec: "no-such-command": executable file not found in $PATH"#
      ))
  }
}

/// `GRA_BENCH=1 swift test --skip-build --filter KubeletStartupBenchmarks`: how long from a
/// pod's creation to its `Running` status (the container's command executed in its root).
@Suite(
  "Kubelet startup benchmarks",
  .enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] == "1" && LocalKubelet.unsupportedReason == nil))
struct KubeletStartupBenchmarks {
  @Test func createdToRunning() async throws {
    let bed = try await KubeletTestbed()
    defer { Task { await bed.stop() } }
    var times: [Double] = []
    for n in 0..<21 {
      let name = "bench-\(n)"
      let events = try await bed.store.watch(KubeletResources.pods, namespace: "default", resourceVersion: nil)
      let start = ContinuousClock.now
      try await bed.create(KubeletStartupTests.pod(name, mounts: 2))
      _ = try #require(await KubeletStartupTests.first(events, name, where: KubeletStartupTests.isRunning))
      let elapsed = ContinuousClock.now - start
      if n > 0 {
        times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
      }
      try await bed.store.delete(KubeletResources.pods, namespace: "default", name: name, gracePeriodSeconds: 0)
      _ = try await bed.pod(name) { $0 == .null }
    }
    times.sort()
    let median = times[times.count / 2]
    let p90 = times[Int(Double(times.count) * 0.9)]
    print("created → Running: median \(Int(median)) ms, p90 \(Int(p90)) ms over \(times.count) pods")
  }
}
