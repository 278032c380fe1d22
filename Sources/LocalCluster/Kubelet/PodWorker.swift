import CRDModels
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// What a pod worker needs from the kubelet.
struct KubeletContext: Sendable {
  var store: any ClusterStore
  var configuration: KubeletConfiguration
  var events: EventRecorder
  var runnerScripts: URL?
  var logger: Logger
}

/// A container instance the worker started.
struct RunningContainer: Sendable {
  var process: ChildProcess
  var launch: ContainerLaunch
  var logPath: String
  /// Host pid of the container's main process (inside the pod's pid namespace); nil until
  /// its wrapper has set it up and executed its command (the start handshake), which is
  /// also when its status becomes running: until then no exec or signal reaches it.
  var mainPid: pid_t?
}

/// Runs one pod: volumes, sandbox, init containers, containers with restarts and probes,
/// deadline, graceful termination; writes the pod's status when it changes.
actor PodWorker {
  let ctx: KubeletContext
  let uid: String
  let layout: PodLayout
  private(set) var pod: JSONValue
  private var snapshot = PodRuntimeSnapshot()
  private var images: [String: LocalImage] = [:]
  private var sandbox: PodSandbox?
  private(set) var running: [String: RunningContainer] = [:]
  /// Containers asked to stop gracefully while still starting: SIGTERM goes to their main
  /// process once it exists, as the kubelet stops a container only after starting it.
  private var terminateOnStart: Set<String> = []
  /// The pod is being stopped (deletion, deadline, shutdown): no container starts any more.
  private var stopping = false
  private var finished = false
  private var deleted = false
  private var lastWritten: JSONValue?
  private var writing = false
  private var dirty = false
  private var mainTask: Task<Void, Never>?
  private var deadlineTask: Task<Void, Never>?
  private var terminationTask: Task<Void, Never>?

  init(pod: JSONValue, context: KubeletContext) {
    self.pod = pod
    self.ctx = context
    self.uid = pod["metadata"]["uid"].stringValue ?? UUID().uuidString.lowercased()
    self.layout = PodLayout(dataDirectory: context.configuration.dataDirectory, uid: uid)
  }

  var name: String { pod["metadata"]["name"].stringValue ?? "" }
  var namespace: String { pod["metadata"]["namespace"].stringValue ?? "default" }
  var restartPolicy: String { PodStatusBuilder.restartPolicy(pod) }
  var podRef: String { "\(name)_\(namespace)(\(uid))" }
  var isFinished: Bool { finished }
  var snapshotForTests: PodRuntimeSnapshot { snapshot }

  func specs(initContainers: Bool) -> [JSONValue] {
    pod["spec"][initContainers ? "initContainers" : "containers"].arrayValue ?? []
  }

  // MARK: lifecycle

  func start() {
    guard mainTask == nil else { return }
    mainTask = Task { await self.run() }
  }

  /// A newer version of the pod from the API server.
  func update(_ newPod: JSONValue) {
    let oldDeadline = pod["spec"]["activeDeadlineSeconds"]
    pod = newPod
    // `activeDeadlineSeconds` may be set or lowered on a running pod; the kubelet rechecks it
    // against `startTime` on every sync.
    if newPod["spec"]["activeDeadlineSeconds"] != oldDeadline, snapshot.sandboxReady, !finished, !stopping {
      deadlineTask?.cancel()
      startDeadlineTimer()
    }
    if terminationTask != nil, newPod["metadata"]["deletionGracePeriodSeconds"].intValue == 0 {
      for (_, rc) in running { kill(rc) }
    }
    if !newPod["metadata"]["deletionTimestamp"].isNull, terminationTask == nil {
      let grace =
        newPod["metadata"]["deletionGracePeriodSeconds"].intValue
        ?? newPod["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
      terminationTask = Task { await self.terminate(grace: grace, deleteObject: true) }
    }
  }

  /// The pod object is gone from the API server: stop everything now.
  func podDeleted() async {
    deleted = true
    // Gone from the API server (e.g. a forced delete): no grace period left.
    for (_, rc) in running { kill(rc) }
    if terminationTask == nil {
      terminationTask = Task { await self.terminate(grace: 0, deleteObject: false) }
    }
    await terminationTask?.value
  }

  /// Kubelet shutdown: kill everything, write nothing.
  func shutdown() async {
    deleted = true
    stopping = true
    deadlineTask?.cancel()
    for (_, rc) in running { kill(rc) }
    await sandbox?.destroy()
    sandbox = nil
  }

  private func run() async {
    snapshot.startTime = Date()
    let hasInit = !specs(initContainers: true).isEmpty
    snapshot.initContainers = specs(initContainers: true).map {
      ContainerRuntimeState(
        name: $0["name"].stringValue ?? "", image: $0["image"].stringValue ?? "",
        state: .waiting(reason: "PodInitializing", message: nil))
    }
    snapshot.containers = specs(initContainers: false).map {
      ContainerRuntimeState(
        name: $0["name"].stringValue ?? "", image: $0["image"].stringValue ?? "",
        state: .waiting(reason: hasInit ? "PodInitializing" : "ContainerCreating", message: nil))
    }
    publish()

    guard await resolveImages() else { return }
    guard await prepareVolumesUntilReady() else { return }
    do {
      let allImages = Array(images.values)
      sandbox = try await PodSandbox.create(
        layout: layout, hostname: name, images: allImages, runnerScripts: ctx.runnerScripts)
    } catch {
      await ctx.events.record(
        pod, type: "Warning", reason: "FailedCreatePodSandBox", message: "Failed to create pod sandbox: \(error)")
      snapshot.pendingMessage = ("FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)")
      publish()
      return
    }
    if stopping {
      await sandbox?.destroy()
      return
    }
    snapshot.sandboxReady = true
    publish()
    startDeadlineTimer()

    for i in specs(initContainers: true).indices {
      while true {
        if stopping { return }
        guard let code = await runContainer(initContainer: true, index: i) else {
          await sleepUnlessStopping(backoff(for: snapshot.initContainers[i].restartCount + 1))
          continue
        }
        if code == 0 { break }
        if stopping { return }
        if restartPolicy == "Never" {
          await finish()
          return
        }
        await crashLoopBackOff(initContainer: true, index: i)
      }
    }
    if !specs(initContainers: true).isEmpty {
      for i in snapshot.containers.indices {
        snapshot.containers[i].state = .waiting(reason: "ContainerCreating", message: nil)
      }
      publish()
    }

    await withTaskGroup(of: Void.self) { group in
      for i in specs(initContainers: false).indices {
        group.addTask { await self.containerLoop(index: i) }
      }
    }
    if !stopping { await finish() }
  }

  /// All containers are done for good (Succeeded or Failed): the sandbox goes, files stay.
  private func finish() async {
    finished = true
    deadlineTask?.cancel()
    await sandbox?.destroy()
    sandbox = nil
    snapshot.sandboxReady = false
    publish()
  }

  private func containerLoop(index i: Int) async {
    while !stopping {
      guard let code = await runContainer(initContainer: false, index: i) else {
        await sleepUnlessStopping(backoff(for: snapshot.containers[i].restartCount + 1))
        continue
      }
      if stopping { return }
      let restart = restartPolicy == "Always" || (restartPolicy == "OnFailure" && code != 0)
      if !restart { return }
      await crashLoopBackOff(initContainer: false, index: i)
    }
  }

  /// The delay before restart number `n` (1-based): none for the first, then the initial
  /// back-off doubling up to the maximum.
  func backoff(for n: Int) -> Duration {
    Self.backoff(
      restart: n, initial: ctx.configuration.crashLoopInitialBackoff, max: ctx.configuration.crashLoopMaxBackoff)
  }

  static func backoff(restart n: Int, initial: Duration, max: Duration) -> Duration {
    guard n > 1 else { return .zero }
    var d = initial
    for _ in 2..<n {
      d = d * 2
      if d >= max { return max }
    }
    return Swift.min(d, max)
  }

  private func crashLoopBackOff(initContainer: Bool, index i: Int) async {
    var c = initContainer ? snapshot.initContainers[i] : snapshot.containers[i]
    let delay = backoff(for: c.restartCount + 1)
    if let t = c.termination { c.lastTermination = t }
    if delay > .zero {
      let secs = delay.components.seconds
      let shown = secs >= 60 ? "\(secs / 60)m\(secs % 60)s" : "\(secs)s"
      c.state = .waiting(
        reason: "CrashLoopBackOff", message: "back-off \(shown) restarting failed container=\(c.name) pod=\(podRef)")
      setState(c, initContainer: initContainer, index: i)
      publish()
      await ctx.events.record(
        pod, type: "Warning", reason: "BackOff",
        message: "Back-off restarting failed container \(c.name) in pod \(podRef)",
        fieldPath: fieldPath(c.name, initContainer))
      await sleepUnlessStopping(delay)
    } else {
      setState(c, initContainer: initContainer, index: i)
    }
  }

  private func setState(_ c: ContainerRuntimeState, initContainer: Bool, index i: Int) {
    if initContainer { snapshot.initContainers[i] = c } else { snapshot.containers[i] = c }
  }

  private func fieldPath(_ name: String, _ initContainer: Bool) -> String {
    "spec.\(initContainer ? "initContainers" : "containers"){\(name)}"
  }

  private func sleepUnlessStopping(_ d: Duration) async {
    let end = ContinuousClock.now + d
    while !stopping && ContinuousClock.now < end {
      try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
    }
  }

  // MARK: images and volumes

  private func resolveImages() async -> Bool {
    var missing: [(Int, Bool, String)] = []
    for initC in [true, false] {
      for (i, spec) in specs(initContainers: initC).enumerated() {
        let image = spec["image"].stringValue ?? ""
        if let local = LocalImage.resolve(image, runnerScripts: ctx.runnerScripts) {
          images[spec["name"].stringValue ?? ""] = local
        } else {
          missing.append((i, initC, image))
        }
      }
    }
    guard !missing.isEmpty else { return true }
    for (i, initC, image) in missing {
      let name = specs(initContainers: initC)[i]["name"].stringValue ?? ""
      let message = LocalImage.unsupportedMessage(image)
      var c = initC ? snapshot.initContainers[i] : snapshot.containers[i]
      c.state = .waiting(reason: "ErrImagePull", message: message)
      setState(c, initContainer: initC, index: i)
      await ctx.events.record(
        pod, reason: "Pulling", message: "Pulling image \"\(image)\"", fieldPath: fieldPath(name, initC))
      await ctx.events.record(
        pod, type: "Warning", reason: "Failed", message: message, fieldPath: fieldPath(name, initC))
      await ctx.events.record(
        pod, type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath: fieldPath(name, initC))
    }
    publish()
    await sleepUnlessStopping(.seconds(1))
    for (i, initC, image) in missing {
      let name = specs(initContainers: initC)[i]["name"].stringValue ?? ""
      var c = initC ? snapshot.initContainers[i] : snapshot.containers[i]
      c.state = .waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(image)\"")
      setState(c, initContainer: initC, index: i)
      await ctx.events.record(
        pod, reason: "BackOff", message: "Back-off pulling image \"\(image)\"", fieldPath: fieldPath(name, initC))
      await ctx.events.record(
        pod, type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff", fieldPath: fieldPath(name, initC))
    }
    publish()
    return false
  }

  private func prepareVolumesUntilReady() async -> Bool {
    var delay = Duration.milliseconds(500)
    while !stopping {
      do {
        try await prepareVolumes()
        return true
      } catch let f as VolumeProjection.Failure {
        await ctx.events.record(pod, type: "Warning", reason: "FailedMount", message: f.message)
      } catch {
        await ctx.events.record(pod, type: "Warning", reason: "FailedMount", message: "\(error)")
      }
      await sleepUnlessStopping(delay)
      delay = min(delay * 2, .seconds(10))
    }
    return false
  }

  private func prepareVolumes() async throws {
    let fm = FileManager.default
    try fm.createDirectory(at: layout.podDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
    for v in pod["spec"]["volumes"].arrayValue ?? [] {
      let vname = v["name"].stringValue ?? ""
      guard let dir = layout.source(of: v, namespace: namespace) else { continue }
      if !v["emptyDir"].isNull {
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
      } else if let claim = v["persistentVolumeClaim"]["claimName"].stringValue {
        do {
          _ = try await ctx.store.get(KubeletResources.claims, namespace: namespace, name: claim)
        } catch {
          throw VolumeProjection.Failure(
            message: "MountVolume.SetUp failed for volume \"\(vname)\" : persistentvolumeclaim \"\(claim)\" not found")
        }
        if !fm.fileExists(atPath: dir.path) {
          try fm.createDirectory(at: dir, withIntermediateDirectories: true)
          try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        }
      } else {
        for (kind, key, nameKey, resource) in [
          ("Secret", "secret", "secretName", KubeletResources.secrets),
          ("ConfigMap", "configMap", "name", KubeletResources.configMaps),
        ] where !v[key].isNull {
          let src = v[key]
          let objName = src[nameKey].stringValue ?? ""
          var data: [String: [UInt8]] = [:]
          do {
            let obj = try await ctx.store.get(resource, namespace: namespace, name: objName)
            data = VolumeProjection.data(of: obj, kind: kind)
          } catch {
            if src["optional"].boolValue != true {
              throw VolumeProjection.Failure(
                message:
                  "MountVolume.SetUp failed for volume \"\(vname)\" : \(kind.lowercased()) \"\(objName)\" not found")
            }
          }
          do {
            let files = try VolumeProjection.files(source: src, data: data, kind: kind, name: objName)
            try VolumeProjection.write(files, to: dir)
          } catch let f as VolumeProjection.Failure {
            throw VolumeProjection.Failure(message: "MountVolume.SetUp failed for volume \"\(vname)\" : \(f.message)")
          }
        }
      }
    }
  }

  // MARK: containers

  /// Resolves the environment of `spec`: the image's, HOSTNAME and HOME, then the container's.
  func environment(spec: JSONValue, image: LocalImage?, user: ContainerUser) async throws -> [(String, String)] {
    let store = ctx.store
    let ns = namespace
    let resolver = EnvResolver(pod: pod) { kind, name in
      let resource = kind == "Secret" ? KubeletResources.secrets : KubeletResources.configMaps
      guard let obj = try? await store.get(resource, namespace: ns, name: name) else { return nil }
      return VolumeProjection.data(of: obj, kind: kind).mapValues { String(decoding: $0, as: UTF8.self) }
    }
    var env = image?.env ?? [("PATH", LocalImage.defaultPath)]
    env.append(("HOSTNAME", name))
    let containerEnv = try await resolver.resolve(container: spec)
    if !containerEnv.contains(where: { $0.0 == "HOME" }), !env.contains(where: { $0.0 == "HOME" }) {
      env.append(("HOME", ContainerUser.home(uid: user.uid)))
    }
    for (k, v) in containerEnv {
      if let i = env.firstIndex(where: { $0.0 == k }) { env[i].1 = v } else { env.append((k, v)) }
    }
    return env
  }

  /// The container's argv: `command` + `args` with `$(VAR)` expanded, else the image's.
  static func commandLine(spec: JSONValue, image: LocalImage?, env: [(String, String)]) -> [String] {
    let values = Dictionary(env, uniquingKeysWith: { _, b in b })
    let command = spec["command"].arrayValue?.compactMap(\.stringValue).map { EnvResolver.expand($0, values) }
    let args = spec["args"].arrayValue?.compactMap(\.stringValue).map { EnvResolver.expand($0, values) }
    let entry = command ?? image?.entrypoint ?? []
    let rest = args ?? (command == nil ? image?.cmd ?? [] : [])
    return entry + rest
  }

  private func configError(_ message: String, initContainer: Bool, index i: Int) async {
    var c = initContainer ? snapshot.initContainers[i] : snapshot.containers[i]
    c.state = .waiting(reason: "CreateContainerConfigError", message: message)
    setState(c, initContainer: initContainer, index: i)
    publish()
    await ctx.events.record(
      pod, type: "Warning", reason: "Failed", message: "Error: \(message)", fieldPath: fieldPath(c.name, initContainer))
  }

  /// Starts one instance of a container and waits for it; returns its exit code, or nil when
  /// it could not be started (config error, already reported).
  private func runContainer(initContainer: Bool, index i: Int) async -> Int32? {
    let spec = specs(initContainers: initContainer)[i]
    let cname = spec["name"].stringValue ?? ""
    let image = images[cname]
    let user = ContainerUser.resolve(pod: pod, container: spec, image: image)
    if let v = ContainerUser.nonRootViolation(pod: pod, container: spec, user: user) {
      await configError(v, initContainer: initContainer, index: i)
      return nil
    }
    let env: [(String, String)]
    let mounts: [VolumeMountPlan]
    do {
      env = try await environment(spec: spec, image: image, user: user)
      mounts = try VolumeLayout.mounts(pod: pod, container: spec, layout: layout)
    } catch let f as EnvResolver.Failure {
      await configError(f.message, initContainer: initContainer, index: i)
      return nil
    } catch let f as VolumeLayout.Failure {
      await configError(f.message, initContainer: initContainer, index: i)
      return nil
    } catch {
      await configError("\(error)", initContainer: initContainer, index: i)
      return nil
    }
    guard let sandbox, !stopping else { return nil }
    var state = initContainer ? snapshot.initContainers[i] : snapshot.containers[i]
    let wasStarted = state.containerID != nil
    let instance = wasStarted ? state.restartCount + 1 : 0
    let imageName = spec["image"].stringValue ?? ""
    await ctx.events.record(
      pod, reason: "Pulled",
      message: "Container image \"\(imageName)\" already present on machine (\(image?.summary ?? "local"))",
      fieldPath: fieldPath(cname, initContainer))

    let logURL = layout.logFile(container: cname, restart: instance)
    let termURL = layout.terminationLog(container: cname, restart: instance)
    let launch: ContainerLaunch
    let process: ChildProcess
    let handshake: Task<ContainerStart, Never>
    let writer: ContainerLogWriter
    let pumps: [Task<Void, Never>]
    do {
      writer = try ContainerLogWriter(url: logURL)
      try FileManager.default.createDirectory(
        at: termURL.deletingLastPathComponent(), withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: termURL.path, contents: nil, attributes: [.posixPermissions: 0o666])
      let workingDir = spec["workingDir"].stringValue ?? image?.workingDir ?? "/"
      let command = Self.commandLine(spec: spec, image: image, env: env)
      guard !command.isEmpty else {
        await configError("no command specified", initContainer: initContainer, index: i)
        return nil
      }
      launch = ContainerLaunch(
        rootfs: layout.rootfs.path, mounts: mounts,
        terminationLog: (termURL.path, spec["terminationMessagePath"].stringValue ?? "/dev/termination-log"),
        user: user, workingDir: workingDir, command: command, environment: env,
        startGate: ctx.configuration.startGateForTests)
      let (outR, outW) = try FD.pipe()
      let (errR, errW) = try FD.pipe()
      let (startR, startW) = try FD.pipe()
      let (path, argv) = launch.startArgv(initPid: sandbox.initPid)
      do {
        process = try ChildProcess.spawn(
          path, argv, environment: launch.envp, fds: [1: outW, 2: errW, ContainerLaunch.startFD: startW])
      } catch {
        for fd in [outR, errR, startR, outW, errW, startW] { close(fd) }
        throw error
      }
      close(outW)
      close(errW)
      close(startW)
      let spawned = process
      handshake = Task { await Self.awaitStart(startR, process: spawned) }
      pumps = [(outR, "stdout"), (errR, "stderr")].map { fd, stream in
        Task {
          await FD.blocking {
            while true {
              let chunk = FD.read(fd)
              if chunk.isEmpty { break }
              writer.append(stream: stream, chunk)
            }
            close(fd)
          }
        }
      }
    } catch {
      await configError("failed to start container \"\(cname)\": \(error)", initContainer: initContainer, index: i)
      return nil
    }

    let containerID =
      "local://" + (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max)) }.joined()
    running[cname] = RunningContainer(process: process, launch: launch, logPath: logURL.path, mainPid: nil)
    // Spawned after `stopAll` listed the containers to stop: nobody else will stop it.
    if stopping, let rc = running[cname] { kill(rc) }
    await ctx.events.record(
      pod, reason: "Created", message: "Created container: \(cname)", fieldPath: fieldPath(cname, initContainer))

    let start = await handshake.value
    state = initContainer ? snapshot.initContainers[i] : snapshot.containers[i]
    if wasStarted {
      state.restartCount += 1
      if let t = state.termination { state.lastTermination = t }
    }
    state.containerID = containerID
    state.imageID = "local://\(image?.kind.rawValue ?? "unknown")@\(imageName)"
    guard case .started(let mainPid) = start else {
      // The wrapper ended before executing the command: the container never ran (StartError).
      let status = await process.wait()
      process.signalGroup(SIGKILL)
      _ = await Task { for p in pumps { await p.value } }.value(within: .seconds(2))
      writer.close()
      running[cname] = nil
      terminateOnStart.remove(cname)
      var why = "exited with \(status.code) during setup"
      if case .failed(let text) = start, !text.isEmpty { why = text }
      let message = "unable to start container process: \(why)"
      // As kubelet reports it with containerd: a container that never started has the zero
      // start time, `1970-01-01T00:00:00Z` (kubernetes/kubernetes#120331).
      state.state = .terminated(
        ContainerTermination(
          exitCode: 128, signal: nil, reason: "StartError", message: message,
          startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(), containerID: containerID))
      state.ready = false
      state.started = false
      setState(state, initContainer: initContainer, index: i)
      publish()
      await ctx.events.record(
        pod, type: "Warning", reason: "Failed", message: "Error: \(message)", fieldPath: fieldPath(cname, initContainer)
      )
      return 128
    }

    // Started: its command runs in its root, as its user. From here on it is running (status,
    // exec, signals), all set in this one step on the actor.
    running[cname]?.mainPid = mainPid
    let startedAt = Date()
    state.state = .running(startedAt: startedAt)
    let hasStartup = !spec["startupProbe"].isNull
    let hasReadiness = !spec["readinessProbe"].isNull
    state.started = !hasStartup
    state.ready = !initContainer && !hasReadiness && !hasStartup
    setState(state, initContainer: initContainer, index: i)
    publish()
    if terminateOnStart.remove(cname) != nil, let mainPid { Glibc.kill(mainPid, SIGTERM) }
    await ctx.events.record(
      pod, reason: "Started", message: "Started container \(cname)", fieldPath: fieldPath(cname, initContainer))

    let probes: Task<Void, Never>? =
      initContainer ? nil : Task { await self.probeLoop(container: cname, spec: spec, index: i) }
    let status = await process.wait()
    probes?.cancel()
    // A container's other processes end with its main process, as in a container's pid namespace.
    process.signalGroup(SIGKILL)
    _ = await Task { for p in pumps { await p.value } }.value(within: .seconds(2))
    writer.close()
    running[cname] = nil

    let code = status.code
    var message = (try? String(contentsOf: termURL, encoding: .utf8)).map { String($0.prefix(4096)) } ?? ""
    if message.isEmpty, code != 0, spec["terminationMessagePolicy"].stringValue == "FallbackToLogsOnError" {
      message = ContainerLogReader.tail(path: logURL.path)
    }
    var signal: Int32?
    if case .signaled(let s) = status { signal = s }
    let term = ContainerTermination(
      exitCode: code, signal: signal, reason: code == 0 ? "Completed" : "Error",
      message: message.isEmpty ? nil : message,
      startedAt: startedAt, finishedAt: Date(), containerID: containerID)
    state = initContainer ? snapshot.initContainers[i] : snapshot.containers[i]
    state.state = .terminated(term)
    state.ready = false
    state.started = false
    setState(state, initContainer: initContainer, index: i)
    publish()
    return code
  }

  /// Reads the start handshake (see ``ContainerLaunch``) on a dedicated thread, then waits
  /// there for the wrapper's `exec` of the command, which follows the marker at once: only
  /// then is the main process the container's own (for signals, exec and status).
  private static func awaitStart(_ fd: Int32, process: ChildProcess) async -> ContainerStart {
    await FD.blocking {
      var text: [UInt8] = []
      while true {
        let chunk = FD.read(fd)
        if chunk.isEmpty {
          close(fd)
          return .failed(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if chunk.contains(ContainerLaunch.startedMarker) { break }
        if text.count < 4096 { text += chunk }
      }
      close(fd)
      // nsenter forked the main process before the wrapper could write the marker.
      guard let pid = process.children().first else { return .started(mainPid: nil) }
      let deadline = ContinuousClock.now + .seconds(2)
      while process.exitStatus == nil, ContinuousClock.now < deadline {
        guard let argv = ChildProcess.commandLine(of: pid) else { break }
        // Empty while the kernel is between the shell's image and the command's.
        if argv.isEmpty ? ChildProcess.hasEnded(pid) : !ContainerLaunch.isHandshakeShell(argv) { break }
        usleep(50)
      }
      return .started(mainPid: pid)
    }
  }

  private nonisolated func kill(_ rc: RunningContainer) {
    rc.process.signalGroup(SIGKILL)
    if let p = rc.mainPid { Glibc.kill(p, SIGKILL) }
  }

  /// SIGTERM to the container's main process, SIGKILL to all of it after `grace` seconds.
  private func stopContainer(_ name: String, grace: Int64, message: String? = nil) async {
    guard let rc = running[name] else { return }
    let isInit = specs(initContainers: true).contains { $0["name"].stringValue == name }
    await ctx.events.record(
      pod, reason: "Killing", message: message ?? "Stopping container \(name)", fieldPath: fieldPath(name, isInit))
    if grace > 0 {
      if let p = rc.mainPid { Glibc.kill(p, SIGTERM) } else { terminateOnStart.insert(name) }
      if await rc.process.wait(timeout: .seconds(grace)) != nil { return }
    }
    kill(running[name] ?? rc)
  }

  // MARK: probes

  private func probeLoop(container: String, spec: JSONValue, index i: Int) async {
    if let startup = ProbeSpec(spec["startupProbe"], container: spec) {
      guard await runProbe(startup, kind: "Startup", container: container, index: i) else { return }
      snapshot.containers[i].started = true
      if spec["readinessProbe"].isNull { snapshot.containers[i].ready = true }
      publish()
    }
    await withTaskGroup(of: Void.self) { g in
      if let readiness = ProbeSpec(spec["readinessProbe"], container: spec) {
        g.addTask { _ = await self.runProbe(readiness, kind: "Readiness", container: container, index: i) }
      }
      if let liveness = ProbeSpec(spec["livenessProbe"], container: spec) {
        g.addTask { _ = await self.runProbe(liveness, kind: "Liveness", container: container, index: i) }
      }
    }
  }

  /// Runs a probe on its schedule. Startup returns true once it succeeds; liveness returns
  /// after it has killed the container; readiness runs until cancelled.
  private func runProbe(_ probe: ProbeSpec, kind: String, container: String, index i: Int) async -> Bool {
    try? await Task.sleep(for: probe.initialDelay)
    var successes = 0
    var failures = 0
    while !Task.isCancelled, running[container] != nil, !stopping {
      let result = await probeOnce(probe, container: container)
      if Task.isCancelled || running[container] == nil { return false }
      switch result {
      case .success:
        successes += 1
        failures = 0
        if kind == "Startup" { return true }
        if kind == "Readiness", successes >= probe.successThreshold, !snapshot.containers[i].ready {
          snapshot.containers[i].ready = true
          publish()
        }
      case .failure(let message):
        failures += 1
        successes = 0
        await ctx.events.record(
          pod, type: "Warning", reason: "Unhealthy", message: "\(kind) probe failed: \(message)",
          fieldPath: fieldPath(container, false))
        if kind == "Readiness", snapshot.containers[i].ready, failures >= probe.failureThreshold {
          snapshot.containers[i].ready = false
          publish()
        }
        if kind != "Readiness", failures >= probe.failureThreshold {
          let grace = pod["spec"]["terminationGracePeriodSeconds"].intValue ?? 30
          await stopContainer(
            container, grace: grace,
            message: "Container \(container) failed \(kind.lowercased()) probe, will be restarted")
          return false
        }
      }
      try? await Task.sleep(for: probe.period)
    }
    return false
  }

  private func probeOnce(_ probe: ProbeSpec, container: String) async -> ProbeResult {
    switch probe.action {
    case .tcp(let host, let port): return await ProbeRunner.tcp(host: host, port: port, timeout: probe.timeout)
    case .http(_, let host, let port, let path, let headers):
      return await ProbeRunner.http(host: host, port: port, path: path, headers: headers, timeout: probe.timeout)
    case .exec(let command):
      let collected = OutputCollector()
      let io = ExecIO(
        stdin: nil, resize: nil, stdout: { collected.append($0) }, stderr: { collected.append($0) })
      let outcome = await withTaskGroup(of: ExecOutcome?.self) { g in
        g.addTask { try? await self.exec(container: container, command: command, tty: false, io: io) }
        g.addTask {
          try? await Task.sleep(for: probe.timeout)
          return nil
        }
        let first = await g.next() ?? nil
        g.cancelAll()
        return first
      }
      switch outcome {
      case .exited(0): return .success
      case .exited: return .failure(collected.text.trimmingCharacters(in: .whitespacesAndNewlines))
      case .failed(let m): return .failure(m)
      case nil: return .failure("command \(command.description) timed out")
      }
    }
  }

  // MARK: exec

  /// As the kubelet answers for a container that is not (yet, or any more) running.
  func execRefusal(container: String) -> String? {
    running[container]?.mainPid == nil ? Self.notFound(container) : nil
  }

  private static func notFound(_ container: String) -> String { "container not found (\"\(container)\")" }

  /// Runs `command` inside a running container (see ``ContainerLaunch/execArgv``).
  func exec(container: String, command: [String], tty: Bool, io: ExecIO) async throws -> ExecOutcome {
    // The container can stop between the API server's check and here.
    guard let rc = running[container], let pid = rc.mainPid else {
      return .failed(message: Self.notFound(container))
    }
    let (path, argv) = ContainerLaunch.execArgv(
      pid: pid, user: rc.launch.user, workingDir: rc.launch.workingDir, command: command, tty: tty)
    return try await ExecSession.run(path: path, argv: argv, environment: rc.launch.envp, tty: tty, io: io)
  }

  func waitingReason(container: String) -> String? {
    let all = snapshot.initContainers + snapshot.containers
    if case .waiting(let reason, _) = all.first(where: { $0.name == container })?.state { return reason }
    return nil
  }

  func logPath(container: String, previous: Bool) -> String? {
    let all = snapshot.initContainers + snapshot.containers
    guard let c = all.first(where: { $0.name == container }), c.containerID != nil else { return nil }
    let n = c.restartCount - (previous ? 1 : 0)
    guard n >= 0 else { return nil }
    return layout.logFile(container: container, restart: n).path
  }

  // MARK: deadline and termination

  private func startDeadlineTimer() {
    guard let seconds = pod["spec"]["activeDeadlineSeconds"].intValue, let start = snapshot.startTime else { return }
    let remaining = start.addingTimeInterval(Double(seconds)).timeIntervalSinceNow
    deadlineTask = Task {
      try? await Task.sleep(for: .milliseconds(Int64(max(0, remaining) * 1000)))
      if Task.isCancelled { return }
      await self.deadlineExceeded()
    }
  }

  private func deadlineExceeded() async {
    guard !finished, !stopping else { return }
    let message = "Pod was active on the node longer than the specified deadline"
    snapshot.failure = ("DeadlineExceeded", message)
    await ctx.events.record(pod, type: "Warning", reason: "DeadlineExceeded", message: message)
    await stopAll(grace: pod["spec"]["terminationGracePeriodSeconds"].intValue ?? 30)
    await finish()
  }

  private func stopAll(grace: Int64) async {
    stopping = true
    deadlineTask?.cancel()
    let names = Array(running.keys)
    await withTaskGroup(of: Void.self) { g in
      for n in names { g.addTask { await self.stopContainer(n, grace: grace) } }
    }
    await mainTask?.value
  }

  /// Graceful termination on deletion: SIGTERM, SIGKILL after the grace period, sandbox gone,
  /// a final status, then the pod object deleted with grace period 0.
  private func terminate(grace: Int64, deleteObject: Bool) async {
    await stopAll(grace: grace)
    finished = true
    await sandbox?.destroy()
    sandbox = nil
    snapshot.sandboxReady = false
    if !deleted {
      publish()
      await waitForWrites()
    }
    if deleteObject && !deleted {
      do {
        try await ctx.store.delete(KubeletResources.pods, namespace: namespace, name: name, gracePeriodSeconds: 0)
      } catch {
        ctx.logger.warning("cannot delete pod \(namespace)/\(name): \(error)")
      }
    }
    try? FileManager.default.removeItem(at: layout.podDir)
  }

  // MARK: status

  /// Schedules a status write if the status changed since the last one.
  private func publish() {
    dirty = true
    guard !writing else { return }
    writing = true
    Task { await self.writeLoop() }
  }

  private func waitForWrites() async {
    while writing { try? await Task.sleep(for: .milliseconds(10)) }
  }

  private func writeLoop() async {
    defer { writing = false }
    while dirty && !deleted {
      dirty = false
      var attempts = 0
      while attempts < 5 && !deleted {
        attempts += 1
        var current: JSONValue
        do {
          current = try await ctx.store.get(KubeletResources.pods, namespace: namespace, name: name)
        } catch {
          return
        }
        guard current["metadata"]["uid"].stringValue == uid else { return }
        let status = PodStatusBuilder.build(pod: current, snapshot: snapshot, finished: finished, now: Date())
        if let last = lastWritten, PodStatusBuilder.comparable(last) == PodStatusBuilder.comparable(status) { break }
        current["status"] = status
        do {
          let written = try await ctx.store.updateStatus(KubeletResources.pods, namespace: namespace, object: current)
          lastWritten = status
          if written["metadata"]["resourceVersion"] != pod["metadata"]["resourceVersion"] {
            var p = pod
            p["status"] = status
            pod = p
          }
          break
        } catch let s as Status where s.code == 409 {
          continue
        } catch {
          ctx.logger.warning("cannot write status of pod \(namespace)/\(name): \(error)")
          break
        }
      }
    }
  }
}

/// Collects output bytes from concurrent writers (probe output).
final class OutputCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt8] = []
  func append(_ b: [UInt8]) {
    lock.lock()
    if bytes.count < 10240 { bytes += b }
    lock.unlock()
  }
  var isEmpty: Bool {
    lock.lock()
    defer { lock.unlock() }
    return bytes.isEmpty
  }
  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: bytes, as: UTF8.self)
  }
}
