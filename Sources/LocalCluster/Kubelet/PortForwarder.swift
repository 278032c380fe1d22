import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `pods/portforward`: pods share the host's network, so a pod's port is `127.0.0.1:port`.
enum PortForwarder {
  static func connect(port: Int) async -> PortForwardStream? {
    guard let fd = await FD.blocking({ ProbeRunner.connect(host: "127.0.0.1", port: port, timeout: .seconds(5)) })
    else {
      return nil
    }
    var tv = timeval(tv_sec: 0, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let closed = OutputCollector()
    let (incoming, continuation) = AsyncStream<[UInt8]>.makeStream()
    FD.thread {
      while true {
        let chunk = FD.read(fd)
        if chunk.isEmpty { break }
        continuation.yield(chunk)
      }
      continuation.finish()
    }
    return PortForwardStream(
      incoming: incoming,
      send: { bytes in
        let ok = await FD.blocking { FD.writeAll(fd, bytes) }
        if !ok { throw POSIXError(.EPIPE) }
      },
      close: {
        if closed.isEmpty {
          closed.append([1])
          shutdown(fd, Int32(SHUT_RDWR))
          close(fd)
        }
      })
  }
}
