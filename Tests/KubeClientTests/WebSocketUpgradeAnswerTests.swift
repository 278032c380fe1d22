import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization
import Testing

@testable import KubeClient
@testable import LocalCluster

/// What a quick server sends with its `101 Switching Protocols` reaches the WebSocket. A client
/// that is slow to read (a loaded machine) can get a command's first output in the same read as
/// the 101 — and, for a command that ends at once, its whole session: output, status, close
/// frame and the end of the connection. Both WebSocket clients are checked: the client's
/// (pods/exec) and the local API server aggregator's (to an aggregated API such as the exec
/// bridge).
@Suite struct WebSocketUpgradeAnswerTests {
  static let status = Array(
    #"{"metadata":{},"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#
      .utf8)
  static let frames: [[UInt8]] = [[1] + Array("out\n".utf8), [2] + Array("err\n".utf8), [3] + status]

  @Test(arguments: [false, true])
  func anExecsOutputAndStatusThatCameWithThe101AreReceived(theWholeSession: Bool) async throws {
    try await OneReadWebSocketServer.with(frames: Self.frames, theWholeSession: theWholeSession) { port in
      var config = ClientConfiguration(server: "https://127.0.0.1:\(port)")
      config.tls.caPEM = Array(LoopbackTLS.certificatePEM.utf8)
      let client = try KubernetesClient(configuration: config)
      defer { Task { try? await client.shutdown() } }
      let out = try await client.execCollect(pod: "p", ExecOptions(command: ["true"]))
      #expect(out == ExecOutput(exitCode: 3, stdout: Array("out\n".utf8), stderr: Array("err\n".utf8)))
    }
  }

  @Test(arguments: [false, true])
  func theAggregatorsBackendWebSocketReceivesWhatCameWithThe101(theWholeSession: Bool) async throws {
    try await OneReadWebSocketServer.with(frames: Self.frames, theWholeSession: theWholeSession) { port in
      let endpoint = ProxyEndpoint(
        host: "127.0.0.1", port: port, serverName: "localhost", caBundlePEM: LoopbackTLS.certificatePEM,
        insecureSkipTLSVerify: false)
      let head = HTTPRequestHead(
        version: .http1_1, method: .GET, uri: "/apis/x/v1/exec",
        headers: ["Host": "localhost", "Sec-WebSocket-Protocol": "v5.channel.k8s.io", "Content-Length": "0"])
      let (ws, chosen) = try await ProxyTransport.webSocket(
        endpoint, clientIdentity: (LoopbackTLS.certificatePEM, LoopbackTLS.privateKeyPEM), head: head)
      #expect(chosen == "v5.channel.k8s.io")
      let received = try await ws.executeThenClose { inbound, _ in
        var received: [(WebSocketOpcode, [UInt8])] = []
        for try await frame in inbound {
          var data = frame.unmaskedData
          received.append((frame.opcode, data.readBytes(length: data.readableBytes) ?? []))
        }
        return received
      }
      #expect(received.filter { $0.0 == .binary }.map(\.1) == Self.frames)
      #expect(received.last?.0 == .connectionClose)
    }
  }
}

/// A refused upgrade does not leave its connection open: the client closes it once it has the
/// answer, even when the server would keep it (HTTP keep-alive).
@Suite struct RefusedUpgradeConnectionTests {
  @Test func theClientClosesTheConnectionOfARefusedUpgrade() async throws {
    let closed = Mutex(false)
    let tls = try LoopbackTLS.serverContext()
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let server = try await ServerBootstrap(group: group).childChannelInitializer { channel in
      channel.eventLoop.makeCompletedFuture {
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        try channel.pipeline.syncOperations.addHandler(KeepAliveRefusal { closed.withLock { $0 = true } })
      }
    }.bind(host: "127.0.0.1", port: 0).get()
    var config = ClientConfiguration(server: "https://127.0.0.1:\(server.localAddress?.port ?? 0)")
    config.tls.caPEM = Array(LoopbackTLS.certificatePEM.utf8)
    let client = try KubernetesClient(configuration: config)
    await #expect {
      _ = try await client.execCollect(pod: "p", ExecOptions(command: ["true"]))
    } throws: { ($0 as? KubeError)?.code == 403 }
    let deadline = ContinuousClock.now + .seconds(5)
    while !closed.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    #expect(closed.withLock { $0 }, "the refused upgrade's connection is still open")
    try? await client.shutdown()
    try? await server.close()
    try? await group.shutdownGracefully()
  }
}

