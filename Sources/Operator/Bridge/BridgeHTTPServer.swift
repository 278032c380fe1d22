import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the bridge sees it: the head and the whole body (at most 1 MiB).
public struct BridgeRequest: Sendable {
  public var method: HTTPMethod
  public var path: String
  public var headers: HTTPHeaders
  public var body: [UInt8]
}

/// Writes one response; `write` suspends until the bytes are handed to the socket, so a
/// slow reader slows the writer (backpressure) and a vanished reader makes it throw.
public struct BridgeResponseWriter: Sendable {
  let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  let version: HTTPVersion

  public func start(status: HTTPResponseStatus, headers: [(String, String)]) async throws {
    var h = HTTPHeaders(headers)
    h.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
    try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: h)))
  }
  public func write(_ bytes: [UInt8]) async throws {
    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
  }
  public func end() async throws { try await outbound.write(.end(nil)) }

  /// A whole response in one go.
  public func respond(status: HTTPResponseStatus, contentType: String, body: [UInt8]) async throws {
    let h = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
    try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: h)))
    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
    try await outbound.write(.end(nil))
  }
}

/// The exec bridge's HTTP(S) listener: HTTP/1.1, one request per connection at a time,
/// streaming responses, TLS when given a certificate and key.
public final class BridgeHTTPServer: Sendable {
  public typealias Handler = @Sendable (BridgeRequest, BridgeResponseWriter) async -> Void
  private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
  private let acceptTask: Task<Void, Never>
  public var port: Int { channel.channel.localAddress?.port ?? 0 }

  private init(
    channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
    acceptTask: Task<Void, Never>
  ) {
    self.channel = channel
    self.acceptTask = acceptTask
  }

  /// `tls`: PEM certificate chain and key file paths; nil serves plain HTTP (tests, or
  /// behind a TLS-terminating proxy).
  public static func start(host: String, port: Int, tls: (certificate: String, key: String)?, handler: @escaping Handler)
    async throws -> BridgeHTTPServer
  {
    let sslContext = try tls.map { t in
      try NIOSSLContext(
        configuration: .makeServerConfiguration(
          certificateChain: try NIOSSLCertificate.fromPEMFile(t.certificate).map { .certificate($0) },
          privateKey: .privateKey(try NIOSSLPrivateKey(file: t.key, format: .pem))))
    }
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: host, port: port) { child in
        child.eventLoop.makeCompletedFuture {
          if let sslContext { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
          try child.pipeline.syncOperations.configureHTTPServerPipeline()
          return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
        }
      }
    let task = Task {
      await withDiscardingTaskGroup { group in
        do {
          try await channel.executeThenClose { inbound in
            for try await connection in inbound {
              group.addTask { await serve(connection, handler) }
            }
          }
        } catch {}
      }
    }
    return BridgeHTTPServer(channel: channel, acceptTask: task)
  }

  public func stop() async {
    try? await channel.channel.close()
    acceptTask.cancel()
  }

  private static func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ handler: @escaping Handler
  ) async {
    let closed = connection.channel.closeFuture
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      var body: [UInt8] = []
      for try await part in inbound {
        switch part {
        case .head(let h):
          head = h
          body = []
        case .body(let b):
          guard body.count + b.readableBytes <= 1 << 20 else { return }
          body.append(contentsOf: b.readableBytesView)
        case .end:
          guard let h = head else { continue }
          let request = BridgeRequest(method: h.method, path: h.uri, headers: h.headers, body: body)
          let writer = BridgeResponseWriter(outbound: outbound, version: h.version)
          // A client that goes away cancels the handler (and so the remote command).
          let work = Task { await handler(request, writer) }
          closed.whenComplete { _ in work.cancel() }
          await work.value
          if !h.isKeepAlive { return }
          head = nil
        }
      }
    }
  }
}
