import CRDModels
import NIOCore
import NIOWebSocket

/// One session of the Kubernetes exec channel protocol (`v4`/`v5.channel.k8s.io`) on an open
/// WebSocket, shared by pods/exec and the exec bridge: stdin is forwarded as it comes (and
/// closed on `v5`), terminal sizes go to channel 4, pings keep idle sessions alive, stdout and
/// stderr go to their handlers in order. Returns the last channel-3 payload, nil when the
/// connection closed without one.
enum ExecChannelSession {
  static func run(
    _ ws: WebSocketConnection, stdin: AsyncStream<[UInt8]>?, resize: AsyncStream<TerminalSize>?,
    stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
  ) async throws -> [UInt8]? {
    let v5 = ws.subprotocol == ExecSubprotocol.v5
    return try await withThrowingTaskGroup(of: Void.self) { group in
      if let stdin {
        group.addTask {
          for await chunk in stdin where !chunk.isEmpty { try await ws.send(ExecFrame.encode(.stdin, chunk)) }
          if v5 { try await ws.send(ExecFrame.closeStdin) }
        }
      }
      if let resize {
        group.addTask { for await size in resize { try await ws.send(ExecFrame.resize(size)) } }
      }
      group.addTask {
        while !Task.isCancelled {
          try await Task.sleep(for: .seconds(5))
          try await ws.send([], opcode: .ping)
        }
      }
      var status: [UInt8]?
      loop: for try await frame in ws.inbound {
        switch frame.opcode {
        case .binary:
          var data = frame.unmaskedData
          guard let bytes = data.readBytes(length: data.readableBytes),
            let (channel, payload) = ExecFrame.decode(bytes)
          else { continue }
          switch channel {
          case .stdout: try await stdout(payload)
          case .stderr: try await stderr(payload)
          case .status: status = Array(payload)
          default: break
          }
        case .ping:
          var data = frame.unmaskedData
          try await ws.send(data.readBytes(length: data.readableBytes) ?? [], opcode: .pong)
        case .connectionClose: break loop
        default: continue
        }
      }
      group.cancelAll()
      return status
    }
  }
}
