import CRDModels
import Foundation
import KubeClient
import Logging
import Synchronization
import Testing

@testable import Operator

/// Which failed lease updates the elector logs (``RepeatedFailureLog``).
@Suite struct RepeatedFailureLogTests {
  let t0 = ContinuousClock.now

  @Test func theFirstFailureIsLoggedThenOnePerIntervalWithACount() {
    var log = RepeatedFailureLog(interval: .seconds(60))
    #expect(log.failure("namespaces \"gra-system\" not found", at: t0) == .log(failures: 1, notLogged: 0))
    for i in 1..<29 {
      #expect(log.failure("namespaces \"gra-system\" not found", at: t0 + .seconds(2 * i)) == .skip)
    }
    #expect(
      log.failure("namespaces \"gra-system\" not found", at: t0 + .seconds(60)) == .log(failures: 30, notLogged: 28))
    #expect(log.failure("namespaces \"gra-system\" not found", at: t0 + .seconds(62)) == .skip)
    #expect(log.isFailing)
  }

  @Test func anotherErrorIsLoggedAtOnce() {
    var log = RepeatedFailureLog(interval: .seconds(60))
    _ = log.failure("namespaces \"gra-system\" not found", at: t0)
    _ = log.failure("namespaces \"gra-system\" not found", at: t0 + .seconds(2))
    #expect(log.failure("connection refused", at: t0 + .seconds(4)) == .log(failures: 3, notLogged: 1))
    #expect(log.failure("connection refused", at: t0 + .seconds(6)) == .skip)
  }

  @Test func aSuccessEndsTheRunAndSaysHowLongItWas() {
    var log = RepeatedFailureLog(interval: .seconds(60))
    #expect(log.success() == nil)
    for i in 0..<5 { _ = log.failure("refused", at: t0 + .seconds(2 * i)) }
    #expect(log.success() == 5)
    #expect(!log.isFailing)
    #expect(log.failure("refused", at: t0 + .seconds(12)) == .log(failures: 1, notLogged: 0), "a new run logs again")
  }
}

/// The elector against a local API server whose Lease namespace is missing or goes away.
@Suite struct LeaderElectionMissingNamespaceTests {
  struct Line: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
  }

  final class Lines: Sendable {
    let value = Mutex<[Line]>([])
  }

  struct Collecting: LogHandler {
    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      lines.value.withLock {
        $0.append(Line(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
      }
    }
  }

  @Test func aMissingNamespaceIsOneWarningNotOnePerRetryAndLeadershipIsLostWhenItGoes() async throws {
    let f = try await LocalClusterFixture.start()
    let lines = Lines()
    let logger = Logger(label: "test") { _ in Collecting(lines: lines) }
    let timing = LeaderElectionTiming(
      leaseDuration: .seconds(2), renewDeadline: .milliseconds(800), retryPeriod: .milliseconds(50))
    let elector = try LeaderElector(
      client: f.client, namespace: "gra-lease", name: "gra-test", identity: "me", timing: timing, logger: logger)
    let leading = Mutex(false)
    let run = Task {
      await elector.run {
        leading.withLock { $0 = true }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        leading.withLock { $0 = false }
      }
    }
    func warnings() -> [Line] { lines.value.withLock { $0 }.filter { $0.level >= .warning } }

    // Standing by with no namespace: many attempts, one warning, with what to do. (Under the
    // whole suite's load an attempt can take a second, so "many" is 5 and the wait is long.)
    #expect(await eventually(timeout: .seconds(60)) { await elector.attempts >= 5 })
    let first = warnings()
    #expect(first.count == 1, "\(first.map(\.message))")
    #expect(first.first?.message.hasPrefix("lease update failed") == true)
    #expect(first.first?.metadata["hint"]?.description.contains("kubectl create namespace gra-lease") == true)

    // The namespace appears: leader, and the recovery is logged once.
    let namespaces = f.client.dynamic(
      ResourceDescriptor(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false))
    let standingBy = await elector.attempts
    _ = try await namespaces.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "gra-lease"]])
    #expect(await eventually { leading.withLock { $0 } })
    let recovered = lines.value.withLock { $0 }.filter { $0.message == "lease update succeeded again" }
    #expect(recovered.count == 1)
    // Every attempt while standing by failed but the one in flight when the namespace came.
    #expect(Int(recovered.first?.metadata["failures"]?.description ?? "") ?? 0 >= standingBy - 1)

    // The namespace goes while leading: renewals fail, leadership is lost after the renew
    // deadline, and the failures are not one warning each.
    let before = await elector.attempts
    _ = try await namespaces.delete("gra-lease")
    let ended = await eventually { leading.withLock { !$0 } }
    #expect(ended, "leadership was not lost")
    await run.value
    let attempts = await elector.attempts - before
    let failures = warnings().dropFirst(first.count).filter { $0.message.hasPrefix("lease update") }
    // At most one line per distinct error (the namespace terminating, then not found; or no
    // answer in time), however many attempts failed. Under load the renew deadline can pass
    // with an attempt still in flight: then "lost leadership" alone says it.
    #expect(failures.count <= 3, "\(attempts) attempts: \(failures.map(\.message))")
    #expect(warnings().filter { $0.message.hasPrefix("lost leadership") }.count == 1)
    #expect(await elector.isLeader == false)
    await f.stop()
  }
}

