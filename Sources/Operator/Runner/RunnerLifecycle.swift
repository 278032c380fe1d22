import CRDModels
import Foundation

/// When a running Runner is suspended on its own: `idleTimeout` and `maxLifetime` (pure).
///
/// - **Idle**: the clock starts at the later of `status.lastActivityTime` (each exec through
///   the bridge, and each time the controller finds a live ssh session) and the moment the pod
///   became Ready, so a resumed runner gets a whole `idleTimeout` before it can be culled again
///   and a pod that never gets ready (nobody could use it) is not "idle".
///   When it runs out, the controller first asks the pod for live ssh sessions (`gra-sessions`)
///   and never suspends while one is open.
/// - **Lifetime**: `maxLifetime` after the pod's `startTime`, whatever the activity.
///
/// Either suspends the Runner the way a user would (`spec.suspend: true`), marking why in the
/// annotation ``RunnerNames/suspendedByAnnotation``; `kubectl gra resume` brings it back with a
/// new pod and fresh clocks. Between deadlines the controller sleeps: it requeues exactly at the
/// next deadline and writes nothing.
public enum RunnerLifecycle {
  public static let idleReason = "IdleTimeout"
  public static let lifetimeReason = "MaxLifetimeExceeded"

  public enum Decision: Sendable, Equatable {
    /// No timer applies (no timeouts set, suspended, or no running pod).
    case none
    /// Nothing is due; look again at this time.
    case wakeAt(Date)
    /// `idleTimeout` ran out: check for live ssh sessions, then suspend.
    case idle(since: Date, timeout: GoDuration)
    /// `maxLifetime` ran out: suspend now.
    case lifetimeExceeded(GoDuration)
  }

  public static func idleTimeout(_ r: Runner) -> GoDuration? { duration(r.spec?.idleTimeout) }
  public static func maxLifetime(_ r: Runner) -> GoDuration? { duration(r.spec?.maxLifetime) }

  static func duration(_ s: String?) -> GoDuration? {
    guard let s, let d = try? GoDuration(parsing: s), d.nanoseconds > 0 else { return nil }
    return d
  }

  /// The decision for `runner` whose current pod is `pod`, at `now`.
  public static func decide(_ runner: Runner, pod: Pod?, now: Date) -> Decision {
    let idle = idleTimeout(runner)
    let lifetime = maxLifetime(runner)
    guard idle != nil || lifetime != nil, runner.spec?.suspend != true, runner.metadata.deletionTimestamp == nil,
      let pod, pod.metadata.deletionTimestamp == nil, let started = pod.status?.startTime?.date
    else { return .none }
    var next: Date?
    if let lifetime {
      let end = started.addingTimeInterval(lifetime.seconds)
      if now >= end { return .lifetimeExceeded(lifetime) }
      next = end
    }
    let ready = pod.status?.conditions?.first { $0.type == "Ready" && $0.status == "True" }
    if let idle, let readySince = ready.map({ $0.lastTransitionTime?.date ?? started }) {
      let since = max(readySince, runner.status?.lastActivityTime?.date ?? readySince)
      let end = since.addingTimeInterval(idle.seconds)
      if now >= end { return .idle(since: since, timeout: idle) }
      next = min(next ?? end, end)
    }
    return next.map { .wakeAt($0) } ?? .none
  }

  /// The Suspended condition's message for a runner the controller suspended.
  static func suspendedMessage(_ reason: String, _ r: Runner) -> String {
    let resume = "resume with `kubectl gra resume \(r.metadata.name ?? "")` (spec.suspend: false)"
    switch reason {
    case idleReason:
      return
        "no exec or ssh activity for spec.idleTimeout (\(r.spec?.idleTimeout ?? "")): the pod is deleted, the workspace is kept; \(resume)"
    case lifetimeReason:
      return
        "the pod ran for spec.maxLifetime (\(r.spec?.maxLifetime ?? "")): the pod is deleted, the workspace is kept; \(resume)"
    default:
      return "spec.suspend is true: the pod is deleted, the workspace is kept; set it to false to resume"
    }
  }
}
