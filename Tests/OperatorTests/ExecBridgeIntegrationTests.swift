import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Testing

@testable import Operator

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The exec bridge against the local API server and kubelet: Kubernetes authenticates and
/// authorizes, the bridge runs the command in the runner's pod and streams NDJSON frames.
@Suite(.serialized) struct ExecBridgeIntegrationTests {
  struct Env {
    let fixture: LocalClusterFixture
    let kubelet: LocalKubelet
    let server: BridgeHTTPServer
    let bob: String
    let alice: String
    /// The kubelet's data directory.
    let dir: URL
    var url: URL {
      URL(string: "http://127.0.0.1:\(server.port)/apis/exec.gra.dev/v1alpha1/namespaces/default/runners/demo/exec")!
    }

    func stop() async {
      await server.stop()
      await kubelet.shutdown()
      await fixture.stop()
      try? FileManager.default.removeItem(at: dir)
    }
  }

  static func start() async throws -> Env {
    let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("manifests/crds")
    var options = LocalAPIServer.Options()
    options.crdPaths = [crds]
    let f = try await LocalClusterFixture.start(options)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-bridge-\(UUID().uuidString)")
    let kubelet = LocalKubelet(store: f.server.store, configuration: KubeletConfiguration(dataDirectory: dir))
    try await kubelet.start()
    f.server.attach(nodeAgent: kubelet)

    // A pod standing in for the runner's, and a Runner whose status points at it.
    let pods = f.client.dynamic(
      ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true), namespace: "default")
    var container: JSONValue = ["name": "runner", "image": "python:3.11"]
    container["command"] = ["python3", "-c", "import time; time.sleep(3600)"]
    var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "demo", "namespace": "default"]]
    pod["spec"] = ["containers": [container]]
    _ = try await pods.create(pod)
    let running = try await eventually(timeout: .seconds(30)) {
      try await pods.get("demo")["status"]["phase"] == "Running"
    }
    #expect(running, "the stand-in pod never ran")
    let runners = f.client.api(Runner.self, namespace: "default")
    _ = try await runners.create(Runner(metadata: ObjectMeta(name: "demo", namespace: "default"), spec: RunnerSpec()))
    _ = try await runners.patchStatus(
      "demo",
      .merge([
        "status": [
          "phase": "Ready", "podName": "demo",
          "conditions": [
            [
              "type": "Ready", "status": "True", "reason": "PodReady", "message": "",
              "lastTransitionTime": .string(Time.now().description),
            ]
          ],
        ]
      ]))

    // bob may exec into runners in default; alice may only read them.
    let rbac = { (plural: String, kind: String) in
      f.client.dynamic(
        ResourceDescriptor(
          group: "rbac.authorization.k8s.io", version: "v1", plural: plural, kind: kind, namespaced: true),
        namespace: "default")
    }
    var role: JSONValue = [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
      "metadata": ["name": "runner-exec", "namespace": "default"],
    ]
    role["rules"] = [["apiGroups": ["gra.dev"], "resources": ["runners/exec"], "verbs": ["create"]]]
    _ = try await rbac("roles", "Role").create(role)
    var binding: JSONValue = [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
      "metadata": ["name": "bob-exec", "namespace": "default"],
    ]
    binding["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "runner-exec"]
    binding["subjects"] = [["kind": "User", "name": "bob", "apiGroup": "rbac.authorization.k8s.io"]]
    _ = try await rbac("rolebindings", "RoleBinding").create(binding)
    let bob = await f.server.issueToken(user: "bob", groups: ["devs"])
    let alice = await f.server.issueToken(user: "alice", groups: ["devs"])

    let events = EventRecorder(client: f.client, instance: "test", logger: quietLogger)
    let bridge = ExecBridge(
      client: f.client, authorizer: BridgeAuthorizer(client: f.client), events: events, logger: quietLogger)
    let server = try await BridgeHTTPServer.start(host: "127.0.0.1", port: 0, tls: nil) { await bridge.handle($0, $1) }
    return Env(fixture: f, kubelet: kubelet, server: server, bob: bob, alice: alice, dir: dir)
  }

  static func post(_ url: URL, token: String?, _ body: String) async throws -> (Int, String) {
    var req = URLRequest(url: url)
    req.httpMethod = "POST"
    req.httpBody = Data(body.utf8)
    req.setValue("application/json", forHTTPHeaderField: "Content-Type")
    if let token { req.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    req.timeoutInterval = 60
    let (data, response) = try await URLSession.shared.data(for: req)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
  }

  static func frames(_ body: String) throws -> [JSONValue] {
    try body.split(separator: "\n").map { try KubeJSON.decode(JSONValue.self, from: Data($0.utf8)) }
  }

  static func text(_ frames: [JSONValue], _ stream: String) -> String {
    frames.filter { $0["type"].stringValue == stream }.compactMap { $0["data"].stringValue }.joined()
  }

  @Test func authorizedUsersGetStreamsExitCodesStdinAndTimeouts() async throws {
    let env = try await Self.start()
    defer { Task { await env.stop() } }

    let (code, body) = try await Self.post(
      env.url, token: env.bob,
      #"{"command": ["python3", "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"]}"#)
    #expect(code == 200, "\(body)")
    let frames = try Self.frames(body)
    #expect(Self.text(frames, "stdout") == "out\n")
    #expect(Self.text(frames, "stderr") == "err\n")
    #expect(frames.last?["type"] == "exit")
    #expect(frames.last?["exitCode"] == 3)

    let (_, upper) = try await Self.post(
      env.url, token: env.bob,
      #"{"command": ["python3", "-c", "import sys; print(sys.stdin.read().upper())"], "stdin": "abc"}"#)
    #expect(Self.text(try Self.frames(upper), "stdout") == "ABC\n")

    let (_, slow) = try await Self.post(
      env.url, token: env.bob, #"{"command": ["python3", "-c", "import time; time.sleep(30)"], "timeoutSeconds": 1}"#)
    let last = try Self.frames(slow).last
    #expect(last?["reason"] == "TimedOut")
    #expect(last?["exitCode"].isNull == true, "a timed-out command has no exit code")

    let recorded = try await eventually {
      let events = try await env.fixture.client.api(CoreEvent.self, namespace: "default").list().items
      return events.contains { $0.reason == "Exec" && ($0.message ?? "").hasPrefix("bob ran `python3 -c") }
    }
    #expect(recorded, "every exec is recorded as an Event on the Runner")
    let runner = try await env.fixture.client.api(Runner.self, namespace: "default").get("demo")
    #expect(runner.status?.lastActivityTime != nil)
  }

  @Test func unauthenticatedAndUnauthorizedCallersAreRefusedInStatusForm() async throws {
    let env = try await Self.start()
    defer { Task { await env.stop() } }

    let (noToken, body401) = try await Self.post(env.url, token: nil, #"{"command": ["true"]}"#)
    #expect(noToken == 401)
    #expect(try KubeJSON.decode(Status.self, from: Data(body401.utf8)).reason == "Unauthorized")

    let (forbidden, body403) = try await Self.post(
      env.url, token: env.alice, #"{"command": ["touch", "/tmp/gra-bridge-should-not-exist"]}"#)
    #expect(forbidden == 403)
    let status = try KubeJSON.decode(Status.self, from: Data(body403.utf8))
    #expect(status.reason == "Forbidden")
    #expect(
      status.message?.contains(
        #"User "alice" cannot create resource "runners/exec" in API group "gra.dev" in the namespace "default""#)
        == true)
    #expect(!FileManager.default.fileExists(atPath: "/tmp/gra-bridge-should-not-exist"), "the pod was touched")

    let (invalid, body422) = try await Self.post(env.url, token: env.bob, #"{"command": [], "timeoutSeconds": -1}"#)
    #expect(invalid == 422)
    #expect(
      try KubeJSON.decode(Status.self, from: Data(body422.utf8)).details?.causes?.map(\.field) == [
        "command", "timeoutSeconds",
      ])
  }
}
