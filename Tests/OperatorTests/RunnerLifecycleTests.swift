import CRDModels
import Foundation
import Testing

@testable import Operator

/// idleTimeout, maxLifetime, host keys and workspace resizing, without a server.
@Suite struct RunnerLifecycleTests {
  let start = Date(timeIntervalSince1970: 1_800_000_000)

  func runner(idle: String? = nil, lifetime: String? = nil, activity: Date? = nil, suspend: Bool? = nil) -> Runner {
    var spec = RunnerSpec()
    spec.idleTimeout = idle
    spec.maxLifetime = lifetime
    spec.suspend = suspend
    var r = sampleRunner(spec: spec)
    if let activity { r.status = RunnerStatus(lastActivityTime: Time(activity)) }
    return r
  }

  func runningPod(since: Date) -> Pod {
    var p = RunnerPodBuilder.pod(sampleRunner())
    p.status = PodStatus(phase: "Running", startTime: Time(since))
    p.status?.conditions = [PodCondition(type: "Ready", status: "True", lastTransitionTime: Time(since))]
    return p
  }

  @Test func noTimeoutsNoTimers() {
    #expect(RunnerLifecycle.decide(runner(), pod: runningPod(since: start), now: start + 3600) == .none)
  }

  @Test func idleClockStartsWhenThePodIsReadyOrAtTheLastActivityWhicheverIsLater() {
    let pod = runningPod(since: start)
    // No activity yet: the moment the pod became Ready counts.
    #expect(RunnerLifecycle.decide(runner(idle: "30m"), pod: pod, now: start + 60) == .wakeAt(start + 1800))
    // Activity after the start moves the deadline.
    let r = runner(idle: "30m", activity: start + 600)
    #expect(RunnerLifecycle.decide(r, pod: pod, now: start + 700) == .wakeAt(start + 2400))
    // Activity from before this pod (a resumed runner) does not shorten it.
    let old = runner(idle: "30m", activity: start - 7200)
    #expect(RunnerLifecycle.decide(old, pod: pod, now: start + 5) == .wakeAt(start + 1800))
    // Due.
    #expect(
      RunnerLifecycle.decide(r, pod: pod, now: start + 2400)
        == .idle(since: start + 600, timeout: GoDuration(seconds: 1800)))
  }

  @Test func lifetimeIsFromThePodsStartWhateverTheActivity() {
    let pod = runningPod(since: start)
    let r = runner(idle: "1h", lifetime: "2h", activity: start + 7000)
    #expect(RunnerLifecycle.decide(r, pod: pod, now: start + 7100) == .wakeAt(start + 7200))
    #expect(RunnerLifecycle.decide(r, pod: pod, now: start + 7200) == .lifetimeExceeded(GoDuration(seconds: 7200)))
    // The sooner deadline wins.
    #expect(RunnerLifecycle.decide(runner(idle: "10m", lifetime: "2h"), pod: pod, now: start) == .wakeAt(start + 600))
  }

  @Test func nothingToDoWhenSuspendedOrWithoutARunningPod() {
    #expect(
      RunnerLifecycle.decide(runner(idle: "1s", suspend: true), pod: runningPod(since: start), now: start + 60) == .none
    )
    #expect(RunnerLifecycle.decide(runner(idle: "1s"), pod: nil, now: start + 60) == .none)
    var pending = runningPod(since: start)
    pending.status?.startTime = nil
    #expect(RunnerLifecycle.decide(runner(idle: "1s"), pod: pending, now: start + 60) == .none)
    var notReady = runningPod(since: start)
    notReady.status?.conditions = [PodCondition(type: "Ready", status: "False")]
    #expect(RunnerLifecycle.decide(runner(idle: "1s"), pod: notReady, now: start + 60) == .none)
    #expect(
      RunnerLifecycle.decide(runner(idle: "1s", lifetime: "1m"), pod: notReady, now: start + 5) == .wakeAt(start + 60))
    var going = runningPod(since: start)
    going.metadata.deletionTimestamp = Time(start)
    #expect(RunnerLifecycle.decide(runner(idle: "1s"), pod: going, now: start + 60) == .none)
  }

  @Test func idleConditionAndSuspendedReasonTellTheUserWhy() {
    let t = Time(start)
    var s = RunnerStatusBuilder.status(RunnerObservation(runner: runner()), now: t)
    #expect(s.conditions?[type: "Idle"]?.reason == "NoIdleTimeout")
    s = RunnerStatusBuilder.status(RunnerObservation(runner: runner(idle: "30m")), now: t)
    #expect(s.conditions?[type: "Idle"]?.status == .false)
    #expect(s.conditions?[type: "Idle"]?.reason == "Active")

    var culled = runner(idle: "30m", suspend: true)
    culled.metadata.annotations = [RunnerNames.suspendedByAnnotation: "IdleTimeout"]
    s = RunnerStatusBuilder.status(RunnerObservation(runner: culled), now: t)
    #expect(s.phase == .suspended)
    #expect(s.conditions?[type: "Idle"]?.status == .true)
    #expect(s.conditions?[type: "Suspended"]?.reason == "IdleTimeout")
    #expect(s.conditions?[type: "Suspended"]?.message.contains("spec.idleTimeout (30m)") == true)
    #expect(s.conditions?[type: "Suspended"]?.message.contains("kubectl gra resume demo") == true)

    var expired = runner(lifetime: "8h", suspend: true)
    expired.metadata.annotations = [RunnerNames.suspendedByAnnotation: "MaxLifetimeExceeded"]
    s = RunnerStatusBuilder.status(RunnerObservation(runner: expired), now: t)
    #expect(s.conditions?[type: "Suspended"]?.reason == "MaxLifetimeExceeded")
    #expect(s.conditions?[type: "Suspended"]?.message.contains("spec.maxLifetime (8h)") == true)

    // A user's own suspend is just Suspended.
    s = RunnerStatusBuilder.status(RunnerObservation(runner: runner(idle: "30m", suspend: true)), now: t)
    #expect(s.conditions?[type: "Suspended"]?.reason == "Suspended")
    #expect(s.conditions?[type: "Idle"]?.reason == "Suspended")

    // Activity the controller saw (a live ssh session) moves lastActivityTime forward only.
    var o = RunnerObservation(runner: runner(idle: "30m", activity: start + 100))
    o.activity = Time(start + 50)
    #expect(RunnerStatusBuilder.status(o, now: t).lastActivityTime == Time(start + 100))
    o.activity = Time(start + 200)
    #expect(RunnerStatusBuilder.status(o, now: t).lastActivityTime == Time(start + 200))

    o.sessionCheckError = "gra-sessions exited with 127"
    #expect(RunnerStatusBuilder.status(o, now: t).conditions?[type: "Idle"]?.reason == "SessionCheckFailed")
  }

  @Test func workspaceResizeStatus() throws {
    var o = RunnerObservation(runner: sampleRunner())
    o.workspaceProblem = ("ResizeRefused", "spec.workspace.size 5Gi is smaller than …")
    var s = RunnerStatusBuilder.status(o, now: Time(start))
    #expect(s.conditions?[type: "WorkspaceReady"]?.status == .false)
    #expect(s.conditions?[type: "WorkspaceReady"]?.reason == "ResizeRefused")

    var claim = try #require(RunnerObjectsBuilder.claim(sampleRunner()))
    claim.spec?.resources?.requests?["storage"] = "20Gi"
    claim.status = PersistentVolumeClaimStatus(phase: "Bound", capacity: ["storage": "10Gi"])
    o = RunnerObservation(runner: sampleRunner(), claim: claim)
    s = RunnerStatusBuilder.status(o, now: Time(start))
    #expect(s.conditions?[type: "WorkspaceReady"]?.status == .true)
    #expect(s.conditions?[type: "WorkspaceReady"]?.reason == "ClaimResizing")
    claim.status?.capacity = ["storage": "20Gi"]
    o.claim = claim
    #expect(RunnerStatusBuilder.status(o, now: Time(start)).conditions?[type: "WorkspaceReady"]?.reason == "ClaimBound")
  }

  @Test func sshRunnerMountsItsHostKeysSecret() throws {
    var spec = RunnerSpec()
    spec.ssh = SSHSpec(enabled: true, authorizedKeys: ["ssh-ed25519 AAAA alice@laptop"])
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec))
    let c = try #require(pod.spec?.containers.first)
    #expect(
      c.volumeMounts?.contains(VolumeMount(name: "ssh-host-keys", mountPath: "/etc/gra/ssh-host-keys", readOnly: true))
        == true)
    #expect(pod.spec?.volumes?.contains { $0.secret?.secretName == "demo-ssh-host-keys" } == true)
    // Without ssh there is nothing to mount.
    let plain = RunnerPodBuilder.pod(sampleRunner())
    #expect(plain.spec?.volumes?.contains { $0.name == "ssh-host-keys" } == false)
  }

  /// The generated key is one OpenSSH reads: `ssh-keygen -y` derives the same public key.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")))
  func hostKeyIsAnOpenSSHKeyPair() throws {
    let key = SSHHostKey.generateEd25519(comment: "demo@team-a.gra")
    #expect(key.privateKeyPEM.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
    #expect(key.publicKeyLine.hasPrefix("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-hk-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("ssh_host_ed25519_key")
    try Data(key.privateKeyPEM.utf8).write(to: file)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
    p.arguments = ["-y", "-f", file.path]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    p.waitUntilExit()
    let derived = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(p.terminationStatus == 0, "\(derived)")
    let words = key.publicKeyLine.split(separator: " ")
    #expect(derived.split(separator: " ").prefix(2) == words.prefix(2))
    // Two keys are never the same.
    #expect(
      SSHHostKey.generateEd25519(comment: "x").publicKeyLine != SSHHostKey.generateEd25519(comment: "x").publicKeyLine)
  }
}

extension Date {
  fileprivate static func + (d: Date, s: TimeInterval) -> Date { d.addingTimeInterval(s) }
  fileprivate static func - (d: Date, s: TimeInterval) -> Date { d.addingTimeInterval(-s) }
}
