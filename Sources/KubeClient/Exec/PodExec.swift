import CRDModels
import Foundation
import NIOCore
import NIOWebSocket

/// What to run in a container, as `kubectl exec` sends it.
public struct ExecOptions: Sendable, Equatable {
  public var command: [String]
  /// Required when the pod has more than one container (kubectl always sends it).
  public var container: String?
  /// Open the stdin channel (pass a `stdin` sequence to ``KubernetesClient/exec(namespace:pod:_:stdin:resize:stdout:stderr:)``).
  public var stdin: Bool
  public var stdout: Bool = true
  /// Ignored with `tty` (the terminal merges stderr into stdout).
  public var stderr: Bool = true
  public var tty: Bool = false

  public init(
    command: [String], container: String? = nil, stdin: Bool = false, stdout: Bool = true, stderr: Bool = true,
    tty: Bool = false
  ) {
    self.command = command
    self.container = container
    self.stdin = stdin
    self.stdout = stdout
    self.stderr = stderr && !tty
    self.tty = tty
  }

  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = command.map { ("command", $0) }
    if let c = container { q.append(("container", c)) }
    if stdin { q.append(("stdin", "true")) }
    if stdout { q.append(("stdout", "true")) }
    if stderr { q.append(("stderr", "true")) }
    if tty { q.append(("tty", "true")) }
    return q
  }
}

/// Receives output chunks; awaited one at a time, so a slow consumer slows the socket
/// (backpressure) instead of buffering without bound.
public typealias ExecOutputHandler = @Sendable (ArraySlice<UInt8>) async throws -> Void

extension KubernetesClient {
  /// Runs a command in a container over `pods/exec` (WebSocket, `v5.channel.k8s.io` then
  /// `v4.channel.k8s.io`) and returns its exit code.
  ///
  /// - `stdin` is forwarded on channel 0; when it ends the stdin channel is closed
  ///   (`[255, 0]`, v5 only: on v4 the command sees end of input only when it exits).
  /// - `resize` sizes are sent on channel 4 (`tty` sessions).
  /// - `stdout`/`stderr` receive channels 1 and 2.
  /// - A ping goes out every 5 seconds and server pings are answered.
  /// - The exit code comes from the Status on channel 3 (``ExecFrame/exitCode(from:)``); a
  ///   Failure that is not an exit code (e.g. the container does not exist, the command was
  ///   not found) is thrown as a ``KubeError``. A connection that closes without a Status
  ///   throws ``ExecStatusMissing``: with `v4`/`v5` the server always sends one (Success
  ///   included), so its absence means the outcome is unknown, not that the command succeeded.
  public func exec(
    namespace: String? = nil, pod: String, _ options: ExecOptions,
    stdin: AsyncStream<[UInt8]>? = nil, resize: AsyncStream<TerminalSize>? = nil,
    stdout: @escaping ExecOutputHandler = { _ in }, stderr: @escaping ExecOutputHandler = { _ in }
  ) async throws -> Int32 {
    var opts = options
    opts.stdin = options.stdin || stdin != nil
    let path = "/api/v1/namespaces/\(namespace ?? defaultNamespace)/pods/\(Api<JSONValue>.escapeSegment(pod))/exec"
    let request = KubeRequest(method: "GET", path: path, query: opts.query)
    let logger = self.logger
    return try await transport.withWebSocket(request, protocols: ExecSubprotocol.offered) { ws in
      let payload = try await ExecChannelSession.run(ws, stdin: stdin, resize: resize, stdout: stdout, stderr: stderr)
      let status: Status?
      do {
        status = try payload.map { try KubeJSON.decode(Status.self, from: $0) }
      } catch {
        let text = String(decoding: (payload ?? []).prefix(200), as: UTF8.self)
        throw KubeError.decoding("exec status channel: \(text)")
      }
      logger.debug("exec finished", metadata: ["pod": .string(pod), "status": .string(status?.status ?? "none")])
      guard let status else { throw ExecStatusMissing(pod: pod) }
      return try ExecFrame.exitCode(from: status)
    }
  }

  /// Runs a command without stdin and collects its output.
  public func execCollect(namespace: String? = nil, pod: String, _ options: ExecOptions) async throws -> ExecOutput {
    let out = ByteCollector()
    let err = ByteCollector()
    let code = try await exec(
      namespace: namespace, pod: pod, options, stdout: { await out.append($0) }, stderr: { await err.append($0) })
    return ExecOutput(exitCode: code, stdout: await out.bytes, stderr: await err.bytes)
  }
}

/// The collected result of ``KubernetesClient/execCollect(namespace:pod:_:)``.
public struct ExecOutput: Sendable, Equatable {
  public var exitCode: Int32
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

actor ByteCollector {
  var bytes: [UInt8] = []
  func append(_ b: ArraySlice<UInt8>) { bytes += b }
}

/// The exec connection ended without a Status on channel 3: the command may or may not have
/// run to the end, and its exit code is unknown (the pod went away, the connection broke).
public struct ExecStatusMissing: Error, Sendable, CustomStringConvertible {
  public var pod: String
  public var description: String {
    "the exec connection to pod \(pod) closed without an exit status; the command's outcome is unknown"
  }
}
