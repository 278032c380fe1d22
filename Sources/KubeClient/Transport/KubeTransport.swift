import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The HTTP layer: one pooled `HTTPClient` per configuration, authentication, the optional
/// rate limiter, retries and metrics. Everything above it speaks in ``KubeRequest``s.
///
/// Call ``shutdown()`` when done; the pool holds connections (and watch streams) open.
/// Tokens and `Authorization` headers are never logged.
public final class KubeTransport: Sendable {
  public let configuration: ClientConfiguration
  let http: HTTPClient
  let limiter: TokenBucket?
  let metrics: RequestMetricsHook?
  /// Hooks added after construction (e.g. by the operator's manager for `/metrics`).
  private let observers = Mutex<[RequestMetricsHook]>([])
  let logger: Logger
  let sleep: @Sendable (Duration) async throws -> Void
  let random: @Sendable () -> Double
  /// Scheme, host and port of the server, with any path prefix (e.g. a proxy's `/k8s`).
  let base: String

  public init(
    configuration: ClientConfiguration, metrics: RequestMetricsHook? = nil,
    logger: Logger = Logger(label: "gra.kubeclient"),
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
  ) throws {
    self.configuration = configuration
    self.metrics = metrics
    self.logger = logger
    self.sleep = sleep
    self.random = random
    self.base = configuration.server
    self.limiter = configuration.rateLimit.map { TokenBucket(qps: $0.qps, burst: $0.burst) }
    var http = HTTPClient.Configuration(
      tlsConfiguration: try Self.tls(configuration.tls),
      redirectConfiguration: .disallow,
      timeout: .init(connect: .nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9)), read: nil),
      connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64),
      proxy: try Self.proxy(configuration.proxyURL),
      decompression: .disabled)
    http.httpVersion = .automatic
    self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
  }

  /// Adds a hook called once per finished request, alongside the one given at construction.
  public func addMetricsHook(_ hook: @escaping RequestMetricsHook) { observers.withLock { $0.append(hook) } }

  /// Closes pooled connections and ends open streams.
  public func shutdown() async throws { try await http.shutdown() }

  static func tls(_ s: ClientConfiguration.TLSSettings) throws -> TLSConfiguration {
    var t = TLSConfiguration.makeClientConfiguration()
    if let ca = s.caPEM { t.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca)) }
    if s.insecureSkipVerify { t.certificateVerification = .none }
    if let cert = s.clientCertificatePEM, let key = s.clientKeyPEM {
      t.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
      t.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
    }
    return t
  }

  static func proxy(_ url: String?) throws -> HTTPClient.Configuration.Proxy? {
    guard let url, let u = URL(string: url), let host = u.host else { return nil }
    return .server(host: host, port: u.port ?? 80)
  }

  /// The headers every request carries, authentication included.
  func headers(for r: KubeRequest, refreshToken: Bool) async throws -> HTTPHeaders {
    var h = HTTPHeaders()
    h.add(name: "User-Agent", value: configuration.userAgent)
    h.add(name: "Accept", value: r.accept)
    if let ct = r.contentType { h.add(name: "Content-Type", value: ct) }
    for (n, v) in r.headers { h.add(name: n, value: v) }
    switch configuration.credentials {
    case .none: break
    case .bearer(let source):
      if let t = try await source.token(refresh: refreshToken) { h.add(name: "Authorization", value: "Bearer \(t)") }
    case .basic(let u, let p):
      h.add(name: "Authorization", value: "Basic " + Data("\(u):\(p)".utf8).base64EncodedString())
    }
    return h
  }

  /// The full URL of a request.
  public func url(for r: KubeRequest) -> String { base + r.target }

  /// Sends a request and buffers the answer (any status). Retries per the policy, refreshes
  /// the token once after a 401, and reports one metric.
  public func send(_ r: KubeRequest, timeout: Duration? = nil) async throws -> KubeResponse {
    try await perform(r, deadline: timeout ?? configuration.requestTimeout, exchange: exchange) { resp in
      var body: [UInt8] = []
      for try await var chunk in resp.body { body += chunk.readBytes(length: chunk.readableBytes) ?? [] }
      return KubeResponse(status: Int(resp.status.code), headers: resp.headers.map { ($0.name, $0.value) }, body: body)
    }
  }

  /// Opens a streaming request (follow logs, exec output). Non-2xx answers are read and thrown
  /// as ``KubeError``; on success the caller reads `response.body` incrementally.
  public func stream(_ r: KubeRequest, timeout: Duration?) async throws -> HTTPClientResponse {
    try await perform(r, deadline: timeout, exchange: exchange) { $0 }
  }

  /// Opens a streaming request whose body is read as fast as the server sends it and buffered
  /// for the consumer (``EagerAnswer``): for watches. Non-2xx answers are thrown as
  /// ``KubeError``; dropping the body, or cancelling its reader, ends the request.
  public func streamEagerly(
    _ r: KubeRequest, timeout: Duration?
  ) async throws
    -> AsyncThrowingStream<ByteBuffer, any Error>
  {
    try await perform(r, deadline: timeout, exchange: { try await self.eagerExchange(r, $0, $1) }) { $0.body }
  }

  private func exchange(_ req: HTTPClientRequest, _ deadline: NIODeadline) async throws -> HTTPClientResponse {
    try await http.execute(req, deadline: deadline, logger: nil)
  }

  /// One request through AsyncHTTPClient's delegate interface, the delegate and the connection
  /// on one event loop, so body parts reach the delegate without a hop.
  private func eagerExchange(
    _ r: KubeRequest, _ req: HTTPClientRequest, _ deadline: NIODeadline
  ) async throws
    -> EagerAnswer
  {
    let request = try HTTPClient.Request(
      url: req.url, method: req.method, headers: req.headers, body: r.body.map { .bytes($0) })
    let loop = http.eventLoopGroup.next()
    let delegate = EagerBodyDelegate(eventLoop: loop)
    let task = http.execute(
      request: request, delegate: delegate, eventLoop: .delegateAndChannel(on: loop), deadline: deadline, logger: nil)
    delegate.onTermination { task.cancel() }
    let head = try await withTaskCancellationHandler {
      try await delegate.head.futureResult.get()
    } onCancel: {
      task.cancel()
    }
    return EagerAnswer(code: Int(head.status.code), headers: head.headers, body: delegate.body)
  }

  /// Sends `r` through `exchange` until it gets an answer to keep: 2xx (or 101) goes to `read`;
  /// other answers and connection errors are retried per the policy or thrown as ``KubeError``.
  private func perform<Answer: ExchangeAnswer, T>(
    _ r: KubeRequest, deadline: Duration?,
    exchange: (HTTPClientRequest, NIODeadline) async throws -> Answer,
    read: (Answer) async throws -> T
  ) async throws -> T {
    let start = ContinuousClock.now
    var attempt = 0
    var refreshed = false
    var refreshNext = false
    var lastCode = 0
    defer {
      let hooks = observers.withLock { $0 }
      if metrics != nil || !hooks.isEmpty {
        let (path, namesObject) = Self.metric(r.path)
        let m = RequestMetric(
          method: r.method, path: path, code: lastCode, duration: ContinuousClock.now - start,
          retries: attempt, verb: RequestMetric.verb(of: r, namesObject: namesObject))
        metrics?(m)
        for h in hooks { h(m) }
      }
    }
    while true {
      if let limiter { try await limiter.acquire() }
      var req = HTTPClientRequest(url: url(for: r))
      req.method = HTTPMethod(rawValue: r.method)
      req.headers = try await headers(for: r, refreshToken: refreshNext)
      refreshNext = false
      if let body = r.body { req.body = .bytes(ByteBuffer(bytes: body)) }
      let dl: NIODeadline = deadline.map { .now() + .nanoseconds(Int64($0.seconds * 1e9)) } ?? .distantFuture
      let outcome: RetryPolicy.Outcome
      var failure: any Error
      do {
        let resp = try await exchange(req, dl)
        let code = resp.code
        lastCode = code
        if (200..<300).contains(code) || code == 101 {
          return try await read(resp)
        }
        let retryAfter = RetryPolicy.parseRetryAfter(resp.headers.first(name: "Retry-After"))
        var bytes: [UInt8] = []
        for try await var chunk in resp.body {
          if bytes.count < 1 << 20 { bytes += chunk.readBytes(length: chunk.readableBytes) ?? [] }
        }
        if code == 401, !refreshed, case .bearer = configuration.credentials {
          refreshed = true
          refreshNext = true
          logger.debug("401 from the API server, refreshing the token once", metadata: ["path": .string(r.path)])
          continue
        }
        let err = KubeError.fromResponse(code: code, body: bytes, retryAfter: retryAfter)
        outcome = .status(code, retryAfter: err.retryAfter)
        failure = err
      } catch let e as KubeError {
        throw e
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        if Task.isCancelled { throw CancellationError() }
        lastCode = 0
        outcome = .connectionError
        failure = KubeError.transport("\(r.method) \(base)\(r.path): \(Self.describe(error))")
      }
      guard
        let delay = configuration.retry.delay(attempt: attempt, method: r.method, outcome: outcome, random: random())
      else { throw failure }
      logger.debug(
        "retrying request",
        metadata: [
          "method": .string(r.method), "path": .string(r.path), "attempt": .stringConvertible(attempt + 1),
          "delay": .string("\(delay)"),
        ])
      attempt += 1
      try await sleep(delay)
    }
  }

  static func describe(_ error: any Error) -> String {
    if let e = error as? HTTPClientError { return "\(e)" }
    if let e = error as? NIOSSLError { return "TLS: \(e)" }
    // `connect(2)` failures, as the system names them ("connection refused"), not NIO's
    // "connection reset (error set): …" wrapping.
    if let e = error as? IOError { return String(cString: strerror(e.errnoCode)).lowercased() }
    return "\(error)"
  }

  /// The path with object names removed, so metrics have few distinct labels:
  /// `/api/v1/namespaces/{ns}/pods/{name}/status`.
  static func metricPath(_ path: String) -> String { metric(path).path }

  /// ``metricPath(_:)``, and whether the path names one object (a `{name}` segment, or a
  /// namespace's own path `/api/v1/namespaces/{namespace}`), which decides get/list and
  /// delete/deletecollection.
  static func metric(_ path: String) -> (path: String, namesObject: Bool) {
    // Runs once per request: one pass over the bytes, no array of segments, byte comparisons.
    var out: [UInt8] = []
    out.reserveCapacity(path.utf8.count + 20)
    // /api/v1/... has 2 fixed segments, /apis/g/v/... has 3.
    var fixed = 2
    var i = 0
    var nameNext = false
    var previousWasNamespaces = false
    var named = false
    var endsWithNamespace = false
    let bytes = path.utf8
    var start = bytes.startIndex
    while start != bytes.endIndex {
      let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
      let segment = bytes[start..<end]
      start = end == bytes.endIndex ? end : bytes.index(after: end)
      if segment.isEmpty { continue }
      out.append(UInt8(ascii: "/"))
      if i == 0, segment.elementsEqual("apis".utf8) { fixed = 3 }
      endsWithNamespace = false
      if nameNext {
        endsWithNamespace = i == fixed + 1 && previousWasNamespaces
        named = named || !endsWithNamespace
        out.append(contentsOf: (endsWithNamespace ? "{namespace}" : "{name}").utf8)
        nameNext = false
        previousWasNamespaces = false
      } else {
        out.append(contentsOf: segment)
        nameNext = i >= fixed
        previousWasNamespaces = segment.elementsEqual("namespaces".utf8)
      }
      i += 1
    }
    return (out.isEmpty ? "/" : String(decoding: out, as: UTF8.self), named || endsWithNamespace)
  }
}

/// What ``KubeTransport``'s request loop needs of an answer, buffered or streamed.
protocol ExchangeAnswer {
  associatedtype Body: AsyncSequence where Body.Element == ByteBuffer
  var code: Int { get }
  var headers: HTTPHeaders { get }
  var body: Body { get }
}

extension HTTPClientResponse: ExchangeAnswer {
  var code: Int { Int(status.code) }
}
