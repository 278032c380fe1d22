import CRDModels
import Foundation
import KubeClient
import Logging
import NIOHTTP1
import Synchronization

/// The `runners/exec` API under `/apis/exec.gra.dev/v1alpha1/namespaces/NS/runners/NAME/`:
/// - `POST exec` with an ``ExecRequest`` body answers a stream of newline-delimited JSON
///   ``ExecFrame``s; `GET exec` with a WebSocket upgrade speaks `v5.channel.k8s.io`;
/// - `POST execs` starts a durable exec and answers its id at once; `GET execs/ID?follow=true&
///   offset=N` replays and follows it; `DELETE execs/ID?signal=TERM` signals it.
///
/// Kubernetes decides who may exec: the bearer token goes to a TokenReview, the user then
/// needs `create` on `runners/exec` in group `gra.dev` (SubjectAccessReview). Only then does
/// the bridge touch the runner's pod, over `pods/exec` with the operator's own rights. Every
/// exec is recorded as an Event on the Runner and bumps its `status.lastActivityTime`.
public final class ExecBridge: Sendable {
  public struct Limits: Sendable {
    /// Used when neither the request nor the runner's `spec.exec` sets a timeout.
    public var defaultTimeoutSeconds = Int(GraDefaults.execDefaultTimeoutSeconds)
    public var maxTimeoutSeconds = 3600
    public var defaultOutputLimitBytes = Int(GraDefaults.execOutputLimitBytes)
    /// Used when the runner's `spec.exec.maxConcurrent` is not set.
    public var maxConcurrentPerRunner = Int(GraDefaults.execMaxConcurrent)
    /// Output a durable exec keeps for reattaching clients.
    public var replayBufferBytes = 1 << 20
    /// How long a finished durable exec stays readable.
    public var retainFinished: Duration = .seconds(600)
    public init() {}
  }

  static let prefix = "/apis/exec.gra.dev/v1alpha1/namespaces/"
  let client: KubernetesClient
  let authorizer: BridgeAuthorizer
  private let requestHeader: RequestHeaderAuthenticator?
  private let events: EventRecorder?
  let limits: Limits
  let logger: Logger
  let metrics: BridgeMetrics?
  let durable: DurableExecStore
  private let slots = Mutex<[String: Int]>([:])

  /// `requestHeader`: trust the aggregator's front-proxy certificate (see
  /// ``RequestHeaderAuthenticator``); nil accepts bearer tokens only.
  public init(
    client: KubernetesClient, authorizer: BridgeAuthorizer, requestHeader: RequestHeaderAuthenticator? = nil,
    events: EventRecorder?, limits: Limits = Limits(), metrics: MetricsRegistry? = nil, logger: Logger
  ) {
    self.metrics = metrics.map(BridgeMetrics.init(registry:))
    self.client = client
    self.authorizer = authorizer
    self.requestHeader = requestHeader
    self.events = events
    self.limits = limits
    self.logger = logger
    self.durable = DurableExecStore(retain: limits.retainFinished)
  }

  /// The caller: a front-proxy request (client certificate from the requestheader CA, user in
  /// `X-Remote-User`) or a bearer token that a TokenReview accepts; nil for anyone else.
  func authenticate(_ req: BridgeRequest) async throws -> BridgeUser? {
    if let rh = requestHeader {
      switch rh.authenticate(commonName: req.clientCertificateCommonName, headers: req.headers) {
      case .authenticated(let user): return user
      case .refused(let why):
        logger.info("front-proxy request refused", metadata: ["reason": "\(why)"])
        return nil
      case .notApplicable: break
      }
    }
    guard let auth = req.headers.first(name: "Authorization"), auth.lowercased().hasPrefix("bearer ") else {
      return nil
    }
    let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    guard !token.isEmpty else { return nil }
    return try await authorizer.authenticate(token: token)
  }

