import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// One HTTP request, fully read.
struct HTTPRequest: Sendable {
  var method: HTTPMethod
  var uri: String
  var path: String
  var query: [String: [String]]
  var headers: HTTPHeaders
  var body: [UInt8]

  init(head: HTTPRequestHead, body: [UInt8]) {
    method = head.method
    uri = head.uri
    headers = head.headers
    self.body = body
    let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    path = String(parts[0]).removingPercentEncoding ?? String(parts[0])
    var q: [String: [String]] = [:]
    if parts.count > 1 {
      for pair in parts[1].split(separator: "&") {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func dec(_ s: Substring) -> String {
          String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
        }
        q[dec(kv[0]), default: []].append(kv.count > 1 ? dec(kv[1]) : "")
      }
    }
    query = q
  }

  func q(_ key: String) -> String? { query[key]?.last }
  func flag(_ key: String) -> Bool { (q(key).map { $0 == "true" || $0 == "1" || $0.isEmpty }) ?? false }
  func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A response: a whole body, or a stream of chunks (watch, follow logs).
struct HTTPResponse: Sendable {
  enum Body: Sendable {
    case bytes([UInt8])
    case stream(AsyncStream<[UInt8]>)
  }
  var status: Int
  var headers: [(String, String)]
  var body: Body

  init(status: Int, headers: [(String, String)] = [], body: Body) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> HTTPResponse {
    json(status, serialized: value.serialized(), headers: headers)
  }

  /// A JSON answer whose body is already serialized.
  static func json(_ status: Int, serialized body: [UInt8], headers: [(String, String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(body))
  }

  static func status(_ s: Status) -> HTTPResponse { json(s.code ?? 500, s.jsonValue) }
}

/// What the HTTP layer calls into.
protocol HTTPHandling: Sendable {
  func handle(_ request: HTTPRequest) async -> HTTPResponse
  /// For a WebSocket upgrade request: the extra response headers (with the chosen
  /// subprotocol) to accept it, or nil to answer it as plain HTTP.
  func shouldUpgrade(_ head: HTTPRequestHead) async -> HTTPHeaders?
  func handleWebSocket(_ head: HTTPRequestHead, _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async
}

/// HTTP/1.1 on loopback with keep-alive, chunked streaming and WebSocket upgrades.
final class HTTPServer: Sendable {
  enum Upgrade {
    case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, HTTPRequestHead)
    /// Plain HTTP; `refused` is an upgrade request the handler declined, which NIO has already
    /// consumed and must be answered before anything else is read.
    case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refused: HTTPRequestHead?)
  }

  let port: Int
  private let serverChannel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>
  private let acceptTask: Task<Void, Never>

  private init(
    port: Int, serverChannel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>, acceptTask: Task<Void, Never>
  ) {
    self.port = port
    self.serverChannel = serverChannel
    self.acceptTask = acceptTask
  }

