import CRDModels
import Synchronization

/// Answers chosen requests with an error instead of serving them, for testing clients'
/// retries: `429 TooManyRequests` with `Retry-After` is what API Priority and Fairness sends
/// when it sheds load, `503`/`504` what a restarting or overloaded server or proxy sends.
final class FaultInjector: Sendable {
  struct Fault: Sendable {
    var method: String?
    var pathPrefix: String
    var code: Int
    var retryAfterSeconds: Int?
    var remaining: Int
  }

  private let faults = Mutex<[Fault]>([])

  func add(_ f: Fault) { faults.withLock { $0.append(f) } }

  /// The error answer for `req` if a fault matches it (each fault answers `remaining` times).
  func answer(_ req: HTTPRequest) -> HTTPResponse? {
    let fault: Fault? = faults.withLock { all in
      guard
        let i = all.firstIndex(where: { f in
          f.remaining > 0 && req.path.hasPrefix(f.pathPrefix) && (f.method.map { $0 == req.method.rawValue } ?? true)
        })
      else { return nil }
      all[i].remaining -= 1
      let f = all[i]
      if all[i].remaining == 0 { all.remove(at: i) }
      return f
    }
    guard let fault else { return nil }
    let (reason, message): (String, String) =
      switch fault.code {
      case 429: ("TooManyRequests", "Too many requests, please try again later.")
      case 503: ("ServiceUnavailable", "the server is currently unable to handle the request")
      case 504:
        (
          "Timeout",
          "the server was unable to return a response in the time allotted, but may still be processing the request"
        )
      default: ("InternalError", "an error on the server (\"injected\") has prevented the request from succeeding")
      }
    var status = Status(status: "Failure", message: message, reason: reason, code: fault.code)
    var headers: [(String, String)] = []
    if let s = fault.retryAfterSeconds {
      headers.append(("Retry-After", String(s)))
      status.details = StatusDetails(retryAfterSeconds: s)
    }
    return .json(fault.code, status.jsonValue, headers: headers)
  }
}
