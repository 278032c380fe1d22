import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A request as the bridge sees it: the head and the whole body (at most 1 MiB).
public struct BridgeRequest: Sendable {
  public var method: HTTPMethod
  public var path: String
  public var headers: HTTPHeaders
  public var body: [UInt8]
  /// The subject common name of the client certificate, when the client presented one that
  /// the requestheader CA signed (see ``BridgeTLS/clientCAPEM``); nil otherwise.
  public var clientCertificateCommonName: String?

  public init(
    method: HTTPMethod, path: String, headers: HTTPHeaders, body: [UInt8], clientCertificateCommonName: String? = nil
  ) {
    self.method = method
    self.path = path
    self.headers = headers
    self.body = body
    self.clientCertificateCommonName = clientCertificateCommonName
  }

  /// The query parameters (last value wins).
  public var query: [String: String] {
    guard let q = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
    var out: [String: String] = [:]
    for pair in q.split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      out[kv[0]] = kv.count > 1 ? kv[1] : ""
    }
    return out
  }
}

/// The bridge's TLS: its serving identity, and the CA whose client certificates are trusted
/// to speak for a user with `X-Remote-User` headers (the aggregator's front-proxy CA).
public struct BridgeTLS: Sendable {
  public var identity: PEMIdentity
  /// PEM roots for client certificates. Clients need not present one (bearer tokens work
  /// without); one that is presented must chain to these roots or the handshake fails.
  public var clientCAPEM: String?
  public init(identity: PEMIdentity, clientCAPEM: String? = nil) {
    self.identity = identity
    self.clientCAPEM = clientCAPEM
  }

  func context() throws -> NIOSSLContext {
    var config = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8)).map {
        .certificate($0)
      },
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)))
    if let ca = clientCAPEM, !ca.isEmpty {
      config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
      config.certificateVerification = .optionalVerification
      config.sendCANameList = true
    } else {
      config.certificateVerification = .none
    }
    config.applicationProtocols = ["http/1.1"]
    return try NIOSSLContext(configuration: config)
  }
}

/// Writes one response; `write` suspends until the bytes are handed to the socket, so a
/// slow reader slows the writer (backpressure) and a vanished reader makes it throw.
public struct BridgeResponseWriter: Sendable {
  let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  let version: HTTPVersion
  let headSent = Locked(false)

  /// Whether a response has begun (its head went out).
  public var started: Bool { headSent.withLock { $0 } }

  public func start(status: HTTPResponseStatus, headers: [(String, String)]) async throws {
    var h = HTTPHeaders(headers)
    h.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
    headSent.withLock { $0 = true }
    try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: h)))
  }
  public func write(_ bytes: [UInt8]) async throws {
    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
  }
  public func end() async throws { try await outbound.write(.end(nil)) }

  /// A whole response in one go.
  public func respond(status: HTTPResponseStatus, contentType: String, body: [UInt8]) async throws {
    try await respond(status: status, headers: [("Content-Type", contentType)], body: body)
  }

  public func respond(status: HTTPResponseStatus, headers: [(String, String)], body: [UInt8]) async throws {
    var h = HTTPHeaders(headers)
    h.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
    headSent.withLock { $0 = true }
    try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: h)))
    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
    try await outbound.write(.end(nil))
  }
}

