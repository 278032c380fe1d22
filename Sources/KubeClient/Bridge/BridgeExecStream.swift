import CRDModels
import Foundation
import NIOCore
import NIOWebSocket

/// What to run interactively through the bridge's WebSocket (`GET …/runners/NAME/exec` upgraded,
/// `v5.channel.k8s.io`): the same channel protocol as `pods/exec`, so stdin streams (binary
/// too) and a terminal works.
public struct BridgeStreamOptions: Sendable, Equatable {
  public var command: [String]
  public var stdin: Bool
  public var tty: Bool
  public var timeoutSeconds: Int?

  public init(command: [String], stdin: Bool = false, tty: Bool = false, timeoutSeconds: Int? = nil) {
    self.command = command
    self.stdin = stdin
    self.tty = tty
    self.timeoutSeconds = timeoutSeconds
  }

  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = command.map { ("command", $0) }
    if stdin { q.append(("stdin", "true")) }
    q.append(("stdout", "true"))
    if !tty { q.append(("stderr", "true")) }
    if tty { q.append(("tty", "true")) }
    if let t = timeoutSeconds { q.append(("timeoutSeconds", String(t))) }
    return q
  }
}

extension BridgeExecClient {
  /// Runs a command over the bridge's WebSocket: `stdin` is forwarded as it comes (its end
  /// closes the command's stdin), `resize` sizes go to the terminal, output is streamed to the
  /// handlers. The final Status becomes a ``BridgeExecEnd``.
  public func stream(
    namespace: String? = nil, runner: String, _ options: BridgeStreamOptions,
    stdin: AsyncStream<[UInt8]>? = nil, resize: AsyncStream<TerminalSize>? = nil,
    stdout: @escaping ExecOutputHandler = { _ in }, stderr: @escaping ExecOutputHandler = { _ in }
  ) async throws -> BridgeExecEnd {
    var opts = options
    opts.stdin = options.stdin || stdin != nil
    let request = KubeRequest(method: "GET", path: runnerPath(namespace, runner) + "/exec", query: opts.query)
    return try await Self.mapErrors(runner: runner) {
      try await client.transport.withWebSocket(request, protocols: ExecSubprotocol.offered) { ws in
        let payload = try await ExecChannelSession.run(ws, stdin: stdin, resize: resize, stdout: stdout, stderr: stderr)
        return Self.end(from: payload.flatMap { try? KubeJSON.decode(Status.self, from: $0) })
      }
    }
  }

  /// The end a final channel-3 Status describes (kubelet's form, with the bridge's reasons).
  public static func end(from status: Status?) -> BridgeExecEnd {
    guard let status else {
      return .lost(message: "the exec bridge closed the stream without a final status; the command may still have run")
    }
    if status.isSuccess { return .exited(0) }
    let message = status.message ?? "the command failed"
    switch status.reason {
    case "NonZeroExitCode":
      let code = status.details?.causes?.first { $0.reason == "ExitCode" }?.message.flatMap { Int32($0) } ?? 1
      return .exited(code)
    case "TimedOut": return .timedOut(message: message)
    case "OutputLimitReached": return .outputLimitReached(message: message)
    case "Lost", nil: return .lost(message: message)
    case let reason?: return .notRun(reason: reason, message: message)
    }
  }
}
