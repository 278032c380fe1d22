import AsyncHTTPClient
import CRDModels
import Foundation
import NIOCore

/// Parameters of a watch.
public struct WatchParams: Sendable, Equatable {
  public var labelSelector: String?
  public var fieldSelector: String?
  /// Server-side timeout of each watch request; nil picks a random value in 290–590 s for
  /// every request, so many clients do not reconnect in step. The stream resumes
  /// transparently when a request ends.
  public var timeoutSeconds: Int?
  public var allowBookmarks: Bool = true

  public init(
    labelSelector: String? = nil, fieldSelector: String? = nil, timeoutSeconds: Int? = nil, allowBookmarks: Bool = true
  ) {
    self.labelSelector = labelSelector
    self.fieldSelector = fieldSelector
    self.timeoutSeconds = timeoutSeconds
    self.allowBookmarks = allowBookmarks
  }
}

extension Api {
  /// Watches from `resourceVersion` (usually a list's) and yields every event, bookmarks
  /// included, each decoded once.
  ///
  /// - When a watch request ends (server timeout, clean close, dropped connection) the
  ///   stream reconnects from the last resourceVersion it saw (objects and bookmarks), so a
  ///   caller sees one endless sequence.
  /// - A 410 Gone (HTTP 410, or an ERROR event with code 410 / reason `Expired`) ends the
  ///   stream with a ``KubeError`` whose `isGone` is true: relist, then watch again from the
  ///   list's resourceVersion. Other ERROR events end it with their Status as ``KubeError``.
  /// - Cancelling the consuming task (or dropping the iterator) closes the request.
  ///
  /// Events are read as fast as the server sends them and buffered for the consumer, because
  /// the API server drops watchers that fall behind.
  public func watch(
    from resourceVersion: String, _ params: WatchParams = WatchParams()
  )
    -> AsyncThrowingStream<WatchEvent<K>, any Error>
  {
    let (stream, continuation) = AsyncThrowingStream<WatchEvent<K>, any Error>.makeStream()
    let task = Task {
      do {
        try await self.runWatch(from: resourceVersion, params) { continuation.yield($0) }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  /// The watch loop behind ``watch(from:_:)``; `emit` is called once per event.
  func runWatch(from start: String, _ params: WatchParams, emit: (WatchEvent<K>) -> Void) async throws {
    var rv = start
    var failures = 0
    let transport = client.transport
    client.recent.watchStarted()
    defer { client.recent.watchEnded() }
    while !Task.isCancelled {
      let timeout = params.timeoutSeconds ?? Int.random(in: 290...590)
      var q: [(name: String, value: String)] = [("watch", "true")]
      if !rv.isEmpty { q.append(("resourceVersion", rv)) }
      if params.allowBookmarks { q.append(("allowWatchBookmarks", "true")) }
      q.append(("timeoutSeconds", String(timeout)))
      if let s = params.labelSelector, !s.isEmpty { q.append(("labelSelector", s)) }
      if let s = params.fieldSelector, !s.isEmpty { q.append(("fieldSelector", s)) }
      let request = KubeRequest(method: "GET", path: path(), query: q)
      var decoder = WatchEventDecoder<K>(context: "watch \(resource)", recent: client.recent)
      do {
        // The client's deadline is the server's timeout plus a margin, so a silent dead
        // connection is noticed.
        let body = try await transport.streamEagerly(request, timeout: .seconds(timeout + 30))
        for try await chunk in body {
          for event in try decoder.push(chunk.readableBytesView) {
            failures = 0
            try handle(event, &rv, emit)
          }
        }
        if let last = try decoder.finish() { try handle(last, &rv, emit) }
      } catch let e as KubeError where e.kind == .api || e.kind == .decoding || e.kind == .invalidRequest {
        throw e
      } catch is CancellationError {
        return
      } catch {
        // A dropped connection or the client deadline: resume from rv after a short backoff.
        if Task.isCancelled { return }
        failures += 1
        let policy = transport.configuration.retry
        guard failures <= max(policy.maxRetries, 1) else { throw error }
        try await transport.sleep(policy.backoff(failures - 1, transport.random()))
      }
    }
  }

  private func handle(_ event: WatchEvent<K>, _ rv: inout String, _ emit: (WatchEvent<K>) -> Void) throws {
    switch event {
    case .added(let o), .modified(let o), .deleted(let o):
      if let v = identity(o).resourceVersion, !v.isEmpty { rv = v }
    case .bookmark(let v, _):
      if !v.isEmpty { rv = v }
    case .error(let status):
      throw KubeError(status: status, httpCode: status.code)
    }
    emit(event)
  }
}
