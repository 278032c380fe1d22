import CRDModels
import Foundation
import NIOCore

/// A client of the gra exec bridge (`runners/exec`), reached through the API server's
/// aggregation layer with the kubeconfig's own credentials:
/// `POST /apis/exec.gra.dev/v1alpha1/namespaces/NS/runners/NAME/exec`.
///
/// The caller needs `create` on `runners/exec`, not on `pods/exec`: in group `exec.gra.dev`
/// (the API server authorizes the aggregated path) and in `gra.dev` (the bridge checks it).
/// Output arrives as it is produced (newline-delimited JSON ``BridgeExecFrame``s); the handlers
/// are awaited one chunk at a time, so a slow consumer slows the stream instead of buffering.
///
/// ```swift
/// let bridge = BridgeExecClient(client: client)
/// let end = try await bridge.exec(runner: "demo", BridgeExecRequest(command: ["python3", "-V"]),
///                                 stdout: { print(String(decoding: $0, as: UTF8.self)) })
/// ```
///
/// Errors before the command runs (not found, forbidden, invalid request, bridge not served)
/// are thrown as ``KubeError``; everything after is in the returned ``BridgeExecEnd``.
public struct BridgeExecClient: Sendable {
  public let client: KubernetesClient
  public static let groupVersionPath = "/apis/exec.gra.dev/v1alpha1"

  public init(client: KubernetesClient) { self.client = client }

  func runnerPath(_ namespace: String?, _ runner: String) -> String {
    "\(Self.groupVersionPath)/namespaces/\(namespace ?? client.defaultNamespace)/runners/\(Api<JSONValue>.escapeSegment(runner))"
  }

  /// Runs a command in the runner and streams its output; returns how it ended.
  public func exec(
    namespace: String? = nil, runner: String, _ request: BridgeExecRequest,
    stdout: @escaping ExecOutputHandler = { _ in }, stderr: @escaping ExecOutputHandler = { _ in }
  ) async throws -> BridgeExecEnd {
    let body = try KubeJSON.encodeBytes(request)
    guard body.count < BridgeExecRequest.maxBodyBytes else {
      throw KubeError.invalid(
        "the exec request is \(body.count) bytes; the exec bridge takes at most \(BridgeExecRequest.maxBodyBytes) (send stdin in smaller pieces)"
      )
    }
    var r = KubeRequest(
      method: "POST", path: runnerPath(namespace, runner) + "/exec", body: body, contentType: "application/json")
    r.accept = "application/x-ndjson, application/json"
    let response = try await Self.mapErrors(runner: runner) { try await client.transport.stream(r, timeout: nil) }
    return try await Self.read(response.body, stdout: stdout, stderr: stderr)
      ?? .lost(
        message: "the connection to the exec bridge ended before the command finished; it may still have run")
  }

  /// Runs a command without streaming and collects its output.
  public func execCollect(
    namespace: String? = nil, runner: String, _ request: BridgeExecRequest
  ) async throws
    -> BridgeExecOutput
  {
    let out = ByteCollector()
    let err = ByteCollector()
    let end = try await exec(
      namespace: namespace, runner: runner, request, stdout: { await out.append($0) }, stderr: { await err.append($0) })
    return BridgeExecOutput(end: end, stdout: await out.bytes, stderr: await err.bytes)
  }

  // MARK: Durable execs

  /// Starts a durable exec (`POST …/runners/NAME/execs`): the command keeps running when the
  /// client goes away; ``attach(namespace:runner:id:offset:follow:stdout:stderr:)`` reads it.
  public func start(
    namespace: String? = nil, runner: String, _ request: BridgeExecRequest
  ) async throws -> BridgeDurableExec {
    let body = try KubeJSON.encodeBytes(request)
    let r = KubeRequest(
      method: "POST", path: runnerPath(namespace, runner) + "/execs", body: body, contentType: "application/json")
    let answer = try await Self.mapErrors(runner: runner) { try await client.send(r) }
    let value = try KubeJSON.decode(JSONValue.self, from: Data(answer))
    guard let id = value["id"].stringValue ?? value["metadata"]["name"].stringValue else {
      throw KubeError.decoding(
        "the exec bridge started an exec but did not say its id: \(String(decoding: answer.prefix(200), as: UTF8.self))"
      )
    }
    return BridgeDurableExec(id: id, object: value)
  }

