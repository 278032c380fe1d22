/// A client-side rate limiter: `qps` tokens per second, up to `burst` saved up.
///
/// Off by default (see ``ClientConfiguration/rateLimit``): client-go's 5 QPS makes a
/// controller crawl over a thousand objects, and the server's priority and fairness plus
/// honouring 429 is the better guard.
public actor TokenBucket {
  let qps: Double
  let burst: Double
  private var tokens: Double
  private var last: ContinuousClock.Instant
  private let clock = ContinuousClock()

  public init(qps: Double, burst: Int) {
    precondition(qps > 0 && burst > 0, "qps and burst must be positive")
    self.qps = qps
    self.burst = Double(burst)
    self.tokens = Double(burst)
    self.last = ContinuousClock().now
  }

  /// Waits until a token is available and takes it. Waiters reserve their token up front, so
  /// they are served in order.
  public func acquire() async throws {
    let now = clock.now
    tokens = min(burst, tokens + qps * (now - last).seconds)
    last = now
    tokens -= 1
    if tokens >= 0 { return }
    try await Task.sleep(for: .seconds(-tokens / qps))
  }
}

extension Duration {
  var seconds: Double {
    let c = components
    return Double(c.seconds) + Double(c.attoseconds) / 1e18
  }
}
