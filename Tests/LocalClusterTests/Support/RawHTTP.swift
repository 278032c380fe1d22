import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Sends bytes exactly as written over a plain TCP connection and reads until the server closes
/// it or 60 s pass (so a server that never answers fails the test instead of hanging it). For
/// requests Foundation's HTTP client rewrites, such as WebSocket upgrades.
enum RawHTTP {
  struct Answer {
    var statusLine: String
    var headers: [String: String]
    var body: String
    var timedOut: Bool
  }

  /// Runs on a Dispatch thread: blocking socket reads on the cooperative pool would starve the
  /// in-process server the test talks to.
  static func send(port: Int, _ request: String) async throws -> Answer {
    try await withCheckedThrowingContinuation { c in
      DispatchQueue.global().async { c.resume(with: Result { try sendBlocking(port: port, request) }) }
    }
  }

  /// A blocking TCP connection to 127.0.0.1:`port` whose reads give up after `readTimeout`
  /// seconds; the caller closes it.
  static func connectBlocking(port: Int, readTimeout: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var tv = timeval(tv_sec: readTimeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
    return fd
  }

  private static func sendBlocking(port: Int, _ request: String) throws -> Answer {
    let fd = try connectBlocking(port: port, readTimeout: 60)
    defer { close(fd) }
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    var data: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    var timedOut = false
    while true {
      let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        data.append(contentsOf: buf[0..<n])
        continue
      }
      if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { timedOut = true }
      break
    }
    let text = String(decoding: data, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    let head = parts[0].components(separatedBy: "\r\n")
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
      if let i = line.firstIndex(of: ":") {
        headers[line[..<i].lowercased()] = line[line.index(after: i)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return Answer(
      statusLine: head.first ?? "", headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"),
      timedOut: timedOut)
  }
}
