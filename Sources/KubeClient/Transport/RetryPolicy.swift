/// When and how long to wait before retrying a request.
///
/// - 429 Too Many Requests is retried for every method (the server did not process it),
///   after `Retry-After` when given.
/// - 503, 504 and connection errors are retried only for idempotent methods (GET, HEAD,
///   PUT, DELETE, OPTIONS), after `Retry-After` when given, otherwise after exponential
///   backoff with jitter: `base × 2^attempt`, capped at `maxDelay`, then scaled by a random
///   factor in [0.5, 1].
public struct RetryPolicy: Sendable, Equatable {
  /// Retries after the first attempt; 0 disables retrying.
  public var maxRetries: Int = 5
  public var baseDelay: Duration = .milliseconds(200)
  public var maxDelay: Duration = .seconds(10)
  /// Longest `Retry-After` that is honoured; longer values are cut to this.
  public var maxRetryAfter: Duration = .seconds(60)

  public init(maxRetries: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
    self.maxRetries = maxRetries
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  public static let none = RetryPolicy(maxRetries: 0)

  /// What happened to one attempt.
  public enum Outcome: Sendable, Equatable {
    /// No answer: connection refused or reset, TLS failure, timeout.
    case connectionError
    /// An HTTP answer with this status, and its `Retry-After` if any.
    case status(Int, retryAfter: Duration?)
  }

  public static func isIdempotent(_ method: String) -> Bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
  }

  /// The delay before retry number `attempt + 1` (0-based `attempt` counts failures so far),
  /// or nil when the outcome must be returned to the caller. `random` is in [0, 1).
  public func delay(attempt: Int, method: String, outcome: Outcome, random: Double) -> Duration? {
    guard attempt < maxRetries else { return nil }
    switch outcome {
    case .connectionError:
      return Self.isIdempotent(method) ? backoff(attempt, random) : nil
    case .status(let code, let retryAfter):
      switch code {
      case 429: break
      case 503, 504: guard Self.isIdempotent(method) else { return nil }
      default: return nil
      }
      if let retryAfter { return min(max(retryAfter, .zero), maxRetryAfter) }
      return backoff(attempt, random)
    }
  }

  func backoff(_ attempt: Int, _ random: Double) -> Duration {
    var d = baseDelay
    for _ in 0..<min(attempt, 30) {
      d = d * 2
      if d >= maxDelay { break }
    }
    d = min(d, maxDelay)
    return d * (0.5 + 0.5 * min(max(random, 0), 1))
  }

  /// Parses `Retry-After`: delay-seconds only (the API server never sends a date).
  public static func parseRetryAfter(_ value: String?) -> Duration? {
    guard let v = value?.trimmingCharacters(in: .whitespaces), let s = Int(v), s >= 0 else { return nil }
    return .seconds(s)
  }
}
