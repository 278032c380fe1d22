import CRDModels
import Foundation

/// The edits the reconciler makes to a TracerJob's status, one per situation (pure).
extension TracerJobStatus {
  mutating func setCondition(
    _ type: String, _ status: Condition.Status, _ reason: String, _ message: String, generation: Int64?, now: Time
  ) {
    var c = conditions ?? []
    c.setCondition(
      Condition(type: type, status: status, observedGeneration: generation, reason: reason, message: message), now: now)
    conditions = c
  }

  /// The spec cannot run: Failed with reason `InvalidSpec`.
  mutating func markInvalid(_ message: String, generation: Int64?, now: Time) {
    phase = .failed
    reason = "InvalidSpec"
    self.message = message
    setCondition(GraConditions.failed, .true, "InvalidSpec", message, generation: generation, now: now)
  }

  /// The reason of a job whose pod the API server refused (422 Invalid).
  static let podInvalid = "PodInvalid"

  /// The API server refused to create an attempt's pod: the job is finished, `Failed` with
  /// reason `PodInvalid`. The refused create is not an attempt (`attempts` and
  /// `attemptStatuses` are unchanged) and not counted against `backoffLimit`.
  mutating func markPodRefused(_ message: String, generation: Int64?, now: Time) {
    finish(succeeded: false, reason: Self.podInvalid, message: message, generation: generation, now: now)
  }

  /// Waiting for something before the first (or next) pod can be created.
  mutating func markWaiting(_ reason: String, _ message: String, generation: Int64?, now: Time) {
    if phase == nil || phase == .running { phase = .pending }
    self.reason = reason
    self.message = message
    setCondition(
      GraConditions.started, attempts ?? 0 > 0 ? .true : .false, reason, message, generation: generation, now: now)
  }

  /// Attempt `attempt`'s pod was created.
  mutating func markAttemptCreated(_ attempt: Int32, pod: String, generation: Int64?, now: Time) {
    attempts = attempt
    podName = pod
    phase = .pending
    if startTime == nil { startTime = now }
    reason = nil
    message = nil
    var list = attemptStatuses ?? []
    if !list.contains(where: { $0.attempt == attempt }) {
      list.append(AttemptStatus(attempt: attempt, podName: pod, startTime: now))
    }
    attemptStatuses = list
    setCondition(
      GraConditions.started, .true, "PodCreated", "attempt \(attempt): pod \(pod)", generation: generation, now: now)
  }

  /// The attempt's pod is running (or pending on the node); its node is recorded once known.
  mutating func markActive(_ attempt: Int32, podPhase: String?, node: String?) {
    phase = podPhase == "Running" ? .running : .pending
    if let node, let i = attemptStatuses?.firstIndex(where: { $0.attempt == attempt }),
      attemptStatuses?[i].nodeName != node
    {
      attemptStatuses?[i].nodeName = node
    }
  }

  /// Records a finished attempt in `attemptStatuses`, `exitCode` and the artifacts.
  mutating func record(
    _ attempt: Int32, pod: String, node: String? = nil, result: AttemptResult, action: FailureAction,
    record: RunRecord?,
    location: String?, now: Time
  ) {
    var list = attemptStatuses ?? []
    var entry = list.first { $0.attempt == attempt } ?? AttemptStatus(attempt: attempt, podName: pod)
    entry.nodeName = node ?? entry.nodeName
    entry.exitCode = result.exitCode
    entry.reason = result.reason
    entry.action = result.outcome == .failed ? action : nil
    entry.startTime = result.startTime ?? entry.startTime
    entry.completionTime = result.finishTime ?? now
    if let i = list.firstIndex(where: { $0.attempt == attempt }) { list[i] = entry } else { list.append(entry) }
    attemptStatuses = list
    exitCode = result.exitCode
    if let r = record?.artifacts {
      artifacts = r.map { a in
        ArtifactRecord(path: a.path, size: a.size, sha256: a.sha256, location: location.map { "\($0)/\(a.path)" })
      }
    }
  }

  /// The job finished: `Succeeded` with `Complete`, or `Failed` with `Failed`.
  mutating func finish(succeeded: Bool, reason: String, message: String, generation: Int64?, now: Time) {
    phase = succeeded ? .succeeded : .failed
    self.reason = reason
    self.message = message.isEmpty ? nil : message
    completionTime = now
    if let start = startTime { duration = Self.goDuration(now.date.timeIntervalSince(start.date)) }
    setCondition(
      succeeded ? GraConditions.complete : GraConditions.failed, .true, reason, message, generation: generation,
      now: now)
  }

  /// `1h2m3s`, `45s`, as Go prints whole-second durations.
  static func goDuration(_ seconds: TimeInterval) -> String {
    let s = max(0, Int(seconds.rounded()))
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60)
    if h > 0 { return "\(h)h\(m)m\(sec)s" }
    if m > 0 { return "\(m)m\(sec)s" }
    return "\(sec)s"
  }
}
