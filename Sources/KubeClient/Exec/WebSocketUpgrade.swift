import CRDModels
import Foundation
import HTTPUpgrade
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// An open WebSocket to the API server (or any server the configuration points at).
///
/// Frames written on `outbound` must be masked (clients always mask); use ``send(_:opcode:)``
/// which does that.
public struct WebSocketConnection: Sendable {
  /// The subprotocol the server chose (`Sec-WebSocket-Protocol` of the 101 answer).
  public let subprotocol: String?
  public let inbound: NIOAsyncChannelInboundStream<WebSocketFrame>
  public let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>

  /// Sends one masked, final frame.
  public func send(_ bytes: [UInt8], opcode: WebSocketOpcode = .binary) async throws {
    try await outbound.write(
      WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: ByteBuffer(bytes: bytes)))
  }
}

/// How the server answered the upgrade request.
private enum UpgradeOutcome: Sendable {
  case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, subprotocol: String?)
  case refused(EventLoopFuture<RefusedAnswer>)
}

/// A non-101 answer: its status and the start of its body, for the error.
struct RefusedAnswer: Sendable {
  var status: Int
  var body: [UInt8]
}

/// Collects the HTTP answer that refused an upgrade.
private final class RefusalCollector: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPClientResponsePart
  let promise: EventLoopPromise<RefusedAnswer>
  var answer = RefusedAnswer(status: 0, body: [])
  init(_ promise: EventLoopPromise<RefusedAnswer>) { self.promise = promise }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let h): answer.status = Int(h.status.code)
    case .body(var b): if answer.body.count < 65536 { answer.body += b.readBytes(length: b.readableBytes) ?? [] }
    case .end:
      promise.succeed(answer)
      context.close(promise: nil)
    }
  }
  func channelInactive(context: ChannelHandlerContext) {
    promise.succeed(answer)
    context.fireChannelInactive()
  }
  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    promise.fail(error)
    context.close(promise: nil)
  }
}

