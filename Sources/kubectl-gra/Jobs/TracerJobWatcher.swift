import CRDModels
import Foundation
import KubeClient

/// Follows a TracerJob until it finishes: polls its status (with a deadline) and, when asked,
/// streams each attempt's log in order as its pod runs. Used by `run --wait`, `jobs wait`
/// and the MCP server.
struct TracerJobWatcher: Sendable {
  let client: KubernetesClient
  let namespace: String
  var pollInterval: Duration = .milliseconds(300)

  enum Failure: Error {
    /// The deadline passed; the last observed job.
    case timedOut(TracerJob)
  }

  static func isFinished(_ job: TracerJob) -> Bool {
    job.status?.phase == .succeeded || job.status?.phase == .failed
  }

  /// Waits for the job to finish. `log` receives every attempt's output (with `attempt`
  /// numbers, so a caller can print a separator between attempts; the run-record line is
  /// left out); `progress` gets a short
  /// line whenever the phase or attempt changes.
  func wait(
    _ name: String, timeout: Duration?,
    log: (@Sendable (_ attempt: Int32, _ pod: String, _ bytes: [UInt8]) async -> Void)? = nil,
    progress: @Sendable (String) -> Void = { _ in }
  ) async throws -> TracerJob {
    let api = client.api(TracerJob.self, namespace: namespace)
    let deadline = timeout.map { ContinuousClock.now + $0 }
    var streamed: Set<String> = []
    var last = ""
    while true {
      let job = try await api.get(name)
      let now = Self.summary(job)
      if now != last {
        progress("tracerjob \(name): \(now)")
        last = now
      }
      if let log {
        for (attempt, pod) in Self.attemptPods(job) where !streamed.contains(pod) {
          guard let state = try await podState(pod) else {
            if Self.isFinished(job) || job.status?.attemptStatuses?.contains(where: { $0.podName == pod }) == true {
              streamed.insert(pod)  // gone (deleted after an image pull failure, or by hand)
              continue
            }
            break
          }
          guard state != .waiting else { break }
          var filter = RunRecordFilter()
          do {
            for try await chunk in client.logs(namespace: namespace, pod: pod, LogOptions(follow: true)) {
              let shown = filter.push(chunk)
              if !shown.isEmpty { await log(attempt, pod, shown) }
            }
            let rest = filter.finish()
            if !rest.isEmpty { await log(attempt, pod, rest) }
          } catch let e as KubeError where e.isNotFound || e.code == 400 {
            // The pod went away or never ran its container: nothing to show.
          }
          streamed.insert(pod)
        }
      }
      if Self.isFinished(job), log == nil || Self.attemptPods(job).allSatisfy({ streamed.contains($0.1) }) {
        return job
      }
      if let deadline, ContinuousClock.now >= deadline { throw Failure.timedOut(job) }
      try await Task.sleep(for: pollInterval)
    }
  }

  enum PodState { case waiting, running, finished }

  /// nil when the pod does not exist.
  private func podState(_ pod: String) async throws -> PodState? {
    guard let p = try await client.api(Pod.self, namespace: namespace).getIfExists(pod) else { return nil }
    switch p.status?.phase {
    case "Succeeded", "Failed": return .finished
    case "Running": return .running
    default:
      let started =
        p.status?.containerStatuses?.contains { $0.state?.running != nil || $0.state?.terminated != nil } ?? false
      return started ? .running : .waiting
    }
  }

  /// The attempts' pods in order: recorded attempts, then the current one.
  static func attemptPods(_ job: TracerJob) -> [(Int32, String)] {
    var out: [(Int32, String)] = []
    for a in (job.status?.attemptStatuses ?? []).sorted(by: { $0.attempt < $1.attempt }) {
      if let p = a.podName, !out.contains(where: { $0.1 == p }) { out.append((a.attempt, p)) }
    }
    if let p = job.status?.podName, !out.contains(where: { $0.1 == p }) {
      out.append((job.status?.attempts ?? Int32(out.count + 1), p))
    }
    return out
  }

  /// `Running (attempt 2)`, `Succeeded`, `Failed: BackoffLimitExceeded`.
  static func summary(_ job: TracerJob) -> String {
    let s = job.status
    var text = s?.phase?.rawValue ?? "Pending"
    if let attempts = s?.attempts, attempts > 1 || s?.phase == .running { text += " (attempt \(attempts))" }
    if s?.phase == .failed || s?.phase == .pending,
      let reason = s?.reason ?? s?.conditions?[type: GraConditions.started]?.reason
    {
      text += ": \(reason)"
    }
    return text
  }

  /// What the plugin exits with for a finished job: 0 when it succeeded, else the last
  /// attempt's exit code, else 1.
  static func exitCode(_ job: TracerJob) -> Int32 {
    if job.status?.phase == .succeeded { return 0 }
    if let c = job.status?.exitCode, c != 0 { return c }
    return 1
  }
}