  public func handle(_ req: BridgeRequest, _ w: BridgeResponseWriter) async {
    do {
      let path = req.path.split(separator: "?").first.map(String.init) ?? req.path
      switch (req.method, path) {
      case (.GET, "/apis/exec.gra.dev"), (.GET, "/apis/exec.gra.dev/"):
        return try await json(w, .ok, BridgeDiscovery.group)
      case (.GET, "/apis/exec.gra.dev/v1alpha1"), (.GET, "/apis/exec.gra.dev/v1alpha1/"):
        return try await json(w, .ok, BridgeDiscovery.resources)
      default: break
      }
      if let (namespace, id) = Self.execsInNamespace(path) {
        guard req.method == .GET else {
          return try await status(
            w,
            Status(
              message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed",
              code: 405))
        }
        guard let user = try await authenticate(req) else {
          metrics?.refused.inc(labels: ["code": "401"])
          return try await status(w, Status(message: "Unauthorized", reason: "Unauthorized", code: 401))
        }
        return try await listExecs(w, namespace: namespace, id: id, user: user)
      }
      guard let target = Self.target(path) else {
        return try await status(
          w, Status(message: "the server could not find the requested resource", reason: "NotFound", code: 404))
      }
      // 1. Who is it? The front proxy (a verified client certificate) or Kubernetes (TokenReview).
      guard let user = try await authenticate(req) else {
        metrics?.refused.inc(labels: ["code": "401"])
        return try await status(w, Status(message: "Unauthorized", reason: "Unauthorized", code: 401))
      }
      // 2. May they? Kubernetes says (SubjectAccessReview: create on runners/exec in gra.dev).
      let (allowed, why) = try await authorizer.mayExec(user, namespace: target.namespace, name: target.runner)
      guard allowed else {
        metrics?.refused.inc(labels: ["code": "403"])
        let message =
          "runners.gra.dev \"\(target.runner)\" is forbidden: User \"\(user.name)\" cannot create resource \"runners/exec\" in API group \"gra.dev\" in the namespace \"\(target.namespace)\""
          + (why.isEmpty ? "" : ": \(why)")
        return try await status(
          w,
          Status(
            message: message, reason: "Forbidden",
            details: StatusDetails(name: target.runner, group: "gra.dev", kind: "runners"), code: 403))
      }
      switch (req.method, target.kind) {
      case (.POST, .exec): try await streamExec(req, w, target, user)
      case (.POST, .execs): try await startDurable(req, w, target, user)
      case (.GET, .exec(let id?)): try await readDurable(req, w, target, id: id, user: user)
      case (.DELETE, .exec(let id?)): try await signalDurable(req, w, target, id: id, user: user)
      default:
        try await status(
          w,
          Status(
            message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed",
            code: 405))
      }
    } catch {
      logger.debug("bridge request ended", metadata: ["error": "\(error)"])
      // A review or lookup that failed before any answer: say so, in Status form.
      if !w.started, !Task.isCancelled {
        try? await status(
          w,
          Status(
            message: "Internal error occurred: \(error)", reason: "InternalError",
            details: StatusDetails(causes: [StatusCause(message: "\(error)")]), code: 500))
      }
    }
  }

  /// `(namespace, id)` of `…/namespaces/NS/execs` (id nil) or `…/namespaces/NS/execs/ID`.
  static func execsInNamespace(_ path: String) -> (String, String?)? {
    guard path.hasPrefix(prefix) else { return nil }
    let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
    guard parts.count == 2 || parts.count == 3, parts[1] == "execs" else { return nil }
    return (parts[0], parts.count == 3 ? parts[2] : nil)
  }

  /// The caller's own durable execs in a namespace (`kind: ExecList`), or one of them. Others'
  /// execs are invisible (404), so no further review is needed than knowing who asks.
  private func listExecs(_ w: BridgeResponseWriter, namespace: String, id: String?, user: BridgeUser) async throws {
    await durable.prune()
    var mine: [DurableExec] = []
    for e in await durable.all()
    where e.namespace == namespace && e.owner.name == user.name && (id == nil || e.id == id) {
      mine.append(e)
    }
    if let id {
      guard let e = mine.first else {
        return try await status(
          w,
          Status(
            message: "execs.exec.gra.dev \"\(id)\" not found", reason: "NotFound",
            details: StatusDetails(name: id, group: "exec.gra.dev", kind: "execs"), code: 404))
      }
      return try await json(w, .ok, await e.object())
    }
    var items: [JSONValue] = []
    for e in mine { items.append(await e.object()) }
    try await json(
      w, .ok,
      ["apiVersion": "exec.gra.dev/v1alpha1", "kind": "ExecList", "metadata": .object([:]), "items": .array(items)])
  }

