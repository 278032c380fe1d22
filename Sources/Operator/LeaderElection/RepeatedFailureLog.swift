/// Which failures of an operation retried on a short period are worth a log line.
///
/// The first failure of a run of failures is logged, then a failure whose message differs from
/// the last logged one (the cause changed), and otherwise at most one every `interval` (with
/// how many were not logged since). A success ends the run; ``success()`` says how many
/// failures it had so the caller can log the recovery. A pure value: the caller passes the time.
struct RepeatedFailureLog: Sendable {
  enum Decision: Equatable, Sendable {
    /// Log this failure; `failures` is the length of the run so far (this one included),
    /// `notLogged` how many failures since the last logged one were not.
    case log(failures: Int, notLogged: Int)
    case skip
  }

  let interval: Duration
  private var failures = 0
  private var notLogged = 0
  private var lastLogged: (message: String, at: ContinuousClock.Instant)?

  init(interval: Duration = .seconds(60)) {
    self.interval = interval
  }

  /// Whether we are in a run of failures.
  var isFailing: Bool { failures > 0 }

  mutating func failure(_ message: String, at now: ContinuousClock.Instant) -> Decision {
    failures += 1
    if let last = lastLogged, last.message == message, now - last.at < interval {
      notLogged += 1
      return .skip
    }
    let decision = Decision.log(failures: failures, notLogged: notLogged)
    lastLogged = (message, now)
    notLogged = 0
    return decision
  }

  /// Ends a run of failures; returns its length, or nil when there was none.
  mutating func success() -> Int? {
    defer {
      failures = 0
      notLogged = 0
      lastLogged = nil
    }
    return failures > 0 ? failures : nil
  }
}
