import CRDModels

/// What the job does after an attempt ended (pure).
public enum JobDecision: Sendable, Equatable {
  case succeed
  /// Fail the job with this condition reason.
  case fail(reason: String, message: String)
  /// Start another attempt this long after the failed one finished.
  case retry(after: Duration)
}

/// The retry rules: `podFailurePolicy`, `backoffLimit` and `retryBackoff`, as batch/v1 Jobs
/// apply them.
///
/// - Rules are tried in order on a failed attempt's exit code (`In`/`NotIn`, like
///   `onExitCodes`); the first match's action applies, no match means `Count`. They do not
///   apply to attempts without an exit code, or stopped for their deadline.
/// - `FailJob` fails the job at once (reason `PodFailurePolicy`); `Ignore` retries without
///   counting; `Count` counts toward `backoffLimit`: the job fails when the counted failures
///   exceed it (so `backoffLimit: 2` allows 3 attempts).
/// - An image that cannot be pulled fails the job at once (`ImagePullFailed`): a retry would
///   pull the same image.
/// - The failure reason is the last attempt's when it says something a user can act on
///   (`DeadlineExceeded`, `SetupFailed`, `GitCloneFailed`), else `BackoffLimitExceeded`.
/// - The delay before attempt n+1 is `initialSeconds · 2^(failures−1)`, at most `maxSeconds`.
public enum JobPolicy {
  static let specificReasons: Set<String> = [
    GraConditions.deadlineExceeded, "SetupFailed", "GitCloneFailed",
  ]

  public static func action(for result: AttemptResult, rules: [PodFailurePolicyRule]) -> FailureAction {
    guard result.outcome == .failed, let code = result.exitCode, result.reason != GraConditions.deadlineExceeded
    else { return .count }
    for rule in rules {
      let listed = rule.onExitCodes.values.contains(code)
      let matches = rule.onExitCodes.operator == .in ? listed : !listed
      if matches { return rule.action }
    }
    return .count
  }

  /// The delay after the `failures`-th failure (1-based).
  public static func backoff(failures: Int, _ b: RetryBackoff?) -> Duration {
    let initial = Int64(b?.initialSeconds ?? GraDefaults.retryInitialSeconds)
    let maximum = Int64(b?.maxSeconds ?? GraDefaults.retryMaxSeconds)
    var d = max(0, initial)
    for _ in 1..<max(1, failures) {
      d *= 2
      if d >= maximum { break }
    }
    return .seconds(min(d, maximum))
  }

  /// The decision after `result` (a finished attempt, number `attempt`), given the actions of
  /// the attempts before it.
  public static func decide(
    result: AttemptResult, action: FailureAction, attempt: Int32, previous: [AttemptStatus], spec: TracerJobSpec
  ) -> JobDecision {
    if result.outcome == .succeeded { return .succeed }
    let what = describe(result, attempt: attempt)
    if result.reason == "ImagePullFailed" { return .fail(reason: "ImagePullFailed", message: what) }
    switch action {
    case .failJob:
      return .fail(
        reason: GraConditions.podFailurePolicy,
        message: "\(what); a FailJob rule matched exit code \(result.exitCode ?? -1)")
    case .ignore:
      let counted = previous.filter { $0.action == .count }.count
      return .retry(after: backoff(failures: max(1, counted), spec.retryBackoff))
    case .count:
      let counted = previous.filter { $0.action == .count }.count + 1
      let limit = Int(spec.backoffLimit ?? GraDefaults.backoffLimit)
      if counted > limit {
        let reason =
          result.reason.flatMap { specificReasons.contains($0) ? $0 : nil } ?? GraConditions.backoffLimitExceeded
        return .fail(reason: reason, message: "\(what); \(counted) failed attempt(s), backoffLimit \(limit)")
      }
      return .retry(after: backoff(failures: counted, spec.retryBackoff))
    }
  }

  /// e.g. `attempt 2 failed (exit code 3, Failed)`.
  static func describe(_ r: AttemptResult, attempt: Int32) -> String {
    var parts: [String] = []
    if let c = r.exitCode { parts.append("exit code \(c)") }
    if let s = r.signal { parts.append("signal \(s)") }
    if let reason = r.reason { parts.append(reason) }
    return "attempt \(attempt) failed" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
  }
}
