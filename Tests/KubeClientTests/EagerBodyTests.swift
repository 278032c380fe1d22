import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import KubeClient

/// A watch body is read from the connection as fast as the server writes it, whether or not
/// its consumer is reading: kube-apiserver closes a watch whose client falls behind.
@Suite struct EagerBodyTests {
  @Test func theBodyIsReadFromTheConnectionWhileNobodyIteratesIt() async throws {
    // More than the kernel's socket buffers on loopback hold (a few MiB each side), so the
    // server's writes can only complete if the client reads.
    let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
    let chunks = 512
    let server = try await ChunkedBodyServer.start(chunk: chunk, count: chunks)
    let transport = try KubeTransport(configuration: ClientConfiguration(server: "http://127.0.0.1:\(server.port)"))
    let body = try await transport.streamEagerly(KubeRequest(method: "GET", path: "/big"), timeout: .seconds(60))

    let deadline = ContinuousClock.now + .seconds(20)
    while !server.allWritten, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    #expect(server.allWritten, "the server's writes of 32 MiB did not complete while the body was not iterated")

    var received = 0
    for try await buffer in body { received += buffer.readableBytes }
    #expect(received == chunk.count * chunks)
    try await transport.shutdown()
    await server.stop()
  }

  @Test func anErrorAnswerIsThrownWithItsStatus() async throws {
    let server = try await ChunkedBodyServer.start(chunk: [], count: 0, status: .gone)
    let transport = try KubeTransport(configuration: ClientConfiguration(server: "http://127.0.0.1:\(server.port)"))
    await #expect {
      _ = try await transport.streamEagerly(KubeRequest(method: "GET", path: "/gone"), timeout: .seconds(10))
    } throws: { error in
      guard let e = error as? KubeError else { return false }
      return e.code == 410 && e.isGone && e.message.contains("too old")
    }
    try await transport.shutdown()
    await server.stop()
  }
}

/// Answers every request with `count` chunks of `chunk` (or, for another status, a Status
/// body), and tells when its last write has been handed to the kernel.
private struct ChunkedBodyServer: Sendable {
  let group: MultiThreadedEventLoopGroup
  let channel: any Channel
  let written: DoneFlag
  var port: Int { channel.localAddress?.port ?? 0 }
  var allWritten: Bool { written.isSet }

  static func start(chunk: [UInt8], count: Int, status: HTTPResponseStatus = .ok) async throws -> ChunkedBodyServer {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let flag = DoneFlag()
    let channel = try await ServerBootstrap(group: group).childChannelInitializer { channel in
      channel.eventLoop.makeCompletedFuture {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
        try channel.pipeline.syncOperations.addHandler(Answer(chunk: chunk, count: count, status: status, done: flag))
      }
    }.bind(host: "127.0.0.1", port: 0).get()
    return ChunkedBodyServer(group: group, channel: channel, written: flag)
  }

  func stop() async {
    try? await channel.close()
    try? await group.shutdownGracefully()
  }

  final class DoneFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
  }

  final class Answer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let chunk: [UInt8]
    let count: Int
    let status: HTTPResponseStatus
    let done: DoneFlag

    init(chunk: [UInt8], count: Int, status: HTTPResponseStatus, done: DoneFlag) {
      self.chunk = chunk
      self.count = count
      self.status = status
      self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      guard case .end = Self.unwrapInboundIn(data) else { return }
      guard status == .ok else {
        let body = ByteBuffer(
          string:
            #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}"#
        )
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.readableBytes)")])
        context.write(
          Self.wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        return
      }
      let headers = HTTPHeaders([("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
      context.write(Self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
      let buffer = ByteBuffer(bytes: chunk)
      for _ in 0..<count { context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
      let promise = context.eventLoop.makePromise(of: Void.self)
      let done = self.done
      promise.futureResult.whenSuccess { done.set() }
      context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: promise)
    }
  }
}
