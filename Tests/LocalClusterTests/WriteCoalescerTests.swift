import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import LocalCluster

/// The server's writes between two flushes leave as one buffer (one TLS record): a watch
/// event, which NIO's HTTP encoder writes as three buffers, among them.
@Suite struct WriteCoalescerTests {
  @Test func aChunkOfAStreamedBodyLeavesAsOneBuffer() throws {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(WriteCoalescer())
    try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
    let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Transfer-Encoding": "chunked"])
    try channel.writeOutbound(HTTPServerResponsePart.head(head))
    _ = try channel.readOutbound(as: ByteBuffer.self)

    let event = #"{"type":"ADDED","object":{"kind":"Pod"}}"# + "\n"
    let written = channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: event))))
    #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing leaves before the flush")
    channel.flush()
    let out = try #require(try channel.readOutbound(as: ByteBuffer.self))
    #expect(String(buffer: out) == String(event.utf8.count, radix: 16) + "\r\n" + event + "\r\n")
    #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "the chunk left as one buffer")
    try written.wait()
    _ = try channel.finish()
  }

  @Test func writesLargerThanATLSRecordTogetherAreNotCopied() throws {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandler(WriteCoalescer())
    let small = ByteBuffer(string: "size\r\n")
    let large = ByteBuffer(repeating: UInt8(ascii: "x"), count: WriteCoalescer.limit)
    let first = channel.write(small)
    let second = channel.write(large)
    channel.flush()
    #expect(try channel.readOutbound(as: ByteBuffer.self) == small)
    #expect(try channel.readOutbound(as: ByteBuffer.self) == large)
    try first.wait()
    try second.wait()
    _ = try channel.finish()
  }

  @Test func heldWritesGoOnBeforeTheChannelCloses() throws {
    let channel = EmbeddedChannel()
    let seen = SeenOutbound()
    try channel.pipeline.syncOperations.addHandler(seen)
    try channel.pipeline.syncOperations.addHandler(WriteCoalescer())
    _ = channel.write(ByteBuffer(string: "a"))
    _ = channel.write(ByteBuffer(string: "b"))
    #expect(seen.events.isEmpty)
    channel.close(promise: nil)
    // Unflushed, as they were: the channel fails them at its close, as it would without the
    // coalescer, rather than leaving their promises pending forever.
    #expect(seen.events == ["write ab", "close"])
  }
}

/// Records the outbound events that reach it.
private final class SeenOutbound: ChannelOutboundHandler {
  typealias OutboundIn = ByteBuffer
  var events: [String] = []

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    events.append("write " + String(buffer: Self.unwrapOutboundIn(data)))
    context.write(data, promise: promise)
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    events.append("close")
    context.close(mode: mode, promise: promise)
  }
}