/// A leader that loses the API server (a partition: connections open, no answers).
@Suite struct LeaderElectionPartitionTests {
  @Test func aLeaderCutOffFromTheAPIServerStopsLeadingBeforeAStandbyTakesOver() async throws {
    let f = try await LocalClusterFixture.start()
    let proxy = try FreezableProxy(forwardingTo: f.server.url.port ?? 0)
    var config = try Kubeconfig.load(paths: [f.kubeconfig.path]).configuration()
    config.server = "https://127.0.0.1:\(proxy.port)"
    let cutOff = try KubernetesClient(configuration: config, logger: quietLogger)
    // Lease 5 s, renew deadline 2.5 s: the leader must stop within 2.5 s of its last renewal, a
    // standby may take over 5 s after it saw that renewal. (With a 1 s deadline, a's attempts
    // through the proxy, each with a TLS handshake, all ran out of time on a loaded machine.)
    let timing = LeaderElectionTiming(
      leaseDuration: .seconds(5), renewDeadline: .milliseconds(2500), retryPeriod: .milliseconds(100))
    let a = try LeaderElector(
      client: cutOff, namespace: "default", name: "gra-partition", identity: "a", timing: timing, logger: quietLogger)
    let b = try LeaderElector(
      client: f.client, namespace: "default", name: "gra-partition", identity: "b", timing: timing,
      logger: quietLogger)
    let leading = Mutex<[String]>([])
    let overlaps = Mutex<[String]>([])
    let work: @Sendable (String) -> @Sendable () async -> Void = { id in
      {
        leading.withLock { now in
          if !now.isEmpty { overlaps.withLock { $0.append("\(id) started while \(now) led") } }
          now.append(id)
        }
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
        leading.withLock { $0.removeAll { $0 == id } }
      }
    }
    let taskA = Task { await a.run(work("a")) }
    #expect(await eventually(timeout: .seconds(30)) { leading.withLock { $0 } == ["a"] })
    let taskB = Task { await b.run(work("b")) }
    try await Task.sleep(for: .milliseconds(500))  // b has seen a's renewals
    proxy.freeze()

    #expect(await eventually(timeout: .seconds(20)) { leading.withLock { $0 } == ["b"] }, "b never took over")
    #expect(overlaps.withLock { $0 }.isEmpty, "two leaders: \(overlaps.withLock { $0 })")
    // a's run returns once it lost leadership. Never waited for unbounded: when it does not
    // return (a failure above, on a loaded machine), the test ends instead of the whole run
    // waiting forever on it.
    let returned = await withTaskGroup(of: Bool.self) { g in
      g.addTask {
        await taskA.value
        return true
      }
      g.addTask {
        try? await Task.sleep(for: .seconds(20))
        return false
      }
      let first = await g.next() ?? false
      proxy.close()
      taskA.cancel()
      g.cancelAll()
      return first
    }
    #expect(returned, "a's run did not return after it lost the API server")
    #expect(await a.isLeader == false)

    taskB.cancel()
    await taskB.value
    try? await cutOff.shutdown()
    await f.stop()
  }
}
