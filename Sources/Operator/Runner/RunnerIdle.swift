import CRDModels
import Foundation
import KubeClient

// `idleTimeout` and `maxLifetime` (see ``RunnerLifecycle`` for the rules). The controller wakes
// up exactly at the next deadline; between deadlines it neither polls nor writes.
extension RunnerReconciler {
  /// How long the live-session check may take before it counts as failed.
  static let sessionCheckTimeout: Duration = .seconds(20)

  /// Suspends `runner` when its idle time or lifetime ran out (and no ssh session is live),
  /// clears the `gra.dev/suspended-by` mark of a resumed runner, and says when to look again.
  /// Returns the Runner as written when it patched it.
  func enforceLifecycle(_ runner: Runner, _ seen: inout RunnerObservation) async throws -> (Runner, ReconcileResult) {
    var runner = runner
    let api = client.api(Runner.self, namespace: runner.metadata.namespace)
    let name = runner.metadata.name ?? ""
    if runner.spec?.suspend != true, runner.metadata.annotations?[RunnerNames.suspendedByAnnotation] != nil {
      let patch: JSONValue = ["metadata": ["annotations": [RunnerNames.suspendedByAnnotation: .null]]]
      runner = try await api.patch(name, .merge(patch))
    }
    let r = runner.withDefaults()
    let now = Date()
    switch RunnerLifecycle.decide(r, pod: seen.pod, now: now) {
    case .none:
      return (runner, .done)
    case .wakeAt(let at):
      return (runner, .requeueAfter(Self.until(at, from: now)))
    case .lifetimeExceeded:
      return (try await suspend(runner, RunnerLifecycle.lifetimeReason), .done)
    case .idle(_, let timeout):
      if r.spec?.ssh?.enabled == true, let pod = seen.pod?.metadata.name {
        do {
          let sessions = try await liveSessions(namespace: r.metadata.namespace, pod: pod)
          if sessions > 0 {
            seen.activity = Time(now)
            return (runner, .requeueAfter(Self.until(now.addingTimeInterval(timeout.seconds), from: now)))
          }
        } catch {
          seen.sessionCheckError = "\(error)"
          return (
            runner, .requeueAfter(min(.seconds(60), Self.until(now.addingTimeInterval(timeout.seconds), from: now)))
          )
        }
      }
      return (try await suspend(runner, RunnerLifecycle.idleReason), .done)
    }
  }

  /// Sets `spec.suspend: true` and the reason, only if the Runner has not changed since it
  /// was read (the merge patch carries its resourceVersion: an exec that just moved
  /// `lastActivityTime` makes it fail with 409 and the pass is retried with the new activity).
  func suspend(_ runner: Runner, _ reason: String) async throws -> Runner {
    let patch: JSONValue = [
      "metadata": [
        "resourceVersion": .string(runner.metadata.resourceVersion ?? ""),
        "annotations": [RunnerNames.suspendedByAnnotation: .string(reason)],
      ],
      "spec": ["suspend": true],
    ]
    let patched = try await client.api(Runner.self, namespace: runner.metadata.namespace).patch(
      runner.metadata.name ?? "", .merge(patch))
    await events.record(
      subject(runner), .normal, reason: reason, RunnerLifecycle.suspendedMessage(reason, runner.withDefaults()))
    return patched
  }

  /// The number of live ssh sessions in the runner's pod (`gra-sessions`, run over pods/exec).
  func liveSessions(namespace: String?, pod: String) async throws -> Int {
    let client = self.client
    let output = try await withThrowingTaskGroup(of: ExecOutput?.self) { group in
      group.addTask {
        try await client.execCollect(
          namespace: namespace, pod: pod, ExecOptions(command: ["gra-sessions"], container: RunnerNames.containerName))
      }
      group.addTask {
        try await Task.sleep(for: Self.sessionCheckTimeout)
        return nil
      }
      defer { group.cancelAll() }
      return try await group.next() ?? nil
    }
    guard let output else { throw SessionCheckError("gra-sessions did not answer within \(Self.sessionCheckTimeout)") }
    let first = output.stdoutText.split(separator: "\n").first.map(String.init) ?? ""
    guard output.exitCode == 0, let n = Int(first.trimmingCharacters(in: .whitespaces)) else {
      let err = output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
      throw SessionCheckError("gra-sessions exited with \(output.exitCode)\(err.isEmpty ? "" : ": \(err.suffix(200))")")
    }
    return n
  }

  static func until(_ date: Date, from now: Date) -> Duration {
    .milliseconds(max(0, Int64((date.timeIntervalSince(now) * 1000).rounded(.up))))
  }
}

struct SessionCheckError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}

extension ReconcileResult {
  /// The sooner of two results (`done` is never).
  func sooner(_ other: ReconcileResult) -> ReconcileResult {
    switch (self, other) {
    case (.done, _): other
    case (_, .done): self
    case (.requeueAfter(let a), .requeueAfter(let b)): .requeueAfter(min(a, b))
    }
  }
}