  /// Reads a durable exec's output from combined byte `offset` (`GET …/execs/ID?offset=N`),
  /// following it until it ends when `follow`. Returns its end, or nil when the stream stopped
  /// while the command was still running (no `follow`).
  public func attach(
    namespace: String? = nil, runner: String, id: String, offset: Int = 0, follow: Bool = true,
    stdout: @escaping ExecOutputHandler = { _ in }, stderr: @escaping ExecOutputHandler = { _ in }
  ) async throws -> BridgeExecEnd? {
    var query: [(name: String, value: String)] = [("offset", String(offset))]
    if follow { query.append(("follow", "true")) }
    var r = KubeRequest(
      method: "GET", path: runnerPath(namespace, runner) + "/execs/\(Api<JSONValue>.escapeSegment(id))", query: query)
    r.accept = "application/x-ndjson, application/json"
    let response = try await Self.mapErrors(runner: runner) {
      try await client.transport.stream(r, timeout: follow ? nil : client.configuration.requestTimeout)
    }
    return try await Self.read(response.body, stdout: stdout, stderr: stderr)
  }

  /// Signals a durable exec (`DELETE …/execs/ID?signal=TERM`, the default); returns the
  /// bridge's view of it (`status.phase`, `status.outcome` once it ended).
  @discardableResult
  public func cancel(
    namespace: String? = nil, runner: String, id: String, signal: String? = nil
  ) async throws -> JSONValue {
    var r = KubeRequest(
      method: "DELETE", path: runnerPath(namespace, runner) + "/execs/\(Api<JSONValue>.escapeSegment(id))")
    if let signal { r.query = [("signal", signal)] }
    let answer = try await Self.mapErrors(runner: runner) { try await client.send(r) }
    return (try? KubeJSON.decode(JSONValue.self, from: Data(answer))) ?? .null
  }

  // MARK: Discovery and errors

  /// Whether the API server serves the exec bridge's group (an APIService is registered and
  /// available). Other failures (network, credentials) are thrown.
  public func isServed() async throws -> Bool {
    do {
      _ = try await client.send(KubeRequest(method: "GET", path: Self.groupVersionPath))
      return true
    } catch let e as KubeError where e.code == 404 || e.code == 503 {
      return false
    }
  }

  /// True when an error says the API server does not serve the bridge at all (no APIService,
  /// or its backend is down) rather than something about the runner.
  public static func isBridgeUnavailable(_ e: KubeError) -> Bool {
    guard e.kind == .api else { return false }
    if e.code == 503 { return true }
    return e.code == 404 && e.status?.details?.kind == nil && e.status?.details?.name == nil
  }

  static func mapErrors<T>(runner: String, _ body: () async throws -> T) async throws -> T {
    do {
      return try await body()
    } catch var e as KubeError where isBridgeUnavailable(e) {
      e.message =
        "the exec bridge (exec.gra.dev/v1alpha1) is not available on this API server (\(e.code) \(e.reason): \(e.message)); is the gra operator's APIService installed and available?"
      e.reason = "BridgeUnavailable"
      throw e
    } catch var e as KubeError where e.code == 403 && !e.message.contains("exec.gra.dev and gra.dev") {
      e.message += " (exec through the bridge needs \"create\" on runners/exec in API groups exec.gra.dev and gra.dev)"
      throw e
    }
  }

  /// Decodes a body of frames (any chunking) into the handlers; the exit frame's end, or nil if
  /// the body ended without one.
  public static func read<S: AsyncSequence & Sendable>(
    _ body: S, stdout: ExecOutputHandler, stderr: ExecOutputHandler
  ) async throws -> BridgeExecEnd? where S.Element == ByteBuffer {
    var framer = LineFramer()
    var end: BridgeExecEnd?
    func handle(_ line: [UInt8]) async throws {
      switch try BridgeExecFrame.decode(line) {
      case .output(.stdout, _, let bytes)?: if !bytes.isEmpty { try await stdout(bytes[...]) }
      case .output(.stderr, _, let bytes)?: if !bytes.isEmpty { try await stderr(bytes[...]) }
      case .exit(let e)?: end = e
      case nil: break
      }
    }
    for try await chunk in body {
      for line in try framer.push(chunk.readableBytesView) { try await handle(line) }
    }
    if let rest = framer.finish() { try await handle(rest) }
    return end
  }
}

/// The collected result of ``BridgeExecClient/execCollect(namespace:runner:_:)``.
public struct BridgeExecOutput: Sendable, Equatable {
  public var end: BridgeExecEnd
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  public init(end: BridgeExecEnd, stdout: [UInt8] = [], stderr: [UInt8] = []) {
    self.end = end
    self.stdout = stdout
    self.stderr = stderr
  }
  public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A durable exec the bridge keeps running: its id and the bridge's whole answer.
public struct BridgeDurableExec: Sendable, Equatable {
  public var id: String
  public var object: JSONValue
  public init(id: String, object: JSONValue) {
    self.id = id
    self.object = object
  }
}
