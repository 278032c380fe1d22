import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Tries each listen address before anything starts, so a port in use is reported as the flag
/// that names it ("--metrics-bind-address :8080: address already in use") rather than as the
/// bare `bind(2)` error of whichever server happened to start first.
enum PortCheck {
  /// `addresses`: (flag, `HOST:PORT` or `:PORT`); port 0 and "" (off) are skipped.
  static func free(_ addresses: [(flag: String, value: String)]) throws {
    for (flag, value) in addresses {
      guard let a = BindAddress(value), a.port != 0 else { continue }
      if let problem = bindProblem(host: a.host, port: a.port) {
        throw CommandFailure(
          "\(flag) \(value): \(problem); pick another port or stop what listens there (ss -ltnp 'sport = :\(a.port)')")
      }
    }
  }

  /// nil when `host:port` can be bound now, else why not (strerror). Hosts that are not IP
  /// literals are not checked.
  static func bindProblem(host: String, port: Int) -> String? {
    var v4 = sockaddr_in()
    var v6 = sockaddr_in6()
    let fd: Int32
    var rc: Int32
    var on: Int32 = 1
    if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
      v4.sin_family = sa_family_t(AF_INET)
      v4.sin_port = in_port_t(UInt16(port).bigEndian)
      fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { return nil }
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
      rc = withUnsafePointer(to: &v4) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
    } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
      v6.sin6_family = sa_family_t(AF_INET6)
      v6.sin6_port = in_port_t(UInt16(port).bigEndian)
      fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
      guard fd >= 0 else { return nil }
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
      rc = withUnsafePointer(to: &v6) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
      }
    } else {
      return nil
    }
    let err = errno
    close(fd)
    if rc == 0 { return nil }
    return String(cString: strerror(err)).lowercased()
  }
}
