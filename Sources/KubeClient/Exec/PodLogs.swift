import CRDModels
import Foundation
import NIOCore

/// Options of `pods/log`, as `kubectl logs` sends them.
public struct LogOptions: Sendable, Equatable {
  public var container: String?
  /// Keep the stream open and send new output as it is written.
  public var follow: Bool = false
  public var tailLines: Int?
  /// The previous (crashed) instance of the container.
  public var previous: Bool = false
  /// Prefix each line with its RFC 3339 time.
  public var timestamps: Bool = false
  public var sinceSeconds: Int?
  public var limitBytes: Int?

  public init(
    container: String? = nil, follow: Bool = false, tailLines: Int? = nil, previous: Bool = false,
    timestamps: Bool = false, sinceSeconds: Int? = nil, limitBytes: Int? = nil
  ) {
    self.container = container
    self.follow = follow
    self.tailLines = tailLines
    self.previous = previous
    self.timestamps = timestamps
    self.sinceSeconds = sinceSeconds
    self.limitBytes = limitBytes
  }

  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = []
    if let c = container { q.append(("container", c)) }
    if follow { q.append(("follow", "true")) }
    if let t = tailLines { q.append(("tailLines", String(t))) }
    if previous { q.append(("previous", "true")) }
    if timestamps { q.append(("timestamps", "true")) }
    if let s = sinceSeconds { q.append(("sinceSeconds", String(s))) }
    if let l = limitBytes { q.append(("limitBytes", String(l))) }
    return q
  }
}

extension KubernetesClient {
  /// Streams a container's log as raw chunks; with `follow` it lasts until the container
  /// ends or the consumer stops iterating.
  public func logs(
    namespace: String? = nil, pod: String, _ options: LogOptions = LogOptions()
  )
    -> AsyncThrowingStream<[UInt8], any Error>
  {
    let path = "/api/v1/namespaces/\(namespace ?? defaultNamespace)/pods/\(Api<JSONValue>.escapeSegment(pod))/log"
    var request = KubeRequest(method: "GET", path: path, query: options.query)
    request.accept = "*/*"
    let transport = self.transport
    let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
    let task = Task {
      do {
        let response = try await transport.stream(
          request, timeout: options.follow ? nil : transport.configuration.requestTimeout)
        for try await chunk in response.body { continuation.yield(Array(chunk.readableBytesView)) }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  /// The log split into lines (without newlines), framed incrementally.
  public func logLines(
    namespace: String? = nil, pod: String, _ options: LogOptions = LogOptions()
  )
    -> AsyncThrowingStream<String, any Error>
  {
    let chunks = logs(namespace: namespace, pod: pod, options)
    let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
    let task = Task {
      var framer = LineFramer(keepEmptyLines: true)
      do {
        for try await chunk in chunks {
          for line in try framer.push(chunk) { continuation.yield(String(decoding: line, as: UTF8.self)) }
        }
        if let rest = framer.finish() { continuation.yield(String(decoding: rest, as: UTF8.self)) }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  /// The whole (non-follow) log as text.
  public func logText(
    namespace: String? = nil, pod: String, _ options: LogOptions = LogOptions()
  ) async throws -> String {
    var o = options
    o.follow = false
    var bytes: [UInt8] = []
    for try await chunk in logs(namespace: namespace, pod: pod, o) { bytes += chunk }
    return String(decoding: bytes, as: UTF8.self)
  }
}
