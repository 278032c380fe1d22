import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A streaming answer whose body is read from the connection as fast as the server sends it
/// and buffered without limit for the consumer: what a watch needs, since the API server drops
/// watchers that fall behind.
///
/// AsyncHTTPClient's `HTTPClientResponse.Body` reads one buffer ahead: each time the consumer
/// empties it, asking for more hops back to the connection's event loop, which then reads the
/// socket again. A watch pays that for every event. Here the response delegate, run on the
/// connection's own event loop, hands each body part over and lets the connection read on.
struct EagerAnswer: ExchangeAnswer {
  let code: Int
  let headers: HTTPHeaders
  let body: AsyncThrowingStream<ByteBuffer, any Error>
}

/// Receives the answer on the connection's event loop (see ``EagerAnswer``).
final class EagerBodyDelegate: HTTPClientResponseDelegate {
  typealias Response = Void

  /// Completed with the response head, or failed when the request fails before one.
  let head: EventLoopPromise<HTTPResponseHead>
  let body: AsyncThrowingStream<ByteBuffer, any Error>
  private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

  init(eventLoop: any EventLoop) {
    head = eventLoop.makePromise()
    (body, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
  }

  /// Runs `cancel` when the consumer stops reading (drops the body or is cancelled).
  func onTermination(_ cancel: @escaping @Sendable () -> Void) {
    continuation.onTermination = { _ in cancel() }
  }

  func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
    self.head.succeed(head)
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
    continuation.yield(buffer)
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
    head.fail(error)
    continuation.finish(throwing: error)
  }

  func didFinishRequest(task: HTTPClient.Task<Void>) throws {
    head.fail(HTTPClientError.remoteConnectionClosed)
    continuation.finish()
  }
}