  static func start(host: String, port: Int, handler: any HTTPHandling) async throws -> HTTPServer {
    let tls = try LoopbackTLS.serverContext()
    let channel: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never> = try await ServerBootstrap(
      group: MultiThreadedEventLoopGroup.singleton
    )
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .bind(host: host, port: port) { channel in
      channel.eventLoop.makeCompletedFuture {
        // The TLS handler goes between these two, where the sniffer finds a TLS hello.
        try channel.pipeline.syncOperations.addHandler(TLSSniffer(context: tls))
        try channel.pipeline.syncOperations.addHandler(WriteCoalescer())
        let refused = RefusedUpgrade()
        let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
          maxFrameSize: 1 << 24,
          shouldUpgrade: { channel, head in
            let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
            promise.completeWithTask {
              let headers = await handler.shouldUpgrade(head)
              if headers == nil { refused.set(head) }
              return headers
            }
            return promise.futureResult
          },
          upgradePipelineHandler: { channel, head in
            channel.eventLoop.makeCompletedFuture {
              let ws = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
              return Upgrade.websocket(ws, head)
            }
          })
        let config = NIOTypedHTTPServerUpgradeConfiguration(
          upgraders: [upgrader, SPDYRefusal(refused: refused)],
          notUpgradingCompletionHandler: { channel in
            channel.eventLoop.makeCompletedFuture {
              let http = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                wrappingChannelSynchronously: channel)
              return Upgrade.http(http, refused: refused.take())
            }
          })
        // No pipelining assistance: NIO's HTTPServerPipelineHandler stops reading while a
        // response is in flight, so a client that closes during a watch or a proxied stream
        // would sit in CLOSE-WAIT unnoticed until the next write. Reading on lets its EOF close
        // the channel at once (kube-apiserver cancels the request context then). Requests are
        // still answered one at a time and in order by `serveHTTP`, so a pipelining client
        // (kubectl and client-go do not pipeline) gets its answers in order.
        var pipeline = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: config)
        pipeline.enablePipelining = false
        return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
      }
    }
    let boundPort = channel.channel.localAddress?.port ?? port
    let task = Task {
      await withDiscardingTaskGroup { group in
        do {
          try await channel.executeThenClose { inbound in
            for try await upgrade in inbound {
              group.addTask { await HTTPServer.serve(upgrade, handler: handler) }
            }
          }
        } catch {}
        group.cancelAll()
      }
    }
    return HTTPServer(port: boundPort, serverChannel: channel, acceptTask: task)
  }

  func shutdown() async {
    try? await serverChannel.channel.close()
    acceptTask.cancel()
    _ = await acceptTask.value
  }

  private static func serve(_ upgrade: EventLoopFuture<Upgrade>, handler: any HTTPHandling) async {
    do {
      switch try await upgrade.get() {
      case .websocket(let ws, let head):
        await handler.handleWebSocket(head, ws)
      case .http(let http, let refused):
        try await serveHTTP(http, refused: refused, handler: handler)
      }
    } catch {}
  }

  private static func serveHTTP(
    _ http: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, refused: HTTPRequestHead?,
    handler: any HTTPHandling
  ) async throws {
    let closeFuture = http.channel.closeFuture
    try await http.executeThenClose { inbound, outbound in
      /// Answers one request; false when the connection must close afterwards.
      func answer(_ h: HTTPRequestHead, _ body: [UInt8]) async throws -> Bool {
        let response = await handler.handle(HTTPRequest(head: h, body: body))
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Date", value: httpDate())
        if !h.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        switch response.body {
        case .bytes(let bytes):
          headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
          try await outbound.write(
            .head(HTTPResponseHead(version: h.version, status: .init(statusCode: response.status), headers: headers)))
          if h.method != .HEAD, !bytes.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
          }
          try await outbound.write(.end(nil))
        case .stream(let stream):
          headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
          try await outbound.write(
            .head(HTTPResponseHead(version: h.version, status: .init(statusCode: response.status), headers: headers)))
          // The client going away cancels the consumer (which ends the stream's producer);
          // a future's `get()` is not cancellable, so it must not be awaited here, or a
          // finished stream would wait for the connection to close.
          let consumer = Task {
            for await chunk in stream {
              do { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) } catch { return false }
            }
            return !Task.isCancelled
          }
          closeFuture.whenComplete { _ in consumer.cancel() }
          let finished = await consumer.value
          guard finished else { return false }
          try await outbound.write(.end(nil))
        }
        return h.isKeepAlive
      }

      if let refused {
        // kube-apiserver answers a refused upgrade (missing pod, forbidden, …) with a plain
        // Status response and closes: the client is waiting for 101, not for keep-alive.
        var h = refused
        h.headers.replaceOrAdd(name: "Connection", value: "close")
        _ = try await answer(h, [])
        return
      }
      var head: HTTPRequestHead?
      var body: [UInt8] = []
      for try await part in inbound {
        switch part {
        case .head(let h):
          head = h
          body = []
        case .body(let b):
          body.append(contentsOf: b.readableBytesView)
        case .end:
          guard let h = head else { continue }
          head = nil
          if try await !answer(h, body) { return }
        }
      }
    }
  }

  /// kubectl falls back to SPDY/3.1 when its WebSocket upgrade is refused (an unknown
  /// container, say). SPDY is not spoken here; without an upgrader for it NIO would drop the
  /// request unanswered and kubectl would wait forever. This one refuses every SPDY upgrade and
  /// keeps the request, which is then answered like any refused upgrade (`Streaming.refusal`).
  private struct SPDYRefusal: NIOTypedHTTPServerProtocolUpgrader {
    struct Refused: Error {}
    let refused: RefusedUpgrade
    var supportedProtocol: String { "SPDY/3.1" }
    var requiredUpgradeHeaders: [String] { [] }

    func buildUpgradeResponse(
      channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
      refused.set(upgradeRequest)
      return channel.eventLoop.makeFailedFuture(Refused())
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Upgrade> {
      channel.eventLoop.makeFailedFuture(Refused())
    }
  }

  /// The upgrade request a connection's handler declined, handed from NIO's upgrade callback
  /// to the plain-HTTP path (NIO does not replay it).
  private final class RefusedUpgrade: Sendable {
    private let head = Mutex<HTTPRequestHead?>(nil)
    func set(_ h: HTTPRequestHead) { head.withLock { $0 = h } }
    func take() -> HTTPRequestHead? {
      head.withLock { h in
        defer { h = nil }
        return h
      }
    }
  }

  /// The `Date` header, formatted once per second: a `DateFormatter` per response cost about a
  /// tenth of the server's CPU under a create benchmark.
  private static let dateCache = Mutex<(second: Int, text: String)>((-1, ""))
  private static func httpDate() -> String {
    let now = Date()
    let second = Int(now.timeIntervalSince1970)
    if let cached = dateCache.withLock({ $0.second == second ? $0.text : nil }) { return cached }
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "GMT")
    f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    let text = f.string(from: now)
    dateCache.withLock { $0 = (second, text) }
    return text
  }

}