/// Upgrades requests to WebSocket when it accepts them (the bridge's `v5.channel.k8s.io` exec).
public protocol BridgeWebSocketHandling: Sendable {
  /// The subprotocol to accept the upgrade with, or nil to answer the request as plain HTTP
  /// (which then gets the 401/403/404 it deserves from the ordinary handler).
  func webSocketProtocol(for request: BridgeRequest) async -> String?
  func serveWebSocket(
    _ request: BridgeRequest, subprotocol: String, _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async
}

/// The exec bridge's HTTP(S) listener: HTTP/1.1, one request per connection at a time,
/// streaming responses, WebSocket upgrades, TLS when given a certificate and key.
///
/// The connection is read while a response is being written (no HTTP pipelining help), so a
/// client that goes away is noticed at once and cancels its handler.
public final class BridgeHTTPServer: Sendable {
  public typealias Handler = @Sendable (BridgeRequest, BridgeResponseWriter) async -> Void
  enum Upgrade: Sendable {
    /// `refused`: an upgrade request that was declined; NIO has consumed it already, so it is
    /// answered as an ordinary request first.
    case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refused: HTTPRequestHead?)
    case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, HTTPRequestHead, String)
  }
  private let channel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>
  private let acceptTask: Task<Void, Never>
  public var port: Int { channel.channel.localAddress?.port ?? 0 }

  private init(channel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>, acceptTask: Task<Void, Never>) {
    self.channel = channel
    self.acceptTask = acceptTask
  }

  /// `tls`: nil serves plain HTTP (tests, or behind a TLS-terminating proxy); then no
  /// request carries a client certificate, so only bearer tokens authenticate.
  public static func start(
    host: String, port: Int, tls: BridgeTLS?, webSocket: (any BridgeWebSocketHandling)? = nil,
    handler: @escaping Handler
  ) async throws -> BridgeHTTPServer {
    let sslContext = try tls.map { try $0.context() }
    let channel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never> = try await ServerBootstrap(
      group: MultiThreadedEventLoopGroup.singleton
    )
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .bind(host: host, port: port) { child in
      child.eventLoop.makeCompletedFuture {
        if let sslContext { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
        let refused = Locked<HTTPRequestHead?>(nil)
        let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
          maxFrameSize: 1 << 20,
          shouldUpgrade: { channel, head in
            let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
            promise.completeWithTask {
              guard let webSocket else {
                refused.withLock { $0 = head }
                return nil
              }
              let request = BridgeRequest(
                method: head.method, path: head.uri, headers: head.headers, body: [],
                clientCertificateCommonName: await peerCommonName(channel))
              guard let proto = await webSocket.webSocketProtocol(for: request) else {
                refused.withLock { $0 = head }
                return nil
              }
              return HTTPHeaders([("Sec-WebSocket-Protocol", proto)])
            }
            return promise.futureResult
          },
          upgradePipelineHandler: { channel, head in
            channel.eventLoop.makeCompletedFuture {
              try channel.pipeline.syncOperations.addHandler(
                NIOWebSocketFrameAggregator(
                  minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 10, maxAccumulatedFrameSize: 1 << 20))
              let ws = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
              return Upgrade.websocket(ws, head, "")
            }
          })
        var config = NIOUpgradableHTTPServerPipelineConfiguration(
          upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
              channel.eventLoop.makeCompletedFuture {
                Upgrade.http(
                  try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                    wrappingChannelSynchronously: channel),
                  refused: refused.withLock { h in
                    defer { h = nil }
                    return h
                  })
              }
            }))
        config.enablePipelining = false
        return try child.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: config)
      }
    }
    let task = Task {
      await withDiscardingTaskGroup { group in
        do {
          try await channel.executeThenClose { inbound in
            for try await upgrade in inbound {
              group.addTask {
                switch try? await upgrade.get() {
                case .http(let connection, let refused)?: await serve(connection, refused: refused, handler)
                case .websocket(let ws, let head, _)?:
                  guard let webSocket else { return }
                  let request = BridgeRequest(
                    method: head.method, path: head.uri, headers: head.headers, body: [],
                    clientCertificateCommonName: await peerCommonName(ws.channel))
                  let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }.map {
                    $0.trimmingCharacters(in: .whitespaces)
                  }
                  await webSocket.serveWebSocket(
                    request,
                    subprotocol: offered.contains("v5.channel.k8s.io") ? "v5.channel.k8s.io" : (offered.first ?? ""), ws
                  )
                case nil: return
                }
              }
            }
          }
        } catch {}
      }
    }
    return BridgeHTTPServer(channel: channel, acceptTask: task)
  }

  /// The common name of the verified client certificate, if one was presented.
  static func peerCommonName(_ channel: any Channel) async -> String? {
    let cert = try? await channel.nioSSL_peerCertificate().get()
    return cert.flatMap { try? $0.toDERBytes() }.flatMap { Certificates.commonName(der: $0) }
  }

  public func stop() async {
    try? await channel.channel.close()
    acceptTask.cancel()
  }

  private static func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refused: HTTPRequestHead?,
    _ handler: @escaping Handler
  ) async {
    let closed = connection.channel.closeFuture
    let channel = connection.channel
    var peer: String??
    try? await connection.executeThenClose { inbound, outbound in
      /// Answers one request; false when the connection must close afterwards.
      func answer(_ h: HTTPRequestHead, _ body: [UInt8]) async -> Bool {
        if peer == nil {
          // The handshake is done once a request arrived; a presented certificate was verified.
          peer = .some(await peerCommonName(channel))
        }
        let request = BridgeRequest(
          method: h.method, path: h.uri, headers: h.headers, body: body, clientCertificateCommonName: peer ?? nil)
        let writer = BridgeResponseWriter(outbound: outbound, version: h.version)
        // A client that goes away cancels the handler (and so the remote command).
        let work = Task { await handler(request, writer) }
        closed.whenComplete { _ in work.cancel() }
        await work.value
        return h.isKeepAlive
      }
      if let refused, !(await answer(refused, [])) { return }
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
          if !(await answer(h, body)) { return }
          head = nil
        }
      }
    }
  }
}
