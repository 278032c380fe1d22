import NIOCore
import NIOHTTP1

/// Keeps what a server sends right behind its `101 Switching Protocols` until the pipeline has
/// switched to WebSocket, so that it is not lost.
///
/// A quick command's whole exec session (its output, its status on channel 3, the close frame,
/// even the end of the connection) can follow the 101 closely enough that a loaded client reads
/// it all at once. NIO's client upgrade handler switches the pipeline a turn of the event loop
/// after the answer's head, once the HTTP decoder has left it; the decoder drops the bytes it
/// holds past the head (by default; and whatever its strategy once it has seen the end of the
/// connection, which then also arrives before the WebSocket handlers exist). So this handler, in
/// front of the decoder, gives it the answer's head only: what follows, and the end of the
/// connection, wait here until the upgrade future completes, and then go on to the WebSocket
/// handlers. An answer that is not an upgrade completes the future as its head is read, and its
/// body goes straight on. After that the gate only passes everything on.
///
/// Used by the client's WebSockets (`kubectl exec`'s protocol, the bridge) and by the local API
/// server's aggregator for its backend WebSockets.
public final class UpgradeAnswerGate: ChannelInboundHandler {
  public typealias InboundIn = ByteBuffer
  public typealias InboundOut = ByteBuffer

  public init() {}

  private enum State {
    /// Reading the answer's head; `matched` bytes of its end (`\r\n\r\n`) seen so far.
    case head(matched: Int)
    /// The head was passed on; the upgrade is under way.
    case holding
    case open
  }
  private static let headEnd: [UInt8] = [13, 10, 13, 10]
  private var state = State.head(matched: 0)
  private var held: ByteBuffer?
  private var endHeld = false
  private var context: ChannelHandlerContext?

  public func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  /// Lets what waits here through once `upgrade` completes. On the channel's event loop.
  public func open<T>(when upgrade: EventLoopFuture<T>) {
    upgrade.assumeIsolated().whenComplete { result in
      let upgraded: Bool
      if case .success = result { upgraded = true } else { upgraded = false }
      self.opened(upgraded: upgraded)
    }
  }

  public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch state {
    case .open:
      context.fireChannelRead(data)
    case .holding:
      var bytes = Self.unwrapInboundIn(data)
      held.setOrWriteBuffer(&bytes)
    case .head(var matched):
      var bytes = Self.unwrapInboundIn(data)
      var end: Int?
      for (i, byte) in bytes.readableBytesView.enumerated() {
        matched = byte == Self.headEnd[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
        if matched == Self.headEnd.count {
          end = i + 1
          break
        }
      }
      guard let end, let head = bytes.readSlice(length: end) else {
        state = .head(matched: matched)
        context.fireChannelRead(data)
        return
      }
      state = .holding
      // An answer that is not an upgrade opens the gate during this call.
      context.fireChannelRead(Self.wrapInboundOut(head))
      guard bytes.readableBytes > 0 else { return }
      if case .open = state {
        context.fireChannelRead(Self.wrapInboundOut(bytes))
      } else {
        held.setOrWriteBuffer(&bytes)
      }
    }
  }

  public func channelInactive(context: ChannelHandlerContext) {
    if case .holding = state {
      endHeld = true
    } else {
      context.fireChannelInactive()
    }
  }

  private func opened(upgraded: Bool) {
    let wasHolding: Bool
    if case .holding = state { wasHolding = true } else { wasHolding = false }
    state = .open
    guard wasHolding, let context else { return }
    // After a failed upgrade nothing reads what came.
    if upgraded, let bytes = held {
      context.fireChannelRead(Self.wrapInboundOut(bytes))
      context.fireChannelReadComplete()
    }
    held = nil
    if endHeld {
      endHeld = false
      context.fireChannelInactive()
    }
  }
}

extension ChannelPipeline.SynchronousOperations {
  /// NIO's upgradable HTTP client pipeline with an ``UpgradeAnswerGate`` in front of it, opened
  /// when the upgrade completes. Call where `configureUpgradableHTTPClientPipeline` would be
  /// called (after the TLS handler).
  public func configureGatedHTTPClientUpgrade<Result: Sendable>(
    _ upgrade: NIOTypedHTTPClientUpgradeConfiguration<Result>
  ) throws -> EventLoopFuture<Result> {
    let gate = UpgradeAnswerGate()
    try addHandler(gate)
    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
    // Should the gate not find the answer's end, the decoder passes on what it holds past it
    // instead of dropping it (NIO's default).
    configuration.leftOverBytesStrategy = .forwardBytes
    let upgraded = try configureUpgradableHTTPClientPipeline(configuration: configuration)
    gate.open(when: upgraded)
    return upgraded
  }
}
