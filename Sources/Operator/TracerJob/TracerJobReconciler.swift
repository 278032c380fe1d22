import CRDModels
import Foundation
import KubeClient
import Logging

/// Runs TracerJobs: one pod per attempt, retries with backoff, status through `/status`.
///
/// Each reconcile observes (the job, its pods, its runner from the caches), decides (one step
/// of the job's life), applies (at most one create or delete) and reports (status when it
/// changed, then Events). See `docs/tracerjobs.md`.
public struct TracerJobReconciler: Reconciler {
  public let name = "tracerjob"
  let client: KubernetesClient
  let jobs: ObjectCache<TracerJob>
  let pods: ObjectCache<Pod>
  let runners: ObjectCache<Runner>
  let events: EventRecorder
  let logs: PodLogReader
  let logger: Logger
  /// The image of jobs without `spec.image` whose Runner (if any) names none either: the
  /// operator's `--runner-image`, the same one ``RunnerReconciler/Options/defaultImage`` gives
  /// Runners, so that a job runs the image of the Runner it references.
  let defaultImage: String

  public init(
    client: KubernetesClient, jobs: ObjectCache<TracerJob>, pods: ObjectCache<Pod>, runners: ObjectCache<Runner>,
    events: EventRecorder, logger: Logger, defaultImage: String = GraDefaults.runnerImage
  ) {
    self.client = client
    self.jobs = jobs
    self.pods = pods
    self.runners = runners
    self.events = events
    self.logs = PodLogReader(client: client)
    self.logger = logger
    self.defaultImage = defaultImage
  }

  /// An Event to record once the status that explains it is written.
  struct Note {
    var type: EventType
    var reason: String
    var message: String
  }