extension KubeTransport {
  /// Upgrades `request` (a GET on any path, e.g. `pods/NAME/exec?…`) to a WebSocket with the
  /// configured TLS and credentials, offering `protocols` in order of preference, and runs
  /// `body` with the connection; the socket is closed when `body` returns or throws.
  ///
  /// Throws a ``KubeError`` decoded from the answer when the server does not switch
  /// protocols (e.g. 403 Forbidden or 404 NotFound as a Status), and when it picks a
  /// subprotocol that was not offered (or none, when some were offered).
  public func withWebSocket<R: Sendable>(
    _ request: KubeRequest, protocols: [String], maxFrameSize: Int = 1 << 24,
    _ body: @Sendable (WebSocketConnection) async throws -> R
  ) async throws -> R {
    guard let url = URL(string: url(for: request)), let host = url.host, let scheme = url.scheme?.lowercased() else {
      throw KubeError.invalid("bad URL for a WebSocket: \(url(for: request))")
    }
    let secure = scheme == "https"
    let port = url.port ?? (secure ? 443 : 80)
    var uri = url.path.isEmpty ? "/" : url.path
    if let q = url.query { uri += "?" + q }
    let basePath = URL(string: configuration.server)?.path ?? ""
    if !basePath.isEmpty && !uri.hasPrefix(basePath) { uri = basePath + uri }

    var headers = try await headers(for: request, refreshToken: false)
    headers.replaceOrAdd(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
    if !protocols.isEmpty { headers.add(name: "Sec-WebSocket-Protocol", value: protocols.joined(separator: ", ")) }
    headers.add(name: "Content-Length", value: "0")
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)

    let sslContext: NIOSSLContext? = secure ? try NIOSSLContext(configuration: Self.tls(configuration.tls)) : nil
    let sni: String? = (configuration.tls.serverName ?? host).isIPAddress ? nil : (configuration.tls.serverName ?? host)
    let connectTimeout = TimeAmount.nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9))

    let opened = ChannelBox()
    let outcome: EventLoopFuture<UpgradeOutcome>
    do {
      outcome = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(connectTimeout)
        .connect(host: host, port: port) { channel in
          opened.channel = channel
          return channel.eventLoop.makeCompletedFuture {
            if let sslContext {
              let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: sni)
              try channel.pipeline.syncOperations.addHandler(tls)
            }
            let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeOutcome>(
              maxFrameSize: maxFrameSize,
              upgradePipelineHandler: { channel, response in
                channel.eventLoop.makeCompletedFuture {
                  try channel.pipeline.syncOperations.addHandler(
                    NIOWebSocketFrameAggregator(
                      minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                      maxAccumulatedFrameSize: maxFrameSize))
                  let ws = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                  return UpgradeOutcome.upgraded(
                    ws, subprotocol: response.headers.first(name: "Sec-WebSocket-Protocol"))
                }
              })
            let config = NIOTypedHTTPClientUpgradeConfiguration<UpgradeOutcome>(
              upgradeRequestHead: head, upgraders: [upgrader],
              notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                  let promise = channel.eventLoop.makePromise(of: RefusedAnswer.self)
                  try channel.pipeline.syncOperations.addHandler(RefusalCollector(promise))
                  return UpgradeOutcome.refused(promise.futureResult)
                }
              })
            return try channel.pipeline.syncOperations.configureGatedHTTPClientUpgrade(config)
          }
        }
    } catch {
      throw KubeError.transport("WebSocket to \(host):\(port): \(Self.describe(error))")
    }

    // The whole upgrade (and a refusal's body) must finish within the request timeout, so a
    // server that never answers cannot hang the caller.
    let limit = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
    let result: UpgradeOutcome
    do {
      result = try await Self.awaitWithin(outcome, limit, closing: opened.channel)
    } catch {
      throw KubeError.transport("WebSocket upgrade of \(request.path): \(Self.describe(error))")
    }
    switch result {
    case .refused(let answer):
      let a = try await Self.awaitWithin(answer, limit, closing: opened.channel)
      if a.status == 0 {
        throw KubeError.transport("WebSocket upgrade of \(request.path): the connection closed without an answer")
      }
      throw KubeError.fromResponse(code: a.status, body: a.body)
    case .upgraded(let channel, let chosen):
      if !protocols.isEmpty {
        guard let chosen, protocols.contains(chosen) else {
          try? await channel.channel.close()
          throw KubeError.invalid(
            "WebSocket upgrade of \(request.path): the server chose subprotocol \(chosen.map { "\"\($0)\"" } ?? "none"), "
              + "offered \(protocols.joined(separator: ", "))")
        }
      }
      return try await channel.executeThenClose { inbound, outbound in
        try await body(WebSocketConnection(subprotocol: chosen, inbound: inbound, outbound: outbound))
      }
    }
  }
}

extension KubeTransport {
  /// `future`'s value, or a transport error (and the channel closed) after `limit`.
  static func awaitWithin<T: Sendable>(
    _ future: EventLoopFuture<T>, _ limit: TimeAmount, closing channel: (any Channel)?
  )
    async throws -> T
  {
    let loop = future.eventLoop
    let promise = loop.makePromise(of: T.self)
    let done = FlagBox()
    let timer = loop.scheduleTask(in: limit) {
      guard !done.value else { return }
      done.value = true
      channel?.close(promise: nil)
      promise.fail(
        KubeError.transport("no answer to the WebSocket upgrade within \(limit.nanoseconds / 1_000_000_000) s"))
    }
    future.whenComplete { result in
      timer.cancel()
      guard !done.value else { return }
      done.value = true
      promise.completeWith(result)
    }
    return try await promise.futureResult.get()
  }
}

/// Written on the channel's event loop only.
private final class FlagBox: @unchecked Sendable {
  var value = false
}

/// The connecting channel, recorded by the initializer so a timeout can close it.
private final class ChannelBox: @unchecked Sendable {
  private let lock = NSLock()
  private var _channel: (any Channel)?
  var channel: (any Channel)? {
    get { lock.withLock { _channel } }
    set { lock.withLock { _channel = newValue } }
  }
}

extension String {
  var isIPAddress: Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
  }
}