  /// What a path names under `…/namespaces/NS/runners/NAME/`.
  struct Target: Equatable {
    enum Kind: Equatable {
      /// `exec` (streaming), or `execs/ID` (one durable exec).
      case exec(id: String?)
      /// `execs`.
      case execs
    }
    var namespace: String
    var runner: String
    var kind: Kind
  }

  static func target(_ path: String) -> Target? {
    guard path.hasPrefix(prefix) else { return nil }
    let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
    guard parts.count >= 4, parts[1] == "runners" else { return nil }
    switch (parts.count, parts[3]) {
    case (4, "exec"): return Target(namespace: parts[0], runner: parts[2], kind: .exec(id: nil))
    case (4, "execs"): return Target(namespace: parts[0], runner: parts[2], kind: .execs)
    case (5, "execs"): return Target(namespace: parts[0], runner: parts[2], kind: .exec(id: parts[4]))
    default: return nil
    }
  }

  /// What an exec in `runner` runs with, or why it cannot run.
  struct Plan {
    var pod: String
    var timeoutSeconds: Int
    var outputLimit: Int
    var maxConcurrent: Int
  }

  enum Planned {
    case success(Plan)
    case failure(ExecEnd)
  }

  func plan(_ runner: Runner, _ request: ExecRequest) -> Planned {
    let name = runner.metadata.name ?? ""
    if runner.spec?.suspend == true {
      return .failure(
        .notRun(
          reason: "RunnerSuspended",
          message: "runner \(name) is suspended; resume it (kubectl gra resume \(name)) and retry"))
    }
    guard let pod = runner.status?.podName, runner.status?.conditions?[type: GraConditions.ready]?.status == .true
    else {
      let ready = runner.status?.conditions?[type: GraConditions.ready]
      return .failure(
        .notRun(
          reason: "RunnerNotReady",
          message:
            "runner \(name) is not ready (\(runner.status?.phase?.rawValue ?? "Pending")\(ready.map { ": \($0.message)" } ?? "")); wait for it (kubectl gra wait \(name)) and retry"
        ))
    }
    let exec = runner.spec?.exec
    let timeout = min(
      limits.maxTimeoutSeconds,
      request.timeoutSeconds ?? Int(exec?.defaultTimeoutSeconds ?? Int64(limits.defaultTimeoutSeconds)))
    return .success(
      Plan(
        pod: pod, timeoutSeconds: max(1, timeout),
        outputLimit: Int(exec?.outputLimitBytes ?? Int64(limits.defaultOutputLimitBytes)),
        maxConcurrent: Int(exec?.maxConcurrent ?? Int32(limits.maxConcurrentPerRunner))))
  }

  /// Takes one of the runner's exec slots; false when all `max` are in use.
  func acquire(_ key: String, max: Int) -> Bool {
    slots.withLock { s in
      guard s[key, default: 0] < max else { return false }
      s[key, default: 0] += 1
      return true
    }
  }

  func release(_ key: String) {
    slots.withLock { s in
      s[key, default: 1] -= 1
      if s[key] == 0 { s[key] = nil }
    }
  }

  /// Stops the durable execs still running (their final frame says they were signaled or lost).
  public func shutdown() async {
    for e in await durable.all() { _ = await e.signal("TERM") }
  }