/// Answers any request with a 403 Status and keeps the connection open; reports its end.
private final class KeepAliveRefusal: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer
  private let onClose: @Sendable () -> Void
  private var answered = false

  init(onClose: @escaping @Sendable () -> Void) { self.onClose = onClose }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !answered else { return }
    answered = true
    let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}"#
    let answer =
      "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
  }

  func channelInactive(context: ChannelHandlerContext) {
    onClose()
    context.fireChannelInactive()
  }
}

/// A TLS WebSocket server (`v5.channel.k8s.io`, the local API server's certificate) that answers
/// an upgrade with `frames`, a close frame and its TLS close_notify. The first frame is written
/// at once with the 101 — with `theWholeSession`, all of it is — as a loaded client finds them
/// when it reads.
struct OneReadWebSocketServer: Sendable {
  let group: MultiThreadedEventLoopGroup
  let channel: any Channel
  var port: Int { channel.localAddress?.port ?? 0 }

  /// Runs `body` with the server's port, and stops the server.
  static func with(frames: [[UInt8]], theWholeSession: Bool, _ body: (Int) async throws -> Void) async throws {
    let server = try await start(frames: frames, theWholeSession: theWholeSession)
    do {
      try await body(server.port)
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
  }

  static func start(frames: [[UInt8]], theWholeSession: Bool) async throws -> OneReadWebSocketServer {
    let tls = try LoopbackTLS.serverContext()
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try await ServerBootstrap(group: group).childChannelInitializer { channel in
      channel.eventLoop.makeCompletedFuture {
        try channel.pipeline.syncOperations.addHandler(HeldWrites())
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        let upgrader = NIOTypedWebSocketServerUpgrader<Void>(
          shouldUpgrade: { channel, _ in
            channel.eventLoop.makeCompletedFuture {
              // From the 101 on, everything is written in one go.
              try channel.pipeline.syncOperations.handler(type: HeldWrites.self).hold()
              return HTTPHeaders([("Sec-WebSocket-Protocol", "v5.channel.k8s.io")])
            }
          },
          upgradePipelineHandler: { channel, _ in
            channel.eventLoop.execute {
              let held = try? channel.pipeline.syncOperations.handler(type: HeldWrites.self)
              for (i, f) in frames.enumerated() {
                channel.writeAndFlush(
                  WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: f)), promise: nil)
                if i == 0, !theWholeSession { held?.release() }
              }
              var code = ByteBuffer()
              code.write(webSocketErrorCode: .normalClosure)
              channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: code), promise: nil)
              channel.close(promise: nil)  // TLS sends close_notify, then waits for the client's
              held?.release()
            }
            return channel.eventLoop.makeSucceededVoidFuture()
          })
        _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
          configuration: .init(
            upgradeConfiguration: .init(
              upgraders: [upgrader],
              notUpgradingCompletionHandler: { channel in
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededVoidFuture()
              })))
      }
    }.bind(host: "127.0.0.1", port: 0).get()
    return OneReadWebSocketServer(group: group, channel: channel)
  }

  func stop() async {
    try? await channel.close()
    try? await group.shutdownGracefully()
  }
}

/// Once told to hold, keeps what is written (and reports it written) until `release`, which
/// writes it all with one flush.
final class HeldWrites: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer
  private var holding = false
  private var held: ByteBuffer?
  private var context: ChannelHandlerContext?

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  func hold() { holding = true }

  func release() {
    holding = false
    if let held, let context { context.writeAndFlush(Self.wrapOutboundOut(held), promise: nil) }
    held = nil
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard holding else { return context.write(data, promise: promise) }
    var bytes = Self.unwrapOutboundIn(data)
    held.setOrWriteBuffer(&bytes)
    promise?.succeed()
  }

  func flush(context: ChannelHandlerContext) {
    if !holding { context.flush() }
  }
}
