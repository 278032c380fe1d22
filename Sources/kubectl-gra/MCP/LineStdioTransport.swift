import Foundation
import KubeClient
import Logging
import MCP

/// MCP's stdio transport: one JSON-RPC message per line on stdin and stdout.
///
/// Used instead of the SDK's `StdioTransport`, which rescans everything buffered for a newline
/// after every 4 KiB read (a 700 KB `write_file` call took 2.8 s to arrive in a debug build) and
/// puts stdin and stdout into non-blocking mode, polling every 10 ms. Here a dedicated thread
/// does blocking reads into ``LineFramer`` (linear), and writes go out on a serial queue, so no
/// task of the cooperative pool ever blocks on a pipe.
actor LineStdioTransport: Transport {
  nonisolated let logger: Logger
  private let input: Int32
  private let output: Int32
  private let maxMessageBytes: Int
  private let messages: AsyncThrowingStream<Data, any Error>
  private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
  private let writer = DispatchQueue(label: "kubectl-gra.mcp.stdout")
  private var started = false

  init(
    input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maxMessageBytes: Int = 64 << 20,
    logger: Logger
  ) {
    self.input = input
    self.output = output
    self.maxMessageBytes = maxMessageBytes
    self.logger = logger
    (messages, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
  }

  func connect() async throws {
    guard !started else { return }
    started = true
    let (fd, limit, continuation, logger) = (input, maxMessageBytes, self.continuation, self.logger)
    Thread.detachNewThread {
      Self.readLines(fd: fd, maxLineLength: limit, continuation: continuation, logger: logger)
    }
  }

  /// Reads until end of input, yielding each non-empty line.
  static func readLines(
    fd: Int32, maxLineLength: Int, continuation: AsyncThrowingStream<Data, any Error>.Continuation,
    logger: Logger
  ) {
    var framer = LineFramer(maxLineLength: maxLineLength)
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 {
        logger.error("reading stdin failed", metadata: ["errno": "\(errno)"])
        break
      }
      if n == 0 {
        logger.debug("end of input")
        break
      }
      do {
        for line in try framer.push(buffer[0..<n]) { continuation.yield(Data(line)) }
      } catch {
        logger.error("a message on stdin is too long", metadata: ["error": "\(error)"])
        continuation.finish(throwing: error)
        return
      }
    }
    if let rest = framer.finish(), !rest.isEmpty { continuation.yield(Data(rest)) }
    continuation.finish()
  }

  func disconnect() async {
    continuation.finish()
  }

  func send(_ data: Data) async throws {
    var line = [UInt8](data)
    line.append(UInt8(ascii: "\n"))
    let bytes = line
    let fd = output
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
      writer.async {
        var offset = 0
        while offset < bytes.count {
          let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
          if n < 0 && errno == EINTR { continue }
          if n <= 0 {
            done.resume(
              throwing: MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            )
            return
          }
          offset += n
        }
        done.resume()
      }
    }
  }

  nonisolated func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}