  /// Decodes and validates the body, and reads the runner; answers the error itself and
  /// returns nil when the request cannot go on.
  private func prepare(
    _ req: BridgeRequest, _ w: BridgeResponseWriter, _ t: Target
  ) async throws -> (ExecRequest, Runner)? {
    let request: ExecRequest
    do {
      request = try KubeJSON.decode(ExecRequest.self, from: Data(req.body))
    } catch {
      try await status(
        w, Status(message: "the request body is not an exec request: \(error)", reason: "BadRequest", code: 400))
      return nil
    }
    let causes = request.validate(maxTimeoutSeconds: limits.maxTimeoutSeconds)
    guard causes.isEmpty else {
      try await status(
        w,
        Status(
          message: "ExecRequest \"\(t.runner)\" is invalid: "
            + causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: ", "),
          reason: "Invalid",
          details: StatusDetails(name: t.runner, group: "exec.gra.dev", kind: "ExecRequest", causes: causes), code: 422)
      )
      return nil
    }
    guard let runner = try await client.api(Runner.self, namespace: t.namespace).getIfExists(t.runner) else {
      try await status(
        w,
        Status(
          message: "runners.gra.dev \"\(t.runner)\" not found", reason: "NotFound",
          details: StatusDetails(name: t.runner, group: "gra.dev", kind: "runners"), code: 404))
      return nil
    }
    return (request, runner)
  }

  private func tooMany(_ w: BridgeResponseWriter, _ t: Target, _ max: Int) async throws {
    metrics?.refused.inc(labels: ["code": "429"])
    let s = Status(
      message:
        "runner \(t.runner) already runs \(max) execs (its spec.exec.maxConcurrent); wait for one to finish and retry",
      reason: "TooManyRequests",
      details: StatusDetails(name: t.runner, group: "gra.dev", kind: "runners", retryAfterSeconds: 1), code: 429)
    let body = try KubeJSON.encodeBytes(s)
    try await w.respond(
      status: .tooManyRequests, headers: [("Content-Type", "application/json"), ("Retry-After", "1")], body: body)
  }

  // MARK: - Streaming exec (POST exec)

  private func streamExec(_ req: BridgeRequest, _ w: BridgeResponseWriter, _ t: Target, _ user: BridgeUser) async throws
  {
    guard let (request, runner) = try await prepare(req, w, t) else { return }
    let started = Date()
    switch plan(runner, request) {
    case .failure(let end):
      try await w.start(
        status: .ok, headers: [("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store")])
      try? await w.write(Array(ExecFrame.exit(end).line().utf8))
      try? await w.end()
      await record(end, request: request, user: user, runner: runner, since: started, bytes: 0)
    case .success(let plan):
      let key = "\(t.namespace)/\(t.runner)"
      guard acquire(key, max: plan.maxConcurrent) else { return try await tooMany(w, t, plan.maxConcurrent) }
      defer { release(key) }
      try await w.start(
        status: .ok, headers: [("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store")])
      metrics?.active.add(1)
      defer { metrics?.active.add(-1) }
      let run = ExecRun(
        client: client, namespace: t.namespace, pod: plan.pod, id: Self.newID(), request: request,
        timeoutSeconds: plan.timeoutSeconds, outputLimit: plan.outputLimit, tty: false, logger: logger)
      let offset = Locked(0)
      let metrics = self.metrics
      let end = await run.run(stdin: Self.stdinStream(request)) { stream, bytes in
        let at = offset.withLock { o -> Int in
          defer { o += bytes.count }
          return o
        }
        metrics?.bytes.inc(Double(bytes.count), labels: ["stream": stream.rawValue])
        do {
          try await w.write(ExecFrame.output(stream: stream, offset: at, bytes: Array(bytes)).lineBytes())
        } catch {
          throw ExecRun.ConsumerGone()
        }
      }
      try? await w.write(Array(ExecFrame.exit(end).line().utf8))
      try? await w.end()
      // Recorded even when the client went away (and so this task is cancelled).
      let bytes = offset.withLock { $0 }
      await Task { await self.record(end, request: request, user: user, runner: runner, since: started, bytes: bytes) }
        .value
    }
  }

  static func stdinStream(_ r: ExecRequest) -> AsyncStream<[UInt8]>? {
    guard let input = r.stdin else { return nil }
    let (s, c) = AsyncStream<[UInt8]>.makeStream()
    c.yield(Array(input.utf8))
    c.finish()
    return s
  }

  static func newID() -> String {
    (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
  }

  // MARK: - Durable execs (POST execs, GET/DELETE execs/ID)

  private func startDurable(
    _ req: BridgeRequest, _ w: BridgeResponseWriter, _ t: Target, _ user: BridgeUser
  ) async throws {
    guard let (request, runner) = try await prepare(req, w, t) else { return }
    await durable.prune()
    let started = Date()
    let exec = DurableExec(
      id: Self.newID(), namespace: t.namespace, runner: t.runner, owner: user, request: request,
      capacity: limits.replayBufferBytes)
    switch plan(runner, request) {
    case .failure(let end):
      await exec.finish(end)
      await durable.add(exec)
      await record(end, request: request, user: user, runner: runner, since: started, bytes: 0)
    case .success(let plan):
      let key = "\(t.namespace)/\(t.runner)"
      guard acquire(key, max: plan.maxConcurrent) else { return try await tooMany(w, t, plan.maxConcurrent) }
      let (signals, signalSink) = AsyncStream<String>.makeStream()
      await exec.attachSignals(signalSink)
      await durable.add(exec)
      let run = ExecRun(
        client: client, namespace: t.namespace, pod: plan.pod, id: exec.id, request: request,
        timeoutSeconds: plan.timeoutSeconds, outputLimit: plan.outputLimit, tty: false, logger: logger)
      let metrics = self.metrics
      metrics?.active.add(1)
      // Runs on its own: no reader is required, and none slows it.
      Task.detached { [self] in
        let end = await run.run(stdin: Self.stdinStream(request), signals: signals) { stream, bytes in
          metrics?.bytes.inc(Double(bytes.count), labels: ["stream": stream.rawValue])
          await exec.append(stream, Array(bytes))
        }
        await exec.finish(end)
        self.release(key)
        metrics?.active.add(-1)
        let total = await exec.read(from: Int.max).next
        await self.record(end, request: request, user: user, runner: runner, since: started, bytes: total)
      }
    }
    try await json(w, .created, await exec.object())
  }

  /// The durable exec `id` when `user` started it; others get 404 (it is theirs to know about).
  private func owned(
    _ id: String, _ t: Target, _ user: BridgeUser, _ w: BridgeResponseWriter
  ) async throws -> DurableExec? {
    guard let e = await durable.get(id), e.namespace == t.namespace, e.runner == t.runner, e.owner.name == user.name
    else {
      try await status(
        w,
        Status(
          message: "execs.exec.gra.dev \"\(id)\" not found", reason: "NotFound",
          details: StatusDetails(name: id, group: "exec.gra.dev", kind: "execs"), code: 404))
      return nil
    }
    return e
  }

  private func readDurable(
    _ req: BridgeRequest, _ w: BridgeResponseWriter, _ t: Target, id: String, user: BridgeUser
  ) async throws {
    guard let exec = try await owned(id, t, user, w) else { return }
    let query = req.query
    let follow = query["follow"].map { $0 == "true" || $0 == "1" || $0.isEmpty } ?? false
    var offset = max(0, query["offset"].flatMap(Int.init) ?? 0)
    try await w.start(status: .ok, headers: [("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store")])
    while true {
      let (frames, next, end) = await exec.read(from: offset)
      for f in frames { try await w.write(f.lineBytes()) }
      offset = next
      if let end {
        try await w.write(Array(ExecFrame.exit(end).line().utf8))
        break
      }
      if !follow || Task.isCancelled { break }
      let token = UUID()
      await withTaskCancellationHandler {
        await exec.waitForChange(after: offset, token: token)
      } onCancel: {
        Task { await exec.stopWaiting(token) }
      }
      if Task.isCancelled { return }
    }
    try await w.end()
  }

  private func signalDurable(
    _ req: BridgeRequest, _ w: BridgeResponseWriter, _ t: Target, id: String, user: BridgeUser
  ) async throws {
    guard let exec = try await owned(id, t, user, w) else { return }
    let name = (req.query["signal"] ?? "TERM").uppercased().replacingOccurrences(of: "SIG", with: "")
    guard ExecRun.signalNumbers[name] != nil else {
      return try await status(
        w,
        Status(
          message:
            "unsupported signal \"\(name)\": use one of \(ExecRun.signalNumbers.keys.sorted().joined(separator: ", "))",
          reason: "BadRequest", code: 400))
    }
    _ = await exec.signal(name)
    try await json(w, .accepted, await exec.object())
  }

  // MARK: - Records

  func record(_ end: ExecEnd, request: ExecRequest, user: BridgeUser, runner: Runner, since: Date, bytes: Int) async {
    let shown = request.command.joined(separator: " ")
    let command = shown.count > 120 ? String(shown.prefix(117)) + "..." : shown
    let elapsed = Date().timeIntervalSince(since)
    let seconds = String(format: "%.1f", elapsed)
    let outcome: String
    switch end {
    case .exited(let c): outcome = "exit code \(c)"
    case .signaled(let s): outcome = "signal \(s)"
    case .timedOut(let s): outcome = "timed out after \(s)s"
    case .outputLimitReached(let b): outcome = "stopped at the \(b)-byte output limit"
    case .lost(let m): outcome = "outcome lost: \(m)"
    case .notRun(let reason, _): outcome = "not run (\(reason))"
    }
    let label = BridgeMetrics.outcome(end)
    metrics?.execs.inc(labels: ["outcome": label])
    metrics?.duration.observe(elapsed, labels: ["outcome": label])
    logger.info(
      "exec",
      metadata: [
        "runner": "\(runner.metadata.namespace ?? "")/\(runner.metadata.name ?? "")", "user": "\(user.name)",
        "outcome": "\(outcome)", "seconds": "\(seconds)", "bytes": "\(bytes)",
      ])
    await events?.record(
      EventSubject(runner), .normal, reason: "Exec", "\(user.name) ran `\(command)`: \(outcome) in \(seconds)s",
      action: "Exec")
    if case .notRun = end { return }
    let now = Time.now()
    _ = try? await client.api(Runner.self, namespace: runner.metadata.namespace).patchStatus(
      runner.metadata.name ?? "", .merge(["status": ["lastActivityTime": .string(now.description)]]))
  }

  func status(_ w: BridgeResponseWriter, _ s: Status) async throws {
    let code = HTTPResponseStatus(statusCode: s.code ?? 500)
    try await w.respond(status: code, contentType: "application/json", body: try KubeJSON.encodeBytes(s))
  }

  func json(_ w: BridgeResponseWriter, _ code: HTTPResponseStatus, _ v: JSONValue) async throws {
    try await w.respond(status: code, contentType: "application/json", body: try KubeJSON.encodeBytes(v))
  }
}

