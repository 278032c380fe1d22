import CRDModels

/// What the local API server asks of the local kubelet to serve the pod subresources
/// `pods/exec`, `pods/log` and `pods/portforward`.
///
/// The API server authenticates and authorizes the request (exec needs `create` on
/// `pods/exec`), checks the pod exists and is bound to this node, and speaks the wire protocol
/// (WebSocket channels, chunked log bodies); the agent only runs and streams.
public protocol NodeAgent: Sendable {
  /// Runs `command` in the container and returns how it ended. Output is written to
  /// `io` as it is produced; `io.stdin` ends when the client closes stdin.
  func exec(
    namespace: String, pod: String, container: String, command: [String], tty: Bool, io: ExecIO
  )
    async throws -> ExecOutcome

  /// Why an exec into the container would be refused before it starts, nil when it can run.
  /// A kubelet refuses the upgrade request itself with this, so the API server asks before it
  /// upgrades.
  func execRefusal(namespace: String, pod: String, container: String) async -> String?

  /// The container's log as a stream of chunks (`follow` keeps it open while the container
  /// runs). Throws a ``Status`` (400 BadRequest) when, e.g., `previous` has no earlier instance.
  func logs(
    namespace: String, pod: String, container: String, options: LogOptions
  ) async throws
    -> AsyncThrowingStream<[UInt8], any Error>

  /// Opens a TCP connection to `port` inside the pod; `nil` when nothing listens there.
  func portForward(namespace: String, pod: String, port: Int) async throws -> PortForwardStream?
}

/// The streams of one exec, seen from the process side.
public struct ExecIO: Sendable {
  /// Bytes from the client's stdin (absent when `stdin=false`); finishes when stdin closes.
  public var stdin: AsyncStream<[UInt8]>?
  /// Terminal size changes (tty only).
  public var resize: AsyncStream<TerminalSize>?
  /// Writes to the client's stdout; suspends while the client is slow (backpressure).
  public var stdout: @Sendable ([UInt8]) async -> Void
  /// Writes to the client's stderr (unused with tty, where stderr merges into stdout).
  public var stderr: @Sendable ([UInt8]) async -> Void
  public init(
    stdin: AsyncStream<[UInt8]>?, resize: AsyncStream<TerminalSize>?,
    stdout: @escaping @Sendable ([UInt8]) async -> Void, stderr: @escaping @Sendable ([UInt8]) async -> Void
  ) {
    self.stdin = stdin
    self.resize = resize
    self.stdout = stdout
    self.stderr = stderr
  }
}

public struct TerminalSize: Sendable, Equatable, Codable {
  public var width: UInt16
  public var height: UInt16
  public init(width: UInt16, height: UInt16) {
    self.width = width
    self.height = height
  }
  enum CodingKeys: String, CodingKey {
    case width = "Width"
    case height = "Height"
  }
}

/// How an exec ended, as the status channel reports it.
public enum ExecOutcome: Sendable, Equatable {
  case exited(code: Int32)
  /// Could not run (no such container, command not found…): a Failure Status with this message.
  case failed(message: String)
}

/// `pods/log` query options, as kubectl sends them.
public struct LogOptions: Sendable, Equatable {
  public var follow = false
  public var previous = false
  public var timestamps = false
  public var tailLines: Int?
  public var sinceSeconds: Int?
  public var limitBytes: Int?
  public init() {}
}

/// A byte stream to a port inside a pod.
public struct PortForwardStream: Sendable {
  public var incoming: AsyncStream<[UInt8]>
  public var send: @Sendable ([UInt8]) async throws -> Void
  public var close: @Sendable () async -> Void
  public init(
    incoming: AsyncStream<[UInt8]>, send: @escaping @Sendable ([UInt8]) async throws -> Void,
    close: @escaping @Sendable () async -> Void
  ) {
    self.incoming = incoming
    self.send = send
    self.close = close
  }
}
