import CRDModels
import Foundation
import KubeClient
import LocalCluster
import TestSupport
import Testing

@testable import Operator

/// idleTimeout, maxLifetime, ssh (host keys, live sessions) and workspace resizing on the local
/// cluster, with short durations. Every wait polls with a generous deadline.
@Suite(.serialized) struct RunnerLifecycleIntegrationTests {
  init() throws {
    try #require(LocalKubelet.unsupportedReason == nil, "the local kubelet cannot run here")
  }

  @Test func anIdleRunnerIsSuspendedWithAReasonAndAnEventAndResumesWithAFreshClock() async throws {
    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.idleTimeout = "6s"
      try await c.create("sleepy", spec)
      #expect(try await c.waitFor("sleepy", .ready))
      #expect(try await c.runners.get("sleepy").status?.conditions?[type: "Idle"]?.reason == "Active")

      // Exec activity (as the bridge records it) keeps the runner up past its first deadline.
      let ready = try #require(
        try await c.pods.get("sleepy").status?.conditions?.first { $0.type == "Ready" }?.lastTransitionTime?.date)
      var lastActivity = Date()
      while Date() < ready.addingTimeInterval(10) {
        lastActivity = Date()
        _ = try await c.runners.patchStatus(
          "sleepy", .merge(["status": ["lastActivityTime": .string(Time(lastActivity).description)]]))
        #expect(try await c.runners.get("sleepy").spec?.suspend != true)
        try await Task.sleep(for: .seconds(1))
      }

      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("sleepy").status?.conditions?[type: "Suspended"]?.reason == "IdleTimeout"
        })
      let r = try await c.runners.get("sleepy")
      #expect(r.spec?.suspend == true)
      #expect(r.metadata.annotations?["gra.dev/suspended-by"] == "IdleTimeout")
      #expect(r.status?.conditions?[type: "Idle"]?.status == .true)
      // Not before the deadline that the last activity set.
      let suspendedAt = try #require(r.status?.conditions?[type: "Suspended"]?.lastTransitionTime.date)
      #expect(suspendedAt >= Time(lastActivity).date.addingTimeInterval(6))
      #expect(try await eventually(timeout: .seconds(30)) { try await c.pods.getIfExists("sleepy") == nil })
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "sleepy").contains { $0["reason"].stringValue == "IdleTimeout" }
        })
      #expect(try await c.claims.getIfExists("sleepy-workspace") != nil)

      // Resume (what `kubectl gra resume` does): a new pod with the whole idleTimeout again.
      _ = try await c.runners.patch("sleepy", .merge(["spec": ["suspend": false]]))
      #expect(try await c.waitFor("sleepy", .ready))
      #expect(
        try await eventually(timeout: .seconds(40)) {
          let r = try await c.runners.get("sleepy")
          return r.metadata.annotations?["gra.dev/suspended-by"] == nil
            && r.status?.conditions?[type: "Suspended"]?.status == .false
        })
      // ... and is culled again once that has passed.
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("sleepy").status?.conditions?[type: "Suspended"]?.reason == "IdleTimeout"
        })
    }
  }

  @Test func aRunnerPastItsMaxLifetimeIsSuspended() async throws {
    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.maxLifetime = "3s"
      try await c.create("mortal", spec)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("mortal").status?.conditions?[type: "Suspended"]?.reason == "MaxLifetimeExceeded"
        })
      let r = try await c.runners.get("mortal")
      #expect(r.status?.phase == .suspended)
      #expect(r.status?.conditions?[type: "Ready"]?.message.contains("spec.maxLifetime (3s)") == true)
      #expect(try await eventually(timeout: .seconds(30)) { try await c.pods.getIfExists("mortal") == nil })
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "mortal").contains { $0["reason"].stringValue == "MaxLifetimeExceeded" }
        })
    }
  }

  /// ssh into the runner with a key from the spec; a live session keeps an idle runner up; the
  /// host key is the one in the Runner's Secret and stays the same for the next pod.
  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh")
        && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")))
  func sshWithStableHostKeysAndALiveSessionIsNeverCulled() async throws {
    let user = try #require(
      getpwuid(1000).map { String(cString: $0.pointee.pw_name) }, "UID 1000 needs a passwd entry for sshd")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-ssh-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let key = dir.appendingPathComponent("id_ed25519")
    #expect(try await runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key.path]).status == 0)
    let pub = try String(contentsOf: dir.appendingPathComponent("id_ed25519.pub"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let port = Int32.random(in: 20000...40000)

    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.ssh = SSHSpec(enabled: true, authorizedKeys: [pub], port: port)
      spec.idleTimeout = "7s"
      try await c.create("remote", spec)
      let up = try await c.waitFor("remote", .ready, timeout: .seconds(60))
      let seen = try await c.runners.get("remote").status
      try #require(up, "\(String(describing: seen))")
      let secret = try await c.fixture.client.api(Secret.self, namespace: "default").get("remote-ssh-host-keys")
      #expect(secret.metadata.controllerRef?.name == "remote")
      let hostPub = try #require(secret.data?["ssh_host_ed25519_key.pub"].flatMap { Data(base64Encoded: $0) })
      let hostKey = try #require(String(decoding: hostPub, as: UTF8.self).split(separator: " ").dropFirst().first)

      // A session that lasts longer than idleTimeout.
      let knownHosts = dir.appendingPathComponent("known_hosts")
      let ssh = { @Sendable (strict: String, command: String) -> [String] in
        [
          "-i", key.path, "-p", String(port), "-o", "UserKnownHostsFile=\(knownHosts.path)", "-o",
          "StrictHostKeyChecking=\(strict)", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
          "\(user)@127.0.0.1", command,
        ]
      }
      let before = try await c.runners.get("remote").status?.lastActivityTime?.date ?? .distantPast
      let session = Task {
        try await runProcess("/usr/bin/ssh", ssh("accept-new", "python3 -c 'print(6*7)'; sleep 15"))
      }
      // The controller sees the session at the idle deadline and counts it as activity.
      #expect(
        try await eventually(timeout: .seconds(30)) {
          (try await c.runners.get("remote").status?.lastActivityTime?.date ?? .distantPast) > before
        })
      #expect(try await c.runners.get("remote").spec?.suspend != true)
      let first = try await session.value
      #expect(first.status == 0, "\(first.output)")
      #expect(first.output.contains("42"))
      // The host key the client learnt is the Runner's.
      #expect(try String(contentsOf: knownHosts, encoding: .utf8).contains(hostKey))

      // Once the session is gone, the runner is culled.
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("remote").status?.conditions?[type: "Suspended"]?.reason == "IdleTimeout"
        })

      // A new pod presents the same host key: strict checking against the old known_hosts passes.
      _ = try await c.runners.patch("remote", .merge(["spec": ["suspend": false, "idleTimeout": "10m"]]))
      #expect(try await c.waitFor("remote", .ready, timeout: .seconds(60)))
      var result = ProcessOutput(status: -1, output: "")
      let connected = try await eventually(timeout: .seconds(30)) {
        result = try await runProcess("/usr/bin/ssh", ssh("yes", "echo again"))
        return result.status == 0
      }
      #expect(connected, "\(result.output)")
      #expect(result.output.contains("again"))
    }
  }

  @Test func growingTheWorkspacePatchesTheClaimAndShrinkingIsRefused() async throws {
    try await RunnerTestCluster.with { c in
      var spec = RunnerSpec()
      spec.workspace = WorkspaceSpec(size: "1Gi")
      try await c.create("roomy", spec)
      #expect(try await c.waitFor("roomy", .ready))
      let pod = try await c.pods.get("roomy")

      _ = try await c.runners.patch("roomy", .merge(["spec": ["workspace": ["size": "2Gi"]]]))
      #expect(
        try await eventually(timeout: .seconds(30)) {
          try await c.claims.get("roomy-workspace").spec?.resources?.requests?["storage"] == "2Gi"
        })
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "roomy").contains { $0["reason"].stringValue == "WorkspaceResizing" }
        })
      // The local cluster never grows a claim's capacity (its volumes have no size), so the
      // claim stays "resizing"; the pod is not replaced for it.
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.runners.get("roomy").status?.conditions?[type: "WorkspaceReady"]?.reason == "ClaimResizing"
        })
      #expect(try await c.pods.get("roomy").metadata.uid == pod.metadata.uid)

      _ = try await c.runners.patch("roomy", .merge(["spec": ["workspace": ["size": "512Mi"]]]))
      #expect(
        try await eventually(timeout: .seconds(30)) {
          let ws = try await c.runners.get("roomy").status?.conditions?[type: "WorkspaceReady"]
          return ws?.status == .false && ws?.reason == "ResizeRefused"
            && ws?.message.contains("spec.workspace.size") == true
        })
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "roomy").contains {
            $0["reason"].stringValue == "ResizeRefused" && $0["type"].stringValue == "Warning"
          }
        })
      #expect(try await c.claims.get("roomy-workspace").spec?.resources?.requests?["storage"] == "2Gi")
      #expect(try await c.runners.get("roomy").status?.phase == .ready)
    }
  }
}