/// Discovery documents for the aggregated group, so `kubectl api-resources` and the
/// aggregator see `runners/exec` (a broken discovery blocks namespace deletion cluster-wide).
enum BridgeDiscovery {
  static var group: JSONValue {
    let version: JSONValue = ["groupVersion": "exec.gra.dev/v1alpha1", "version": "v1alpha1"]
    return [
      "kind": "APIGroup", "apiVersion": "v1", "name": "exec.gra.dev", "versions": [version],
      "preferredVersion": version,
    ]
  }
  static var resources: JSONValue {
    let exec: JSONValue = [
      "name": "runners/exec", "singularName": "", "namespaced": true, "kind": "ExecRequest",
      "verbs": ["create", "get"],
    ]
    let execs: JSONValue = [
      "name": "runners/execs", "singularName": "", "namespaced": true, "kind": "Exec",
      "verbs": ["create", "delete", "get"],
    ]
    // A top-level resource, so `kubectl api-resources` and `kubectl get execs` show the group.
    let list: JSONValue = [
      "name": "execs", "singularName": "exec", "namespaced": true, "kind": "Exec", "verbs": ["get", "list"],
    ]
    return [
      "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "exec.gra.dev/v1alpha1",
      "resources": [list, exec, execs],
    ]
  }
}
