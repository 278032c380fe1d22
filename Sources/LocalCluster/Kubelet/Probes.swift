import CRDModels
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One probe (`startupProbe`, `readinessProbe`, `livenessProbe`) with the Kubernetes defaults.
struct ProbeSpec: Sendable {
  enum Action: Sendable, Equatable {
    case exec([String])
    case tcp(host: String, port: Int)
    case http(scheme: String, host: String, port: Int, path: String, headers: [(String, String)])

    static func == (a: Action, b: Action) -> Bool {
      switch (a, b) {
      case (.exec(let x), .exec(let y)): x == y
      case (.tcp(let h1, let p1), .tcp(let h2, let p2)): h1 == h2 && p1 == p2
      case (.http(let s1, let h1, let p1, let pa1, _), .http(let s2, let h2, let p2, let pa2, _)):
        s1 == s2 && h1 == h2 && p1 == p2 && pa1 == pa2
      default: false
      }
    }
  }
  var action: Action
  var initialDelay: Duration
  var period: Duration
  var timeout: Duration
  var successThreshold: Int
  var failureThreshold: Int

  /// Parses a probe; named ports are looked up in the container's `ports`.
  init?(_ p: JSONValue, container: JSONValue) {
    func port(_ v: JSONValue) -> Int? {
      if let i = v.intValue { return Int(i) }
      if let s = v.stringValue {
        if let i = Int(s) { return i }
        for cp in container["ports"].arrayValue ?? [] where cp["name"].stringValue == s {
          return cp["containerPort"].intValue.map(Int.init)
        }
      }
      return nil
    }
    if let cmd = p["exec"]["command"].arrayValue {
      action = .exec(cmd.compactMap(\.stringValue))
    } else if !p["tcpSocket"].isNull, let port = port(p["tcpSocket"]["port"]) {
      action = .tcp(host: p["tcpSocket"]["host"].stringValue ?? "127.0.0.1", port: port)
    } else if !p["httpGet"].isNull, let port = port(p["httpGet"]["port"]) {
      let h = p["httpGet"]
      let headers = (h["httpHeaders"].arrayValue ?? []).map {
        ($0["name"].stringValue ?? "", $0["value"].stringValue ?? "")
      }
      action = .http(
        scheme: (h["scheme"].stringValue ?? "HTTP").lowercased(), host: h["host"].stringValue ?? "127.0.0.1",
        port: port,
        path: h["path"].stringValue ?? "/", headers: headers)
    } else {
      return nil
    }
    initialDelay = .seconds(p["initialDelaySeconds"].intValue ?? 0)
    period = .seconds(max(1, p["periodSeconds"].intValue ?? 10))
    timeout = .seconds(max(1, p["timeoutSeconds"].intValue ?? 1))
    successThreshold = Int(max(1, p["successThreshold"].intValue ?? 1))
    failureThreshold = Int(max(1, p["failureThreshold"].intValue ?? 3))
  }
}

/// The outcome of one probe run, with the kubelet's failure message.
enum ProbeResult: Sendable, Equatable {
  case success
  case failure(String)
}

enum ProbeRunner {
  /// A TCP connect to `host:port` within `timeout`.
  static func tcp(host: String, port: Int, timeout: Duration) async -> ProbeResult {
    await FD.blocking {
      connect(host: host, port: port, timeout: timeout).map { fd in
        close(fd)
        return .success
      } ?? .failure("dial tcp \(host):\(port): connect: connection refused")
    }
  }

  /// An HTTP GET; 200–399 is success.
  static func http(
    host: String, port: Int, path: String, headers: [(String, String)], timeout: Duration
  ) async
    -> ProbeResult
  {
    await FD.blocking {
      let url = "http://\(host):\(port)\(path)"
      guard let fd = connect(host: host, port: port, timeout: timeout) else {
        return .failure("Get \"\(url)\": dial tcp \(host):\(port): connect: connection refused")
      }
      defer { close(fd) }
      var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
      var req =
        "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n"
      for (k, v) in headers { req += "\(k): \(v)\r\n" }
      req += "\r\n"
      FD.writeAll(fd, Array(req.utf8))
      let head = FD.read(fd, max: 4096)
      guard !head.isEmpty else {
        return .failure("Get \"\(url)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
      }
      let line = String(decoding: head.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
      let parts = line.split(separator: " ")
      guard parts.count >= 2, let code = Int(parts[1]) else {
        return .failure("Get \"\(url)\": malformed HTTP response")
      }
      return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
    }
  }

  /// A connected TCP socket, or nil.
  static func connect(host: String, port: Int, timeout: Duration) -> Int32? {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var res: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &res) == 0, let ai = res else { return nil }
    defer { freeaddrinfo(res) }
    let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var tv = timeval(tv_sec: Int(max(1, timeout.components.seconds)), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 {
      close(fd)
      return nil
    }
    return fd
  }
}
