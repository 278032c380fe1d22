import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// How the aggregator reaches one backend: where, and with which TLS.
struct ProxyEndpoint: Sendable {
  var host: String
  var port: Int
  /// The name the backend's certificate must carry (`SERVICE.NAMESPACE.svc`, as kube-aggregator
  /// checks it); unused with `insecureSkipTLSVerify`.
  var serverName: String
  /// PEM roots for the backend's certificate (the APIService `caBundle`); nil skips verification.
  var caBundlePEM: String?
  var insecureSkipTLSVerify: Bool
}

/// An HTTPS/1.1 client for the aggregator's proxy: presents the front-proxy client certificate,
/// sends one request, and hands the answer back as a head and a body that is read from the
/// backend only as fast as it is consumed (so a slow client slows the backend).
enum ProxyTransport {
  struct Answer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: AsyncStream<[UInt8]>
  }

  static func send(
    _ endpoint: ProxyEndpoint, clientIdentity: (certificatePEM: String, privateKeyPEM: String),
    head: HTTPRequestHead, body: [UInt8], connectTimeout: TimeAmount = .seconds(10)
  ) async throws -> Answer {
    let context = try NIOSSLContext(configuration: try tlsConfiguration(endpoint, clientIdentity))
    let serverName = endpoint.serverName
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(connectTimeout)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .connect(host: endpoint.host, port: endpoint.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
          try channel.pipeline.syncOperations.addHandler(handler)
          try channel.pipeline.syncOperations.addHTTPClientHandlers()
          return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
            wrappingChannelSynchronously: channel)
        }
      }

    let handoff = Handoff()
    let (headStream, headCont) = AsyncStream<Result<HTTPResponseHead, any Error>>.makeStream()
    let pump = Task {
      do {
        try await channel.executeThenClose { inbound, outbound in
          try await outbound.write(.head(head))
          if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
          try await outbound.write(.end(nil))
          for try await part in inbound {
            switch part {
            case .head(let h):
              headCont.yield(.success(h))
              headCont.finish()
            case .body(let b):
              guard await handoff.put(Array(b.readableBytesView)) else { return }
            case .end:
              return
            }
          }
        }
      } catch {
        headCont.yield(.failure(error))
      }
      headCont.finish()
      await handoff.finish()
    }
    var heads = headStream.makeAsyncIterator()
    let responseHead: HTTPResponseHead
    switch await heads.next() {
    case .success(let h)?: responseHead = h
    case .failure(let error)?:
      pump.cancel()
      throw Aggregator.unavailable("error trying to reach service: \(error)")
    case nil:
      pump.cancel()
      throw Aggregator.unavailable("error trying to reach service: the backend closed the connection without an answer")
    }
    let stream = AsyncStream<[UInt8]>(
      unfolding: { await handoff.take() },
      onCancel: {
        pump.cancel()
        channel.channel.close(promise: nil)
        Task { await handoff.finish() }
      })
    var headers: [(String, String)] = []
    for (name, value) in responseHead.headers
    where !["connection", "transfer-encoding", "content-length", "keep-alive"].contains(name.lowercased()) {
      headers.append((name, value))
    }
    return Answer(status: Int(responseHead.status.code), headers: headers, body: stream)
  }
}

/// A one-item hand-over between a producer and a consumer: `put` returns only once the item
/// was taken (or the consumer is gone), so nothing piles up in between.
actor Handoff {
  private var item: [UInt8]?
  private var finished = false
  private var consumer: CheckedContinuation<[UInt8]?, Never>?
  private var producer: CheckedContinuation<Void, Never>?

  /// False once the consumer is gone.
  func put(_ bytes: [UInt8]) async -> Bool {
    if finished { return false }
    if let c = consumer {
      consumer = nil
      c.resume(returning: bytes)
      return true
    }
    item = bytes
    await withCheckedContinuation { producer = $0 }
    return !finished
  }

  func take() async -> [UInt8]? {
    if let i = item {
      item = nil
      producer?.resume()
      producer = nil
      return i
    }
    if finished { return nil }
    return await withCheckedContinuation { consumer = $0 }
  }

  func finish() {
    finished = true
    consumer?.resume(returning: item)
    consumer = nil
    producer?.resume()
    producer = nil
  }
}
