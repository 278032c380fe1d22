import CRDModels
import Foundation
import LocalCluster
import Synchronization
import TestSupport
import Testing

@testable import KubeClient
@testable import Operator

@Suite(.serialized) struct RunnerKubectlAndBenchmarkTests {
  /// `kubectl apply -f manifests/examples/runner-minimal.yaml`, as a user does it.
  @Test func kubectlApplyOfTheExampleBecomesReady() async throws {
    try #require(LocalKubelet.unsupportedReason == nil)
    try await RunnerTestCluster.with { c in
      let home = FileManager.default.temporaryDirectory.appendingPathComponent(
        "gra-home-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: home) }
      let example = RunnerTestCluster.root.appendingPathComponent("manifests/examples/runner-minimal.yaml")
      let result = try await runProcess(
        "/usr/bin/env",
        ["kubectl", "--kubeconfig", c.fixture.kubeconfig.path, "apply", "-n", "default", "-f", example.path],
        environment: ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
      let text = result.output
      #expect(result.status == 0, "\(text)")
      #expect(text.contains("runner.gra.dev/demo created"))
      #expect(try await c.waitFor("demo", .ready))

      // `kubectl exec` runs python in the runner, as the runner user, in the workspace.
      let exec = try await runProcess(
        "/usr/bin/env",
        [
          "kubectl", "--kubeconfig", c.fixture.kubeconfig.path, "exec", "-n", "default", "demo", "--", "python3", "-c",
          "import os; open('from-exec.txt', 'w').write('hi'); print(6 * 7, os.getuid(), os.getcwd())",
        ],
        environment: ["HOME": home.path, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
      #expect(exec.status == 0, "\(exec.output)")
      #expect(exec.output.contains("42 1000 /workspace"), "\(exec.output)")
      #expect(
        FileManager.default.fileExists(
          atPath: c.workspace("demo-workspace").appendingPathComponent("from-exec.txt").path))
    }
  }

  /// Time and Runner writes for N Runners created at once until all are Ready. Runs only with
  /// `GRA_BENCH_RUNNERS=N` set; prints the figures.
  @Test(.enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH_RUNNERS"] != nil))
  func benchmarkRunnersToReady() async throws {
    let n = Int(ProcessInfo.processInfo.environment["GRA_BENCH_RUNNERS"] ?? "") ?? 20
    try await RunnerTestCluster.with { c in
      let counts = Mutex<[String: Int]>([:])
      let watcher = Informer(api: c.fixture.client.api(Runner.self, namespace: "default"), logger: quietLogger)
      watcher.onEvent { e in
        if case .applied(let old?, let new) = e, old.metadata.resourceVersion != new.metadata.resourceVersion {
          counts.withLock { $0[new.metadata.name ?? "", default: 0] += 1 }
        }
      }
      let task = Task { await watcher.run() }
      defer { task.cancel() }
      await watcher.waitUntilSynced()
      let start = ContinuousClock.now
      try await withThrowingTaskGroup(of: Void.self) { g in
        for i in 0..<n { g.addTask { try await c.create("bench-\(i)") } }
        try await g.waitForAll()
      }
      let created = ContinuousClock.now - start
      let allReady = try await eventually(timeout: .seconds(600)) {
        try await c.runners.list().items.filter { $0.status?.phase == .ready }.count == n
      }
      let elapsed = ContinuousClock.now - start
      try await Task.sleep(for: .seconds(2))
      let writes = counts.withLock { $0.values.reduce(0, +) }
      print(
        "BENCH runners=\(n) allReady=\(allReady) creates=\(created) toReady=\(elapsed) runnerUpdates=\(writes) perRunner=\(Double(writes) / Double(n))"
      )
      #expect(allReady)
    }
  }
}

/// 1,000 Runners (`GRA_BENCH_RUNNERS`) applied at once until all are Ready, on the local API
/// server with the operator's Runner controller and a stand-in kubelet (the local kubelet runs
/// pods as processes with their probes, which two cores cannot do for 1,000 runner pods); then,
/// on the same server with the controller stopped, the bare writes of the same objects: every
/// write the operator path makes, with the same payloads, all Runners at once and no watchers.
/// The pair runs `GRA_BENCH_ROUNDS` times (default 3) in one process, each round on new
/// names; the figure is the median round's ratio, because on a shared machine one phase of
/// one run can be 30 % slower than the same phase a minute later.
///
/// Runs only with `GRA_BENCH_RUNNERS=N GRA_BENCH_KUBELET=instant`; prints the figures.
@Suite(.serialized) struct RunnerScaleBenchmark {
  struct OperatorRound {
    var toReady: Duration
    var cpu: Double
    var allReady: Bool
    var writes: [String: Int]
    var writesAfterReady: Int
    var reconciles: Int
    /// Decodes saved: a write's answer and its echo in a watch decoded once.
    var echoesReused: Int
  }

  @Test(
    .enabled(
      if: ProcessInfo.processInfo.environment["GRA_BENCH_RUNNERS"] != nil
        && ProcessInfo.processInfo.environment["GRA_BENCH_KUBELET"] == "instant"))
  func runnersToReadyBesideBareWrites() async throws {
    let env = ProcessInfo.processInfo.environment
    let n = Int(env["GRA_BENCH_RUNNERS"] ?? "") ?? 100
    let rounds = Int(env["GRA_BENCH_ROUNDS"] ?? "") ?? 3
    // `gra-operator run`'s default is 4 workers.
    let workers = Int(env["GRA_BENCH_WORKERS"] ?? "") ?? 4
    let fixture = try await LocalClusterFixture.start(
      .init(crdPaths: [RunnerTestCluster.root.appendingPathComponent("manifests/crds")], watchHistorySize: 100_000))
    var ratios: [Double] = []
    for round in 1...rounds {
      let op = try await Self.operatorRound(fixture, n: n, ns: "bench-\(round)", workers: workers)
      let (bare, bareCPU) = try await Self.bareWrites(fixture.client, n: n, ns: "bare-\(round)")
      let ratio = op.toReady / bare
      ratios.append(ratio)
      let operatorWrites = op.writes.values.reduce(0, +)
      let detail = op.writes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
      let f = { (d: Double) in String(format: "%.2f", d) }
      print(
        "BENCH round=\(round) runners=\(n) workers=\(workers) allReady=\(op.allReady) toReady=\(f(op.toReady / .seconds(1)))s bareWrites=\(f(bare / .seconds(1)))s ratio=\(f(ratio)) cpu=\(f(op.cpu))s/\(f(bareCPU))s cpuRatio=\(f(op.cpu / bareCPU)) operatorWritesPerRunner=\(f(Double(operatorWrites) / Double(n))) writesAfterReady=\(op.writesAfterReady) reconcilesPerRunner=\(f(Double(op.reconciles) / Double(n))) echoesReusedPerRunner=\(f(Double(op.echoesReused) / Double(n))) [\(detail)]"
      )
      #expect(op.allReady)
      try await Self.expectSamePayloads(fixture.client, "bench-\(round)", "bare-\(round)")
    }
    let sorted = ratios.sorted()
    print("BENCH median ratio=\(String(format: "%.2f", sorted[sorted.count / 2])) of \(rounds) rounds \(sorted)")
    await fixture.stop()
  }

  /// The bare writes left the objects the operator left: the same pod, claim and policy specs
  /// (and spec hash), and the same Runner status but for times.
  static func expectSamePayloads(_ client: KubernetesClient, _ operatorNS: String, _ bareNS: String) async throws {
    func both<K: KubernetesObject>(_: K.Type, _ name: String) async throws -> (K, K) {
      (
        try await client.api(K.self, namespace: operatorNS).get(name),
        try await client.api(K.self, namespace: bareNS).get(name)
      )
    }
    let (opRunner, bareRunner) = try await both(Runner.self, "runner-0")
    let (opPod, barePod) = try await both(Pod.self, RunnerNames.pod("runner-0"))
    #expect(opPod.spec == barePod.spec && opPod.metadata.annotations == barePod.metadata.annotations)
    let (opClaim, bareClaim) = try await both(PersistentVolumeClaim.self, RunnerNames.claim(opRunner))
    #expect(opClaim.spec == bareClaim.spec && opClaim.status?.phase == bareClaim.status?.phase)
    let (opPolicy, barePolicy) = try await both(NetworkPolicy.self, RunnerNames.networkPolicy("runner-0"))
    #expect(opPolicy.spec == barePolicy.spec)
    let untimed = { (s: RunnerStatus?) -> [String] in
      (s?.conditions ?? []).map { "\($0.type) \($0.status) \($0.reason) \($0.message)" }
        + ["\(s?.phase.map { "\($0)" } ?? "")", s?.podName ?? "", s?.workspaceClaim ?? ""]
    }
    #expect(untimed(opRunner.status) == untimed(bareRunner.status))
  }

  /// N Runners at once in namespace `ns`, until the operator's Runner informer has seen all of
  /// them Ready; then 2 s more, in which a storm would show as writes. The operator watches
  /// only `ns` (as `gra-operator run --namespace`), so earlier rounds' objects cost it nothing.
  static func operatorRound(
    _ fixture: LocalClusterFixture, n: Int, ns: String, workers: Int
  ) async throws -> OperatorRound {
    try await createNamespace(fixture.client, ns)
    let config = try Kubeconfig.load(paths: [fixture.kubeconfig.path]).configuration()
    // Counted by verb and path as they come; named only when printed (the hook runs on the
    // operator's path, so it must cost the operator's run nothing it would not pay anyway).
    let requests = Mutex<[RequestKey: Int]>([:])
    let operatorClient = try KubernetesClient(
      configuration: config,
      metrics: { m in requests.withLock { $0[RequestKey(verb: m.verb, path: m.path), default: 0] += 1 } },
      logger: quietLogger)
    let metrics = MetricsRegistry()
    let informers = InformerFactory(client: operatorClient, namespace: ns, logger: quietLogger)
    let controller = RunnerController.make(
      client: operatorClient, informers: informers, workers: workers, logger: quietLogger, metrics: metrics)
    let client = fixture.client

    // The stand-in kubelet and claim binder watch in-process and write on the test's own client.
    let standIn = try await StandIn.start(store: fixture.server.store, client: client, namespace: ns)
    let ready = Mutex<Set<String>>([])
    // The Ready counter listens to the operator's own Runner informer: it sees each Runner's
    // `Ready` status when the API server's watch delivers it, without a watch of its own.
    informers.informer(Runner.self).onEvent { e in
      if case .applied(_, let r) = e, r.status?.phase == .ready {
        ready.withLock { _ = $0.insert(r.metadata.name ?? "") }
      }
    }
    let tasks =
      standIn + [
        Task { await informers.run() },
        Task {
          while !informers.allSynced { try? await Task.sleep(for: .milliseconds(10)) }
          await controller.run()
        },
      ]
    while !informers.allSynced { try await Task.sleep(for: .milliseconds(10)) }
    let writesBefore = requests.withLock { $0 }
    let reconcilesBefore = Self.reconciles(metrics)

    let cpuStart = processCPUSeconds()
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { g in
      for i in 0..<n {
        g.addTask {
          _ = try await client.api(Runner.self, namespace: ns).create(
            Runner(metadata: ObjectMeta(name: "runner-\(i)", namespace: ns), spec: RunnerSpec()))
        }
      }
      try await g.waitForAll()
    }
    let deadline = ContinuousClock.now + .seconds(1800)
    while ready.withLock({ $0.count }) < n, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    let toReady = ContinuousClock.now - start
    let cpu = processCPUSeconds() - cpuStart
    let atReady = Self.writeCount(requests)
    try await Task.sleep(for: .seconds(2))
    await controller.stop()
    for t in tasks { t.cancel() }
    let writes = requests.withLock { $0 }.merging(writesBefore) { $0 - $1 }
      .filter { $0.value != 0 && $0.key.isWrite }
      .reduce(into: [String: Int]()) { $0[$1.key.name, default: 0] += $1.value }
    try await operatorClient.shutdown()
    return OperatorRound(
      toReady: toReady, cpu: cpu, allReady: ready.withLock { $0.count } == n, writes: writes,
      writesAfterReady: Self.writeCount(requests) - atReady,
      reconciles: Self.reconciles(metrics) - reconcilesBefore, echoesReused: operatorClient.recent.reused)
  }

  fileprivate static func writeCount(_ requests: borrowing Mutex<[RequestKey: Int]>) -> Int {
    requests.withLock { $0.filter { $0.key.isWrite }.values.reduce(0, +) }
  }

  static func createNamespace(_ client: KubernetesClient, _ name: String) async throws {
    _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
  }

  static func reconciles(_ metrics: MetricsRegistry) -> Int {
    metrics.render().split(separator: "\n").filter { $0.hasPrefix("gra_reconcile_total") }
      .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0) { $0 + Int($1) }
  }

  /// The bare writes of the same objects, on the same server, all Runners at once: every write
  /// the operator path makes (the Runner, its claim, NetworkPolicy and pod; the Runner's
  /// `Pending` and `Ready` status; the claim's and the pod's status from the kubelet), with the
  /// same payloads. The payloads are built before the clock starts (by the operator's own
  /// builders): building them is the operator's work, billed to its phase, not the server's.
  static func bareWrites(_ client: KubernetesClient, n: Int, ns: String) async throws -> (Duration, Double) {
    try await createNamespace(client, ns)
    let payloads = (0..<n).map { BarePayloads(name: "runner-\($0)", namespace: ns) }
    let cpuStart = processCPUSeconds()
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { g in
      for p in payloads {
        g.addTask {
          let runnerAPI = client.api(Runner.self, namespace: ns)
          var r = try await runnerAPI.create(p.runner)
          let uid = r.metadata.uid ?? ""
          _ = try await client.api(PersistentVolumeClaim.self, namespace: ns).create(p.claim.ownedBy(uid))
          _ = try await client.api(NetworkPolicy.self, namespace: ns).create(p.policy.ownedBy(uid))
          _ = try await client.api(Pod.self, namespace: ns).create(p.pod.ownedBy(uid))
          r.status = p.pending
          r = try await runnerAPI.replaceStatus(r)
          try await StandIn.writeStatus(ClaimPhase.self, p.claim.metadata.name ?? "", p.claimStatus, client, ns)
          try await StandIn.writeStatus(PodPhase.self, p.pod.metadata.name ?? "", p.podStatus, client, ns)
          r.status = p.ready
          _ = try await runnerAPI.replaceStatus(r)
        }
      }
      try await g.waitForAll()
    }
    return (ContinuousClock.now - start, processCPUSeconds() - cpuStart)
  }
}

/// What the bare writes of one Runner send, built as the operator and the stand-in build them:
/// the owned objects (their owner's uid filled in once the Runner exists), the stand-in's status
/// patches, and the Runner's `Pending` and `Ready` status as `RunnerStatusBuilder` computes them
/// from the pod and claim before and after those patches.
private struct BarePayloads: Sendable {
  var runner: Runner
  var claim: PersistentVolumeClaim
  var policy: NetworkPolicy
  var pod: Pod
  var pending: RunnerStatus
  var claimStatus: JSONValue
  var podStatus: JSONValue
  var ready: RunnerStatus

  init(name: String, namespace: String) {
    runner = Runner(metadata: ObjectMeta(name: name, namespace: namespace), spec: RunnerSpec())
    // As the API server answers the create: the builders read the uid and generation.
    var created = runner.withDefaults()
    created.metadata.uid = "owner-uid"
    created.metadata.generation = 1
    claim = RunnerObjectsBuilder.claim(created)!
    policy = RunnerObjectsBuilder.networkPolicy(created)!
    pod = RunnerPodBuilder.pod(created)
    pending = RunnerStatusBuilder.status(RunnerObservation(runner: created, pod: pod, claim: claim))
    claimStatus = StandIn.claimStatus(size: claim.spec?.resources?.requests?["storage"]?.description ?? "10Gi")
    podStatus = StandIn.podStatus(now: Time.now())
    var bound = claim
    bound.status = try? claimStatus.decode()
    var running = pod
    running.status = try? podStatus.decode()
    created.status = pending
    ready = RunnerStatusBuilder.status(RunnerObservation(runner: created, pod: running, claim: bound))
  }
}

extension KubernetesObject {
  /// The object with its owner references pointing at `uid`.
  fileprivate func ownedBy(_ uid: String) -> Self {
    var copy = self
    copy.metadata.ownerReferences = copy.metadata.ownerReferences?.map {
      var o = $0
      o.uid = uid
      return o
    }
    return copy
  }
}

/// A request of the operator's client, by the verb and path of its metrics.
private struct RequestKey: Hashable {
  var verb: String
  var path: String

  var isWrite: Bool { !["get", "list", "watch"].contains(verb) }
  /// `create pods`, `update runners/status`: the verb and the resource, without names.
  var name: String {
    let tail = path.components(separatedBy: "/namespaces/{namespace}/").last ?? path
    return "\(verb) \(tail.replacingOccurrences(of: "/{name}", with: ""))"
  }
}

/// The answer to a stand-in's status write as it reads it: metadata, a phase, and for claims the size.
private struct PhaseView<Kind: ViewedKind>: KubernetesObject {
  static var resource: ResourceDescriptor { Kind.resource }
  struct Status: Codable, Sendable { var phase: String? }
  struct Spec: Codable, Sendable {
    struct Resources: Codable, Sendable { var requests: [String: String]? }
    var resources: Resources?
  }
  var metadata: ObjectMeta
  var spec: Spec?
  var status: Status?
}

private protocol ViewedKind: Sendable { static var resource: ResourceDescriptor { get } }
private enum PodPhase: ViewedKind { static var resource: ResourceDescriptor { Pod.resource } }
private enum ClaimPhase: ViewedKind { static var resource: ResourceDescriptor { PersistentVolumeClaim.resource } }

/// CPU seconds (user + system) this process has used so far.
private func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
  let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
  return user + system
}

/// The stand-in kubelet and claim binder, and what they write (shared with the bare writes).
private enum StandIn {
  /// Watches the namespace's pods and claims in-process, through the store as the local
  /// kubelet and claim binder do, and answers each new pod with a Running, Ready status and
  /// each new claim with a Bound one: one status write over HTTP each, in a task of its own,
  /// as kubelets on many nodes work in parallel. Its watches are registered on return.
  ///
  /// In a cluster these are other processes on other machines. Watching over HTTP here would
  /// bill the operator's run for the API server's fan-out to them and for their decoding: with
  /// 1,000 Runners on two cores that was a fifth of the operator phase (BENCHMARKS.md).
  static func start(
    store: any ClusterStore, client: KubernetesClient, namespace ns: String
  ) async throws
    -> [Task<Void, Never>]
  {
    // Its own writes come back as MODIFIED; only creations need an answer.
    let pods = try await store.watch(Pod.resource, namespace: ns, resourceVersion: nil)
    let claims = try await store.watch(PersistentVolumeClaim.resource, namespace: ns, resourceVersion: nil)
    return [
      answer(pods, PodPhase.self, client, ns) { _ in podStatus(now: Time.now()) },
      answer(claims, ClaimPhase.self, client, ns) {
        claimStatus(size: $0["spec"]["resources"]["requests"]["storage"].stringValue ?? "10Gi")
      },
    ]
  }

  /// Writes `status(object)` as the status of each object created, in a task of its own.
  private static func answer<Kind: ViewedKind>(
    _ events: AsyncStream<StoreEvent>, _: Kind.Type, _ client: KubernetesClient, _ ns: String,
    status: @escaping @Sendable (JSONValue) -> JSONValue
  ) -> Task<Void, Never> {
    Task {
      for await e in events where e.type == .added {
        let object = e.object
        Task {
          try? await writeStatus(Kind.self, object["metadata"]["name"].stringValue ?? "", status(object), client, ns)
        }
      }
    }
  }

  /// The stand-in's status write (a merge patch of `/status`), its answer read as the stand-in
  /// reads it: metadata and phase. The bare writes make the same call.
  static func writeStatus<Kind: ViewedKind>(
    _: Kind.Type, _ name: String, _ status: JSONValue, _ client: KubernetesClient, _ ns: String
  ) async throws {
    _ = try await client.api(PhaseView<Kind>.self, namespace: ns).patchStatus(name, .merge(["status": status]))
  }

  /// A running, Ready pod's status, as a kubelet reports it.
  static func podStatus(now: Time) -> JSONValue {
    let at = JSONValue.string(now.description)
    var status: JSONValue = ["phase": "Running", "startTime": at, "podIP": "127.0.0.1"]
    status["conditions"] = [
      ["type": "PodScheduled", "status": "True", "lastTransitionTime": at],
      ["type": "Ready", "status": "True", "lastTransitionTime": at],
    ]
    status["containerStatuses"] = [
      [
        "name": "runner", "ready": true, "restartCount": 0, "image": "gra-runner", "imageID": "",
        "state": ["running": ["startedAt": at]],
      ]
    ]
    return status
  }

  /// A bound claim's status.
  static func claimStatus(size: String) -> JSONValue {
    ["phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": ["storage": .string(size)]]
  }
}
