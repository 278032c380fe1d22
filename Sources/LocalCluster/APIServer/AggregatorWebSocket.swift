import CRDModels
import Foundation
import HTTPUpgrade
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// WebSocket upgrades to aggregated APIs (e.g. the exec bridge's `v5.channel.k8s.io`): the
/// request is authenticated and authorized like any other aggregated request, the upgrade is
/// first made to the backend (front-proxy certificate, `X-Remote-*` headers, the client's
/// offered subprotocols), and only if the backend switches protocols is the client's upgrade
/// accepted, with the subprotocol the backend chose. Frames are then relayed both ways,
/// re-masked towards the backend, until either connection ends. Like kube-apiserver's
/// upgrade-aware proxy, which copies bytes, the relay does not end on a close frame: a client
/// that sends one still gets what the backend answers (the exec's channel-3 status and its
/// own close frame) until the backend closes.
extension Aggregator {
  /// The backend connection made while deciding an upgrade, waiting for the client's
  /// WebSocket, keyed by the client's `Sec-WebSocket-Key`. One that no relay takes within
  /// `unclaimedTimeout` (the client's upgrade failed after it was accepted, e.g. the client left
  /// before the 101 was written) is closed, so the backend's exec does not run on unseen.
  final class PendingUpgrades: Sendable {
    static let unclaimedTimeout: Duration = .seconds(10)
    private let m = Mutex<[String: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>]>([:])
    func put(_ key: String, _ c: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) {
      m.withLock { $0[key] = c }
      Task { [weak self] in
        try? await Task.sleep(for: Self.unclaimedTimeout)
        let unclaimed = self?.m.withLock { pending in
          pending[key].map { ObjectIdentifier($0.channel) == ObjectIdentifier(c.channel) } == true
            ? pending.removeValue(forKey: key) : nil
        }
        try? await unclaimed?.channel.close()
      }
    }
    func take(_ key: String) -> NIOAsyncChannel<WebSocketFrame, WebSocketFrame>? {
      m.withLock { $0.removeValue(forKey: key) }
    }
  }

  /// Whether `head` is an upgrade to an aggregated API (decided without I/O).
  func isAggregatedUpgrade(_ head: HTTPRequestHead) async -> AggregatedAPI? {
    let path = String(head.uri.split(separator: "?", maxSplits: 1)[0])
    let segs = path.split(separator: "/").map(String.init)
    guard segs.count >= 3, segs[0] == "apis" else { return nil }
    return await lookup(group: segs[1], version: segs[2])
  }

  /// The headers that accept the client's upgrade, or nil to answer it as plain HTTP (which
  /// then gets the usual 401/403/503 from ``handle(_:_:user:api:)``).
  func shouldUpgrade(_ h: APIHandler, _ head: HTTPRequestHead, api: AggregatedAPI) async -> HTTPHeaders? {
    guard api.available, let key = head.headers.first(name: "Sec-WebSocket-Key"),
      let o = options.withLock({ $0 }), let endpoint = try? endpoint(api),
      let user = try? await h.authenticate(head.headers)
    else { return nil }
    let req = HTTPRequest(head: head, body: [])
    guard await h.authorizer.authorize(Self.attributes(req, user: user, api: api)).allowed else { return nil }
    var headers = HTTPHeaders()
    for (name, value) in head.headers
    where ![
      "host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
      "content-length",
    ]
    .contains(name.lowercased()) {
      headers.add(name: name, value: value)
    }
    Self.setProxyHeaders(&headers, user: user)
    headers.replaceOrAdd(name: "Host", value: "\(endpoint.serverName):\(endpoint.port)")
    headers.add(name: "Content-Length", value: "0")
    let backendHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: head.uri, headers: headers)
    guard
      let (channel, chosen) = try? await ProxyTransport.webSocket(
        endpoint, clientIdentity: (o.proxyClientCertificatePEM, o.proxyClientKeyPEM), head: backendHead)
    else { return nil }
    pending.put(key, channel)
    var answer = HTTPHeaders()
    if let chosen { answer.add(name: "Sec-WebSocket-Protocol", value: chosen) }
    return answer
  }

  /// Relays frames between the client and the backend connection made in ``shouldUpgrade``.
  func relay(_ head: HTTPRequestHead, _ client: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>) async {
    guard let key = head.headers.first(name: "Sec-WebSocket-Key"), let backend = pending.take(key) else {
      try? await client.channel.close()
      return
    }
    try? await client.executeThenClose { clientIn, clientOut in
      try await backend.executeThenClose { backendIn, backendOut in
        await withTaskGroup(of: Void.self) { group in
          group.addTask {
            // Client → backend: clients mask their frames, so re-mask.
            do {
              for try await frame in clientIn {
                try await backendOut.write(
                  WebSocketFrame(fin: frame.fin, opcode: frame.opcode, maskKey: .random(), data: frame.unmaskedData))
              }
            } catch {}
          }
          group.addTask {
            // Backend → client: servers do not mask.
            do {
              for try await frame in backendIn {
                try await clientOut.write(
                  WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData))
              }
            } catch {}
          }
          // Either connection ending ends the relay (and closes the other).
          await group.next()
          group.cancelAll()
        }
      }
    }
  }
}

extension ProxyTransport {
  private enum UpgradeResult: Sendable {
    case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, String?)
    case refused
  }

  /// A WebSocket upgrade to the backend; the connection and the subprotocol it chose, or
  /// throws when the backend does not switch protocols.
  static func webSocket(
    _ endpoint: ProxyEndpoint, clientIdentity: (certificatePEM: String, privateKeyPEM: String), head: HTTPRequestHead
  ) async throws -> (NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, String?) {
    let context = try NIOSSLContext(configuration: try tlsConfiguration(endpoint, clientIdentity))
    let serverName = endpoint.serverName
    let upgrade = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.seconds(10))
      .connect(host: endpoint.host, port: endpoint.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            try NIOSSLClientHandler(context: context, serverHostname: serverName))
          let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
            maxFrameSize: 1 << 24,
            upgradePipelineHandler: { channel, response in
              channel.eventLoop.makeCompletedFuture {
                let ws = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                return UpgradeResult.upgraded(ws, response.headers.first(name: "Sec-WebSocket-Protocol"))
              }
            })
          let config = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
            upgradeRequestHead: head, upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
              channel.close(promise: nil)
              return channel.eventLoop.makeSucceededFuture(.refused)
            })
          return try channel.pipeline.syncOperations.configureGatedHTTPClientUpgrade(config)
        }
      }
    switch try await upgrade.get() {
    case .upgraded(let ws, let chosen): return (ws, chosen)
    case .refused: throw Aggregator.unavailable("the backend refused the WebSocket upgrade")
    }
  }

  static func tlsConfiguration(
    _ endpoint: ProxyEndpoint, _ clientIdentity: (certificatePEM: String, privateKeyPEM: String)
  )
    throws -> TLSConfiguration
  {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientIdentity.certificatePEM.utf8)).map {
      .certificate($0)
    }
    tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientIdentity.privateKeyPEM.utf8), format: .pem))
    if endpoint.insecureSkipTLSVerify {
      tls.certificateVerification = .none
    } else if let ca = endpoint.caBundlePEM {
      tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
    }
    tls.applicationProtocols = ["http/1.1"]
    return tls
  }
}
