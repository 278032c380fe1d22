/// Decides how long a failed key waits before it is retried.
///
/// The defaults are controller-runtime's: per-item exponential backoff from 5 ms doubling to
/// 1000 s, combined with an overall token bucket (10 per second, burst 100) so a storm of
/// failures across many keys cannot hammer the API server. The longer of the two wins.
public struct RequeueRateLimiter: Sendable {
  public var baseDelay: Duration
  public var maxDelay: Duration
  public var bucketRate: Double
  public var bucketBurst: Double

  private var failures: [ObjectKey: Int] = [:]
  private var tokens: Double
  private var last: ContinuousClock.Instant?

  public init(
    baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000), bucketRate: Double = 10,
    bucketBurst: Double = 100
  ) {
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.bucketRate = bucketRate
    self.bucketBurst = bucketBurst
    self.tokens = bucketBurst
  }

  /// The delay before `key` may run again, counting this failure.
  public mutating func when(_ key: ObjectKey, now: ContinuousClock.Instant = .now) -> Duration {
    let n = failures[key, default: 0]
    failures[key] = n + 1
    let exponential = n >= 40 ? maxDelay : min(maxDelay, baseDelay * (1 << n))

    if let last { tokens = min(bucketBurst, tokens + bucketRate * Self.seconds(now - last)) }
    last = now
    tokens -= 1
    let bucket: Duration = tokens >= 0 ? .zero : .seconds(-tokens / bucketRate)
    return max(exponential, bucket)
  }

  /// Clears the failure count of `key` (after a success, or a deliberate requeue-after).
  public mutating func forget(_ key: ObjectKey) { failures[key] = nil }

  public func failureCount(_ key: ObjectKey) -> Int { failures[key, default: 0] }

  private static func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) / 1e18
  }
}
