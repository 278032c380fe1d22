import CRDModels
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// The local kubelet: registers a Node, binds pending pods to it (a one-node scheduler),
/// provisions and binds PersistentVolumeClaims to directories, and runs each bound pod's
/// containers as local processes in a per-pod sandbox (see ``PodSandbox``). It also serves
/// `pods/exec`, `pods/log` and `pods/portforward` for the local API server (``NodeAgent``).
///
/// ```swift
/// let kubelet = LocalKubelet(store: server.store, configuration: .init(dataDirectory: dir))
/// try await kubelet.start()
/// server.attach(nodeAgent: kubelet)
/// …
/// await kubelet.shutdown()   // every pod process ends
/// ```
public final class LocalKubelet: NodeAgent, Sendable {
  public let configuration: KubeletConfiguration
  let store: any ClusterStore
  let state: KubeletState
  let logger: Logger

  public init(store: any ClusterStore, configuration: KubeletConfiguration, logger: Logger? = nil) {
    var configuration = configuration
    // Paths go into the sandbox's shell scripts and into chroots: make them absolute.
    configuration.dataDirectory = configuration.dataDirectory.absoluteURL.standardizedFileURL
    self.store = store
    self.configuration = configuration
    let logger = logger ?? Logger(label: "gra.local-kubelet")
    self.logger = logger
    let scripts = configuration.runnerScriptsDirectory ?? Self.findRunnerScripts()
    let ctx = KubeletContext(
      store: store, configuration: configuration, events: EventRecorder(store: store, host: configuration.nodeName),
      runnerScripts: scripts, logger: logger)
    self.state = KubeletState(context: ctx)
  }

  /// Looks for `images/runner/` in the current directory and its parents.
  static func findRunnerScripts() -> URL? {
    var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    for _ in 0..<6 {
      let candidate = dir.appendingPathComponent("images/runner")
      if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
      dir.deleteLastPathComponent()
    }
    return nil
  }

  /// Why pods cannot run on this machine (not root, missing tools), or nil.
  public static var unsupportedReason: String? { PodSandbox.unsupportedReason() }

  /// Registers the Node and starts the scheduler, claim binder and pod loops.
  public func start() async throws {
    try await state.start()
  }

  /// Stops every pod's processes and the loops. Pod objects are left as they are.
  public func shutdown() async {
    await state.shutdown()
  }

  // MARK: NodeAgent

  public func exec(
    namespace: String, pod: String, container: String, command: [String], tty: Bool, io: ExecIO
  )
    async throws -> ExecOutcome
  {
    guard let worker = await state.worker(namespace: namespace, name: pod) else {
      throw Status(
        message: "pod \(pod) is not running on node \(configuration.nodeName)", reason: "NotFound", code: 404)
    }
    return try await worker.exec(container: container, command: command, tty: tty, io: io)
  }

  public func execRefusal(namespace: String, pod: String, container: String) async -> String? {
    guard let worker = await state.worker(namespace: namespace, name: pod) else {
      return "pod \(pod) is not running on node \(configuration.nodeName)"
    }
    return await worker.execRefusal(container: container)
  }

  public func logs(
    namespace: String, pod: String, container: String, options: LogOptions
  ) async throws
    -> AsyncThrowingStream<[UInt8], any Error>
  {
    guard let worker = await state.worker(namespace: namespace, name: pod) else {
      throw Status(message: "pod \(pod) has no logs on node \(configuration.nodeName)", reason: "BadRequest", code: 400)
    }
    let podObject = await worker.pod
    let names =
      (podObject["spec"]["initContainers"].arrayValue ?? []) + (podObject["spec"]["containers"].arrayValue ?? [])
    guard names.contains(where: { $0["name"].stringValue == container }) else {
      throw Status(message: "container \(container) is not valid for pod \(pod)", reason: "BadRequest", code: 400)
    }
    guard let path = await worker.logPath(container: container, previous: options.previous) else {
      if options.previous {
        throw Status(
          message: "previous terminated container \"\(container)\" in pod \"\(pod)\" not found", reason: "BadRequest",
          code: 400)
      }
      let reason = await worker.waitingReason(container: container) ?? "ContainerCreating"
      throw Status(
        message: "container \"\(container)\" in pod \"\(pod)\" is waiting to start: \(reason)", reason: "BadRequest",
        code: 400)
    }
    return ContainerLogReader.stream(path: path, options: options)
  }

  public func portForward(namespace: String, pod: String, port: Int) async throws -> PortForwardStream? {
    guard await state.worker(namespace: namespace, name: pod) != nil else {
      throw Status(
        message: "pod \(pod) is not running on node \(configuration.nodeName)", reason: "NotFound", code: 404)
    }
    return await PortForwarder.connect(port: port)
  }
}

