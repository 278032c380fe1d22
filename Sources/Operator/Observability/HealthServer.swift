import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `/healthz`, `/readyz` and `/metrics` over plain HTTP for the kubelet's probes and
/// Prometheus.
///
/// `/healthz` answers 200 while the process is alive. `/readyz` answers 200 only once every
/// readiness check passes (caches synced), 503 with the failing checks' names otherwise, as
/// kube-apiserver's `/readyz` does.
public final class HealthServer: Sendable {
  public typealias Check = @Sendable () async -> Bool

  typealias Responder = @Sendable (String) async -> (HTTPResponseStatus, String, String)
  private let channel: any Channel

  /// The port actually bound (useful with port 0).
  public var port: Int { channel.localAddress?.port ?? 0 }

  private init(channel: any Channel) { self.channel = channel }

  public static func start(
    host: String = "0.0.0.0", port: Int, registry: MetricsRegistry, readiness: [(String, Check)]
  ) async throws -> HealthServer {
    let respond: Responder = { path in await Self.respond(path, registry: registry, checks: readiness) }
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.pipeline.addHandler(HealthHandler(respond: respond))
        }
      }
      .bind(host: host, port: port).get()
    return HealthServer(channel: channel)
  }

  public func stop() async { try? await channel.close() }

  static func respond(
    _ path: String, registry: MetricsRegistry, checks: [(String, Check)]
  ) async -> (
    HTTPResponseStatus, String, String
  ) {
    switch path.split(separator: "?").first.map(String.init) ?? path {
    case "/healthz", "/livez": return (.ok, "text/plain", "ok")
    case "/readyz":
      var failed: [String] = []
      for (name, check) in checks where !(await check()) { failed.append(name) }
      if failed.isEmpty { return (.ok, "text/plain", "ok") }
      return (
        .serviceUnavailable, "text/plain",
        failed.map { "[-]\($0) failed: not ready" }.joined(separator: "\n") + "\nreadyz check failed"
      )
    case "/metrics": return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.render())
    default: return (.notFound, "text/plain", "404 page not found")
    }
  }
}

private final class HealthHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart
  let respond: HealthServer.Responder
  init(respond: @escaping HealthServer.Responder) { self.respond = respond }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard case .head(let head) = unwrapInboundIn(data) else { return }
    let loop = context.eventLoop
    let ctx = NIOLoopBound(context, eventLoop: loop)
    let keepAlive = head.isKeepAlive
    let promise = loop.makePromise(of: (HTTPResponseStatus, String, String).self)
    let respond = self.respond
    promise.completeWithTask { await respond(head.uri) }
    promise.futureResult.whenSuccess { status, type, body in
      let context = ctx.value
      var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.utf8.count)")])
      if !keepAlive { headers.add(name: "Connection", value: "close") }
      context.write(
        NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
        promise: nil)
      context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
      let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
      if !keepAlive { done.whenComplete { _ in ctx.value.close(promise: nil) } }
    }
  }
}
