import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP forwarder on 127.0.0.1 to a local port that can stop passing bytes while keeping its
/// connections open: an API server that no longer answers (a partition), as a client sees it.
final class FreezableProxy: Sendable {
  struct Failure: Error { var what: String }

  let port: Int
  private let target: Int
  private let listener: Int32
  private let frozen = Mutex(false)
  private let closed = Mutex(false)
  private let pairs = Mutex<[Pair]>([])

  init(forwardingTo target: Int) throws {
    self.target = target
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Failure(what: "socket") }
    var addr = Self.loopback(port: 0)
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 64) == 0 else {
      Glibc.close(fd)
      throw Failure(what: "bind/listen")
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    listener = fd
    port = Int(UInt16(bigEndian: addr.sin_port))
    Thread.detachNewThread { self.acceptLoop() }
  }

  /// From now on no byte passes in either direction.
  func freeze() { frozen.withLock { $0 = true } }

  /// Stops accepting and ends every connection (their pump threads then end too).
  func close() {
    closed.withLock { $0 = true }
    shutdown(listener, Int32(SHUT_RDWR))
    Glibc.close(listener)
    for pair in pairs.withLock({ $0 }) { pair.shutDown() }
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return addr
  }

  private var isClosed: Bool { closed.withLock { $0 } }

  private func acceptLoop() {
    while !isClosed {
      let client = accept(listener, nil, nil)
      if client < 0 { return }
      let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var addr = Self.loopback(port: target)
      let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard connected == 0 else {
        Glibc.close(client)
        Glibc.close(upstream)
        continue
      }
      let pair = Pair(client, upstream)
      pairs.withLock { $0.append(pair) }
      Thread.detachNewThread { self.pump(from: client, to: upstream, pair) }
      Thread.detachNewThread { self.pump(from: upstream, to: client, pair) }
    }
  }

  /// Both directions of one connection; the second pump to end closes the sockets.
  private final class Pair: Sendable {
    let fds: (Int32, Int32)
    let ended = Mutex(0)
    init(_ a: Int32, _ b: Int32) { fds = (a, b) }
    /// Wakes both pumps (a blocked read returns 0); the sockets stay open until both ended.
    func shutDown() {
      ended.withLock { n in
        guard n < 2 else { return }  // closed: the numbers may belong to other sockets by now
        shutBoth()
      }
    }

    func end() {
      ended.withLock { n in
        n += 1
        shutBoth()
        if n == 2 {
          Glibc.close(fds.0)
          Glibc.close(fds.1)
        }
      }
    }

    /// Call with `ended` locked.
    private func shutBoth() {
      shutdown(fds.0, Int32(SHUT_RDWR))
      shutdown(fds.1, Int32(SHUT_RDWR))
    }
  }

  private func pump(from: Int32, to: Int32, _ pair: Pair) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    loop: while true {
      let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      while frozen.withLock({ $0 }) {
        if isClosed { break loop }
        usleep(10_000)
      }
      var sent = 0
      while sent < n {
        let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + sent, n - sent) }
        if w <= 0 { break loop }
        sent += w
      }
    }
    pair.end()
  }
}