/// The kubelet's mutable state: workers by pod uid and the loops.
actor KubeletState {
  let ctx: KubeletContext
  var workers: [String: PodWorker] = [:]
  var byName: [String: String] = [:]
  var loops: [Task<Void, Never>] = []
  var stopped = false
  let scheduler: LocalScheduler

  init(context: KubeletContext) {
    self.ctx = context
    self.scheduler = LocalScheduler(context: context)
  }

  var store: any ClusterStore { ctx.store }
  var nodeName: String { ctx.configuration.nodeName }

  func worker(namespace: String, name: String) -> PodWorker? {
    byName["\(namespace)/\(name)"].flatMap { workers[$0] }
  }

  func start() async throws {
    try? FileManager.default.removeItem(at: ctx.configuration.dataDirectory.appendingPathComponent("pods"))
    try FileManager.default.createDirectory(
      at: ctx.configuration.dataDirectory.appendingPathComponent("pods"), withIntermediateDirectories: true)
    try await NodeHeartbeat.register(ctx)
    loops.append(Task { await NodeHeartbeat.run(ctx) })
    loops.append(Task { await NodeHeartbeat.renewLease(ctx) })
    loops.append(Task { await ClaimBinder.run(ctx) })
    loops.append(Task { await self.watchPods() })
    loops.append(Task { await self.scheduler.retryLoop() })
  }

  func shutdown() async {
    stopped = true
    for l in loops { l.cancel() }
    await withTaskGroup(of: Void.self) { g in
      for w in workers.values { g.addTask { await w.shutdown() } }
    }
    workers = [:]
    byName = [:]
  }

  private func watchPods() async {
    var known = Set<String>()
    while !stopped && !Task.isCancelled {
      do {
        let (items, rv) = try await store.list(
          KubeletResources.pods, namespace: nil, labelSelector: nil, fieldSelector: nil)
        let uids = Set(items.compactMap { $0["metadata"]["uid"].stringValue })
        for uid in known.subtracting(uids) { await handle(type: .deleted, uid: uid, pod: nil) }
        known = uids
        for p in items { await handle(type: .added, uid: p["metadata"]["uid"].stringValue ?? "", pod: p) }
        let stream = try await store.watch(KubeletResources.pods, namespace: nil, resourceVersion: rv)
        for await ev in stream {
          if stopped { return }
          let uid = ev.object["metadata"]["uid"].stringValue ?? ""
          switch ev.type {
          case .added, .modified:
            known.insert(uid)
            await handle(type: ev.type, uid: uid, pod: ev.object)
          case .deleted:
            known.remove(uid)
            await handle(type: .deleted, uid: uid, pod: ev.object)
          default: break
          }
        }
      } catch {
        ctx.logger.warning("pod watch failed: \(error)")
      }
      try? await Task.sleep(for: .seconds(1))
    }
  }

  private func handle(type: WatchEventType, uid: String, pod: JSONValue?) async {
    if type == .deleted {
      await scheduler.forget(uid: uid)
      if let w = workers.removeValue(forKey: uid) {
        if let pod, byName[Self.key(pod)] == uid { byName.removeValue(forKey: Self.key(pod)) }
        Task { await w.podDeleted() }
      }
      return
    }
    guard let pod else { return }
    await scheduler.observe(pod)
    let node = pod["spec"]["nodeName"].stringValue ?? ""
    if node.isEmpty {
      await scheduler.schedule(pod)
      return
    }
    guard node == nodeName, !stopped else { return }
    if let w = workers[uid] {
      await w.update(pod)
      return
    }
    let phase = pod["status"]["phase"].stringValue
    if phase == "Succeeded" || phase == "Failed" {
      // Finished before this kubelet started: nothing to run; finish a pending deletion.
      if !pod["metadata"]["deletionTimestamp"].isNull {
        try? await store.delete(
          KubeletResources.pods, namespace: pod["metadata"]["namespace"].stringValue,
          name: pod["metadata"]["name"].stringValue ?? "",
          gracePeriodSeconds: 0)
      }
      return
    }
    let w = PodWorker(pod: pod, context: ctx)
    workers[uid] = w
    byName[Self.key(pod)] = uid
    await w.update(pod)
    await w.start()
  }

  static func key(_ pod: JSONValue) -> String {
    "\(pod["metadata"]["namespace"].stringValue ?? "default")/\(pod["metadata"]["name"].stringValue ?? "")"
  }
}
