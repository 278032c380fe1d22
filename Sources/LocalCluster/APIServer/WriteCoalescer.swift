import NIOCore

/// Joins the small writes made between two flushes into one buffer, so they leave as one TLS
/// record and one segment.
///
/// NIO's HTTP/1 encoder writes every chunk of a chunked body (a watch event, a log line) as
/// three buffers (size line, data, CRLF), and the TLS handler seals each buffer it is given as
/// a record of its own: three records per watch event, each sealed by the server and opened by
/// the client. kube-apiserver's chunked writer buffers a chunk and sends it in one record.
/// Writes larger than one TLS record (16 KiB) together are passed on as they are: copying them
/// would gain nothing.
final class WriteCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = IOData
  typealias OutboundOut = IOData

  static let limit = 16 * 1024

  private var pending: [ByteBuffer] = []
  private var pendingBytes = 0
  private var promise: EventLoopPromise<Void>?

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard case .byteBuffer(let buffer) = Self.unwrapOutboundIn(data) else {
      release(context)
      context.write(data, promise: promise)
      return
    }
    pending.append(buffer)
    pendingBytes += buffer.readableBytes
    if let promise {
      if let held = self.promise { held.futureResult.cascade(to: promise) } else { self.promise = promise }
    }
  }

  func flush(context: ChannelHandlerContext) {
    release(context)
    context.flush()
  }

  func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
    release(context)
    context.close(mode: mode, promise: promise)
  }

  func handlerRemoved(context: ChannelHandlerContext) { release(context) }

  /// Passes the held writes on: joined when small enough, else one by one.
  private func release(_ context: ChannelHandlerContext) {
    guard !pending.isEmpty else { return }
    let buffers = pending
    let total = pendingBytes
    let promise = self.promise
    pending.removeAll(keepingCapacity: true)
    pendingBytes = 0
    self.promise = nil
    if buffers.count == 1 || total > Self.limit {
      for (i, b) in buffers.enumerated() {
        context.write(Self.wrapOutboundOut(.byteBuffer(b)), promise: i == buffers.count - 1 ? promise : nil)
      }
      return
    }
    var joined = context.channel.allocator.buffer(capacity: total)
    for var b in buffers { joined.writeBuffer(&b) }
    context.write(Self.wrapOutboundOut(.byteBuffer(joined)), promise: promise)
  }
}
