import CRDModels
import Foundation
import KubeClient
import Logging
import NIOHTTP1

/// The `runners/exec` API: `POST /apis/exec.gra.dev/v1alpha1/namespaces/NS/runners/NAME/exec`
/// with an ``ExecRequest`` body answers a stream of newline-delimited JSON ``ExecFrame``s.
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
  private let client: KubernetesClient
  private let authorizer: BridgeAuthorizer
  private let requestHeader: RequestHeaderAuthenticator?
  private let events: EventRecorder?
  private let limits: Limits
  private let logger: Logger
  let metrics: BridgeMetrics?

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
  }

  /// Stops durable execs still running.
  public func shutdown() async {}

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
      guard let (namespace, name) = Self.target(path) else {
        return try await status(w, Status(message: "the server could not find the requested resource", reason: "NotFound", code: 404))
      }
      guard req.method == .POST else {
        return try await status(w, Status(message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed", code: 405))
      }
      try await exec(req, w, namespace: namespace, name: name)
    } catch {
      logger.debug("bridge request ended", metadata: ["error": "\(error)"])
    }
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
    guard let auth = req.headers.first(name: "Authorization"), auth.lowercased().hasPrefix("bearer ") else { return nil }
    let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    guard !token.isEmpty else { return nil }
    return try await authorizer.authenticate(token: token)
  }

  /// `(namespace, name)` of `…/namespaces/NS/runners/NAME/exec`.
  static func target(_ path: String) -> (String, String)? {
    guard path.hasPrefix(prefix) else { return nil }
    let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
    guard parts.count == 4, parts[1] == "runners", parts[3] == "exec" else { return nil }
    return (parts[0], parts[2])
  }

  private func exec(_ req: BridgeRequest, _ w: BridgeResponseWriter, namespace: String, name: String) async throws {
    // 1. Who is it? The front proxy (a verified client certificate) or Kubernetes (TokenReview).
    guard let user = try await authenticate(req) else {
      return try await status(w, Status(message: "Unauthorized", reason: "Unauthorized", code: 401))
    }
    // 2. May they? Kubernetes says (SubjectAccessReview on runners/exec, verb create).
    let (allowed, why) = try await authorizer.mayExec(user, namespace: namespace, name: name)
    guard allowed else {
      let message = "runners.gra.dev \"\(name)\" is forbidden: User \"\(user.name)\" cannot create resource \"runners/exec\" in API group \"gra.dev\" in the namespace \"\(namespace)\"" + (why.isEmpty ? "" : ": \(why)")
      return try await status(
        w, Status(message: message, reason: "Forbidden", details: StatusDetails(name: name, group: "gra.dev", kind: "runners"), code: 403))
    }
    // 3. What to run.
    let request: ExecRequest
    do {
      request = try KubeJSON.decode(ExecRequest.self, from: Data(req.body))
    } catch {
      return try await status(w, Status(message: "the request body is not an exec request: \(error)", reason: "BadRequest", code: 400))
    }
    let causes = request.validate(maxTimeoutSeconds: limits.maxTimeoutSeconds)
    guard causes.isEmpty else {
      return try await status(
        w,
        Status(
          message: "ExecRequest \"\(name)\" is invalid: " + causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: ", "),
          reason: "Invalid", details: StatusDetails(name: name, group: "exec.gra.dev", kind: "ExecRequest", causes: causes), code: 422))
    }
    // 4. Where: the runner's pod.
    guard let runner = try await client.api(Runner.self, namespace: namespace).getIfExists(name) else {
      return try await status(
        w, Status(message: "runners.gra.dev \"\(name)\" not found", reason: "NotFound", details: StatusDetails(name: name, group: "gra.dev", kind: "runners"), code: 404))
    }
    try await w.start(status: .ok, headers: [("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store")])
    let started = Date()
    let end = await run(request, runner: runner, namespace: namespace, writer: w)
    try? await w.write(Array(ExecFrame.exit(end).line().utf8))
    try? await w.end()
    await record(end, request: request, user: user, runner: runner, since: started)
  }

  private func run(_ request: ExecRequest, runner: Runner, namespace: String, writer w: BridgeResponseWriter) async -> ExecEnd {
    let name = runner.metadata.name ?? ""
    if runner.spec?.suspend == true {
      return .notRun(reason: "RunnerSuspended", message: "runner \(name) is suspended; resume it (kubectl gra resume \(name)) and retry")
    }
    guard let pod = runner.status?.podName, runner.status?.conditions?[type: GraConditions.ready]?.status == .true else {
      let ready = runner.status?.conditions?[type: GraConditions.ready]
      return .notRun(
        reason: "RunnerNotReady",
        message: "runner \(name) is not ready (\(runner.status?.phase?.rawValue ?? "Pending")\(ready.map { ": \($0.message)" } ?? "")); wait for it (kubectl gra wait \(name)) and retry")
    }
    let timeout = request.timeoutSeconds ?? Int(runner.spec?.exec?.defaultTimeoutSeconds ?? Int64(limits.defaultTimeoutSeconds))
    let outputLimit = Int(runner.spec?.exec?.outputLimitBytes ?? Int64(limits.defaultOutputLimitBytes))
    let counter = OutputCounter()
    let command = Self.wrap(request)
    var stdin: AsyncStream<[UInt8]>?
    if let input = request.stdin {
      let (s, c) = AsyncStream<[UInt8]>.makeStream()
      c.yield(Array(input.utf8))
      c.finish()
      stdin = s
    }
    let client = self.client
    let input = stdin
    return await withTaskGroup(of: ExecEnd?.self) { group in
      group.addTask {
        do {
          let emit: @Sendable (ExecFrame.OutputStream, ArraySlice<UInt8>) async throws -> Void = { stream, bytes in
            guard let offset = await counter.add(bytes.count, limit: outputLimit) else { throw OutputLimitReached() }
            try await w.write(Array(ExecFrame.output(stream: stream, offset: offset, bytes: Array(bytes)).line().utf8))
          }
          let code = try await client.exec(
            namespace: namespace, pod: pod, ExecOptions(command: command, stdin: input != nil), stdin: input,
            stdout: { try await emit(.stdout, $0) }, stderr: { try await emit(.stderr, $0) })
          return .exited(code)
        } catch is OutputLimitReached {
          return .outputLimitReached(bytes: outputLimit)
        } catch is CancellationError {
          return nil
        } catch {
          if await counter.limitHit { return .outputLimitReached(bytes: outputLimit) }
          return .lost("the exec into pod \(pod) failed: \(error)")
        }
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(timeout))
        return Task.isCancelled ? nil : .timedOut(seconds: timeout)
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first ?? .lost("the client went away before the command finished")
    }
  }

  /// `pods/exec` has no environment or working directory: `env -C DIR K=V… CMD` provides both.
  static func wrap(_ r: ExecRequest) -> [String] {
    guard r.workingDir != nil || !(r.env ?? [:]).isEmpty else { return r.command }
    var c = ["env"]
    if let dir = r.workingDir { c += ["-C", dir] }
    c += (r.env ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    return c + r.command
  }

  private func record(_ end: ExecEnd, request: ExecRequest, user: BridgeUser, runner: Runner, since: Date) async {
    let shown = request.command.joined(separator: " ")
    let command = shown.count > 120 ? String(shown.prefix(117)) + "..." : shown
    let seconds = String(format: "%.1f", Date().timeIntervalSince(since))
    let outcome: String
    switch end {
    case .exited(let c): outcome = "exit code \(c)"
    case .signaled(let s): outcome = "signal \(s)"
    case .timedOut(let s): outcome = "timed out after \(s)s"
    case .outputLimitReached(let b): outcome = "stopped at the \(b)-byte output limit"
    case .lost(let m): outcome = "outcome lost: \(m)"
    case .notRun(let reason, _): outcome = "not run (\(reason))"
    }
    await events?.record(
      EventSubject(runner), .normal, reason: "Exec", "\(user.name) ran `\(command)`: \(outcome) in \(seconds)s", action: "Exec")
    if case .notRun = end { return }
    let now = Time.now()
    _ = try? await client.api(Runner.self, namespace: runner.metadata.namespace).patchStatus(
      runner.metadata.name ?? "", .merge(["status": ["lastActivityTime": .string(now.description)]]))
  }

  private func status(_ w: BridgeResponseWriter, _ s: Status) async throws {
    let code = HTTPResponseStatus(statusCode: s.code ?? 500)
    try await w.respond(status: code, contentType: "application/json", body: Array(try KubeJSON.encode(s)))
  }

  private func json(_ w: BridgeResponseWriter, _ code: HTTPResponseStatus, _ v: JSONValue) async throws {
    try await w.respond(status: code, contentType: "application/json", body: Array(try KubeJSON.encode(v)))
  }
}

private struct OutputLimitReached: Error {}

/// Counts output bytes across both streams; nil once the limit is passed.
private actor OutputCounter {
  private var total = 0
  private(set) var limitHit = false
  func add(_ n: Int, limit: Int) -> Int? {
    let offset = total
    total += n
    if total > limit { limitHit = true }
    return limitHit ? nil : offset
  }
}

/// Discovery documents for the aggregated group, so `kubectl api-resources` and the
/// aggregator see `runners/exec` (a broken discovery blocks namespace deletion cluster-wide).
enum BridgeDiscovery {
  static var group: JSONValue {
    let version: JSONValue = ["groupVersion": "exec.gra.dev/v1alpha1", "version": "v1alpha1"]
    return ["kind": "APIGroup", "apiVersion": "v1", "name": "exec.gra.dev", "versions": [version], "preferredVersion": version]
  }
  static var resources: JSONValue {
    let exec: JSONValue = [
      "name": "runners/exec", "singularName": "", "namespaced": true, "kind": "ExecRequest", "verbs": ["create"],
    ]
    return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "exec.gra.dev/v1alpha1", "resources": [exec]]
  }
}