  public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
    // Observe.
    guard let cached = jobs.get(key), cached.metadata.deletionTimestamp == nil, cached.isManagedByGra else {
      return .done
    }
    let job = cached.withDefaults(image: defaultImage)
    let before = cached.status ?? TracerJobStatus()
    var status = before
    var notes: [Note] = []
    // Decide and apply.
    let result = try await step(job, &status, &notes)
    // Report.
    status.observedGeneration = cached.metadata.generation
    if status != before {
      var updated = cached
      updated.status = status
      _ = try await client.api(TracerJob.self, namespace: key.namespace).replaceStatus(updated)
    }
    for n in notes { await events.record(EventSubject(cached), n.type, reason: n.reason, n.message, action: "Run") }
    return result
  }

  private func step(
    _ job: TracerJob, _ status: inout TracerJobStatus, _ notes: inout [Note]
  ) async throws -> ReconcileResult {
    let gen = job.metadata.generation
    let now = Time.now()
    let ns = job.metadata.namespace ?? "default"
    let jobName = job.metadata.name ?? ""
    let spec = job.spec ?? TracerJobSpec()

    let errors = job.validate()
    if !errors.isEmpty {
      let message = errors.map(\.description).joined(separator: "; ")
      if status.reason != "InvalidSpec" || status.message != message {
        notes.append(Note(type: .warning, reason: "InvalidSpec", message: message))
      }
      status.markInvalid(message, generation: gen, now: now)
      return .done
    }
    if status.phase == .succeeded || status.phase == .failed { return try await expire(job, status, now: now) }

    let owned = pods.owned(by: job.metadata.uid ?? "")
    let labelled = owned.compactMap { $0.metadata.labels?[TracerJobPodBuilder.attemptLabel].flatMap { Int32($0) } }
    let attempt = max(status.attempts ?? 0, labelled.max() ?? 0)

    if spec.suspend == true {
      for pod in owned where !Self.isFinished(pod) {
        try await deletePod(ns, pod.metadata.name ?? "")
        status.record(
          Int32(pod.metadata.labels?[TracerJobPodBuilder.attemptLabel] ?? "") ?? attempt, pod: pod.metadata.name ?? "",
          result: AttemptResult(outcome: .failed, reason: "Suspended"), action: .ignore, record: nil, location: nil,
          now: now)
      }
      status.phase = .pending
      if status.conditions?[type: GraConditions.suspended]?.status != .true {
        notes.append(Note(type: .normal, reason: "Suspended", message: "the job is suspended"))
      }
      status.setCondition(
        GraConditions.suspended, .true, "Suspended", "spec.suspend is true", generation: gen, now: now)
      return .done
    }
    if status.conditions?[type: GraConditions.suspended]?.status == .true {
      status.setCondition(
        GraConditions.suspended, .false, "Resumed", "spec.suspend is false", generation: gen, now: now)
      notes.append(Note(type: .normal, reason: "Resumed", message: "the job is resumed"))
    }

    if attempt > 0, !Self.recorded(status, attempt) {
      let podName = TracerJobPodBuilder.podName(job: jobName, attempt: attempt)
      var pod = pods.get(ObjectKey(namespace: ns, name: podName))
      if pod == nil { pod = try await client.api(Pod.self, namespace: ns).getIfExists(podName) }
      guard let pod else {
        status.record(
          attempt, pod: podName, result: AttemptResult(outcome: .failed, reason: "PodDeleted"), action: .ignore,
          record: nil, location: nil, now: now)
        notes.append(
          Note(
            type: .warning, reason: "Retrying", message: "the pod of attempt \(attempt) was deleted before it finished")
        )
        return try await next(job, &status, &notes, after: attempt, now: now)
      }
      let result = AttemptResult.evaluate(pod)
      if result.outcome == .active {
        status.markActive(attempt, podPhase: pod.status?.phase, node: pod.spec?.nodeName)
        return .done
      }
      return try await finishAttempt(job, pod, attempt, result, &status, &notes, now: now)
    }
    return try await next(job, &status, &notes, after: attempt, now: now)
  }

  /// Records a finished attempt and decides: succeed, fail, or go on to the next attempt.
  private func finishAttempt(
    _ job: TracerJob, _ pod: Pod, _ attempt: Int32, _ result: AttemptResult, _ status: inout TracerJobStatus,
    _ notes: inout [Note], now: Time
  ) async throws -> ReconcileResult {
    let ns = job.metadata.namespace ?? "default"
    let podName = pod.metadata.name ?? ""
    let spec = job.spec ?? TracerJobSpec()
    // The artifacts come from gra-run's termination message; the log is read only when the
    // list did not fit there, or for its tail when the attempt failed.
    let fromSummary = result.summary?.completeArtifacts
    var record = fromSummary.map { RunRecord(artifacts: $0) }
    var cleanLog = ""
    if record == nil || result.outcome == .failed {
      let log = await logs.tail(namespace: ns, pod: podName, container: TracerJobPodBuilder.containerName)
      let extracted = RunRecord.extract(from: log ?? "")
      cleanLog = extracted.log
      if record == nil { record = extracted.record }
    }
    if result.reason == "ImagePullFailed" { try await deletePod(ns, podName) }
    let action = JobPolicy.action(for: result, rules: spec.podFailurePolicy?.rules ?? [])
    let previous = (status.attemptStatuses ?? []).filter { $0.attempt != attempt && $0.completionTime != nil }
    let decision = JobPolicy.decide(result: result, action: action, attempt: attempt, previous: previous, spec: spec)
    status.record(
      attempt, pod: podName, node: pod.spec?.nodeName, result: result, action: action, record: record,
      location: Self.location(job, attempt: attempt), now: now)
    let tail = PodLogReader.shortTail(cleanLog)
    switch decision {
    case .succeed:
      status.finish(succeeded: true, reason: "Completed", message: "", generation: job.metadata.generation, now: now)
      let n = status.artifacts?.count ?? 0
      notes.append(Note(type: .normal, reason: "Succeeded", message: "attempt \(attempt) succeeded; \(n) artifact(s)"))
      return try await expire(job, status, now: now)
    case .fail(let reason, let what):
      let message = tail.isEmpty ? (result.message ?? what) : tail
      status.finish(succeeded: false, reason: reason, message: message, generation: job.metadata.generation, now: now)
      status.setCondition(GraConditions.failed, .true, reason, what, generation: job.metadata.generation, now: now)
      notes.append(Note(type: .warning, reason: "Failed", message: "\(what) (\(reason))"))
      return try await expire(job, status, now: now)
    case .retry(let delay):
      status.message = tail.isEmpty ? result.message : tail
      status.reason = result.reason
      notes.append(
        Note(
          type: .normal, reason: "Retrying",
          message: "\(JobPolicy.describe(result, attempt: attempt)); next attempt in \(delay)"))
      return try await next(job, &status, &notes, after: attempt, now: now)
    }
  }

  /// Starts attempt `after + 1` once its backoff has passed.
  private func next(
    _ job: TracerJob, _ status: inout TracerJobStatus, _ notes: inout [Note], after attempt: Int32, now: Time
  ) async throws -> ReconcileResult {
    let spec = job.spec ?? TracerJobSpec()
    let gen = job.metadata.generation
    if attempt > 0, let last = status.attemptStatuses?.first(where: { $0.attempt == attempt }),
      let finished = last.completionTime,
      last.reason != "Suspended"
    {
      let counted = (status.attemptStatuses ?? []).filter { $0.action == .count }.count
      let due = finished.date.addingTimeInterval(
        Self.seconds(JobPolicy.backoff(failures: max(1, counted), spec.retryBackoff)))
      let wait = due.timeIntervalSince(now.date)
      if wait > 0 {
        status.phase = .pending
        return .requeueAfter(.milliseconds(Int64((wait * 1000).rounded(.up))))
      }
    }
    var runner: Runner? = nil
    if let ref = spec.runnerRef?.name {
      // Waiting needs no timer: the controller enqueues a job whenever its Runner changes.
      guard let r = runners.get(ObjectKey(namespace: job.metadata.namespace, name: ref)) else {
        let message =
          "runner \(ref) does not exist in namespace \(job.metadata.namespace ?? "default"): create it or fix spec.runnerRef.name"
        if status.reason != "RunnerNotFound" {
          notes.append(Note(type: .warning, reason: "RunnerNotFound", message: message))
        }
        status.markWaiting("RunnerNotFound", message, generation: gen, now: now)
        return .done
      }
      guard r.status?.workspaceClaim != nil else {
        status.markWaiting("WorkspaceNotReady", "runner \(ref) has no workspace claim yet", generation: gen, now: now)
        return .done
      }
      runner = r.withDefaults(image: defaultImage)
    }
    let n = attempt + 1
    let pod = TracerJobPodBuilder.pod(job: job, runner: runner, attempt: n, defaultImage: defaultImage)
    do {
      _ = try await client.api(Pod.self, namespace: job.metadata.namespace).create(pod)
    } catch let e as KubeError where e.isAlreadyExists {
    } catch let e as KubeError where e.kind == .api && e.isInvalid {
      // The spec passed gra's checks but not the API server's pod validation (e.g. an env var
      // name with non-ASCII characters, an extended resource requested without a limit). The
      // same spec builds the same pod, so retrying cannot help: the job ends here.
      let message = PodRefusal.message(
        serverMessage: e.message, jobFields: PodRefusal.jobFields(e.causes, pod: pod, job: job), attempt: n)
      if status.reason != TracerJobStatus.podInvalid || status.message != message {
        notes.append(Note(type: .warning, reason: TracerJobStatus.podInvalid, message: message))
      }
      status.markPodRefused(message, generation: gen, now: now)
      return try await expire(job, status, now: now)
    }
    status.markAttemptCreated(n, pod: pod.metadata.name ?? "", generation: gen, now: now)
    if n == 1 {
      notes.append(Note(type: .normal, reason: "Started", message: "created pod \(pod.metadata.name ?? "")"))
    }
    return .done
  }

  /// Deletes a finished job once `ttlSecondsAfterFinished` has passed.
  private func expire(_ job: TracerJob, _ status: TracerJobStatus, now: Time) async throws -> ReconcileResult {
    guard let ttl = job.spec?.ttlSecondsAfterFinished, let done = status.completionTime else { return .done }
    let wait = done.date.addingTimeInterval(TimeInterval(ttl)).timeIntervalSince(now.date)
    if wait > 0 { return .requeueAfter(.milliseconds(Int64((wait * 1000).rounded(.up)))) }
    do {
      _ = try await client.api(TracerJob.self, namespace: job.metadata.namespace).delete(
        job.metadata.name ?? "", DeleteParams(propagationPolicy: .background, preconditionUID: job.metadata.uid))
    } catch let e as KubeError where e.isNotFound {}
    return .done
  }

  private func deletePod(_ namespace: String, _ name: String) async throws {
    do {
      _ = try await client.api(Pod.self, namespace: namespace).delete(
        name, DeleteParams(propagationPolicy: .background))
    } catch let e as KubeError where e.isNotFound {}
  }

  static func recorded(_ status: TracerJobStatus, _ attempt: Int32) -> Bool {
    status.attemptStatuses?.contains { $0.attempt == attempt && $0.completionTime != nil } ?? false
  }

  static func isFinished(_ pod: Pod) -> Bool { pod.status?.phase == "Succeeded" || pod.status?.phase == "Failed" }

  static func seconds(_ d: Duration) -> TimeInterval {
    TimeInterval(d.components.seconds) + TimeInterval(d.components.attoseconds) / 1e18
  }

  /// Where the artifacts were copied, as `status.artifacts[].location` prefixes.
  static func location(_ job: TracerJob, attempt: Int32) -> String? {
    let dest = job.spec?.artifacts?.destination
    let name = job.metadata.name ?? "job"
    if let w = dest?.workspace { return "workspace:\(w.subPath ?? ".gra/artifacts/\(name)")/\(attempt)" }
    if let c = dest?.persistentVolumeClaim { return "pvc://\(c.claimName)/\(c.subPath ?? name)/\(attempt)" }
    if let s = dest?.s3 { return "s3://\(s.bucket)/\(s.prefix ?? "\(job.metadata.namespace ?? "default")/\(name)/")" }
    return nil
  }
}
