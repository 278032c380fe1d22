import Foundation
import Testing

@testable import LocalCluster

#if canImport(Glibc)
  import Glibc
#endif

/// Like kube-apiserver, the local API server notices a client that goes away while it streams
/// an answer (its request context is cancelled), and still answers pipelined requests in order.
@Suite("client disconnects and pipelining")
struct ClientDisconnectTests {
  /// A plain TCP connection held open by the test; blocking calls run on a Dispatch thread so
  /// they do not starve the in-process server on the cooperative pool.
  final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) async throws {
      fd = try await Self.blocking { try RawHTTP.connectBlocking(port: port, readTimeout: 30) }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
      try await withCheckedThrowingContinuation { c in
        DispatchQueue.global().async { c.resume(with: Result { try body() }) }
      }
    }

    func send(_ text: String) {
      let bytes = Array(text.utf8)
      _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads until `marker` has arrived (or the server closes, or 30 s pass); what was read.
    func read(until marker: String) async throws -> String {
      let fd = self.fd
      return try await Self.blocking {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: data, as: UTF8.self).contains(marker) {
          let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
          if n <= 0 { break }
          data.append(contentsOf: buf[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
      }
    }

    func close() { _ = Glibc.close(fd) }
  }

  @Test func aWatchWhoseClientGoesAwayIsReleasedOnTheServer() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let before = await c.server.watcherCount()
    let conn = try await RawConnection(port: c.server.url.port!)
    // No events, no bookmarks, no timeoutSeconds: nothing is ever written after the head, so
    // only reading the connection can tell the server that the client left.
    conn.send(
      "GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(Int32.max) HTTP/1.1\r\n"
        + "Host: x\r\nAuthorization: Bearer \(c.token)\r\n\r\n")
    let head = try await conn.read(until: "\r\n\r\n")
    #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
    #expect(try await eventually { await c.server.watcherCount() == before + 1 }, "the watch is open on the server")
    conn.close()
    #expect(
      try await eventually(timeout: .seconds(20)) { await c.server.watcherCount() == before },
      "the server still holds the watch of a client that closed its connection")
  }

  @Test func clientsThatLeaveBeforeTheirAnswerDoNotBreakTheServer() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    for _ in 0..<3 {
      let conn = try await RawConnection(port: c.server.url.port!)
      conn.send(
        "GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(c.token)\r\n\r\n"
      )
      conn.close()
    }
    let after = try await c.request("GET", "/version")
    #expect(after.code == 200)
  }

  @Test func pipelinedRequestsAreAnsweredInOrderAfterAStreamedAnswer() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"piped"}}"#)
    // Three requests in one write: a watch that ends after a second, a read, then a close.
    let auth = "Authorization: Bearer \(c.token)\r\n"
    let answer = try await RawHTTP.send(
      port: c.server.url.port!,
      "GET /api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"
        + "GET /api/v1/namespaces/default/configmaps/piped HTTP/1.1\r\nHost: x\r\n\(auth)\r\n"
        + "GET /version HTTP/1.1\r\nHost: x\r\n\(auth)Connection: close\r\n\r\n")
    #expect(!answer.timedOut)
    #expect(answer.statusLine.hasPrefix("HTTP/1.1 200"))
    let text = answer.body
    let watchEvent = try #require(text.range(of: #""type":"ADDED""#), "\(text)")
    let second = try #require(text.range(of: "HTTP/1.1 200", range: watchEvent.upperBound..<text.endIndex), "\(text)")
    let third = try #require(text.range(of: "HTTP/1.1 200", range: second.upperBound..<text.endIndex), "\(text)")
    #expect(text[second.upperBound..<third.lowerBound].contains(#""kind":"ConfigMap""#))
    #expect(text[third.upperBound...].contains(#""gitVersion""#))
  }
}

/// Polls `condition` until it holds or `timeout` passes.
private func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try? await Task.sleep(for: .milliseconds(50))
  }
  return try await condition()
}
