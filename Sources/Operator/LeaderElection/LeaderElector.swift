import CRDModels
import Foundation
import KubeClient
import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it.
///
/// ``run(_:)`` tries to acquire the lease every `retryPeriod` (with jitter); once it holds it,
/// it starts the leader's work and renews every `retryPeriod`. If a renewal has not succeeded
/// for `renewDeadline`, leadership is lost: the work is cancelled and `run` returns, so the
/// process can exit and restart as a standby (controller-runtime's behaviour). A renewal that
/// gets no answer is abandoned at the deadline (the client's own timeout and retries can take
/// longer than the lease lasts), so a leader cut off from the API server stops leading before
/// a standby may take over, as client-go bounds its renewals with a context. On a clean stop
/// the lease is released (empty holder, 1 s duration) so a standby takes over at once.
///
/// Failed attempts (the API server unreachable, the Lease's namespace deleted, RBAC) are
/// retried on the same period but logged sparingly: the first of a run of failures, a change of
/// error, then at most once a minute with the count, and the recovery (``RepeatedFailureLog``).
public actor LeaderElector {
  public static let leaseResource = ResourceDescriptor(
    group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)

  public let identity: String
  private let api: Api<DynamicObject>
  private let name: String
  private let namespace: String
  private let timing: LeaderElectionTiming
  private let logger: Logger
  private let onLeadershipChange: @Sendable (Bool) -> Void

  private var observed: LeaderElectionRecord?
  private var observedAt: ContinuousClock.Instant?
  private var lastObject: DynamicObject?
  private var failureLog: RepeatedFailureLog
  /// Attempts to acquire or renew so far (for tests).
  private(set) var attempts = 0
  public private(set) var isLeader = false

  public init(
    client: KubernetesClient, namespace: String, name: String, identity: String,
    timing: LeaderElectionTiming = LeaderElectionTiming(), logger: Logger,
    failureLogInterval: Duration = .seconds(60),
    onLeadershipChange: @escaping @Sendable (Bool) -> Void = { _ in }
  ) throws {
    try timing.validate()
    self.failureLog = RepeatedFailureLog(interval: failureLogInterval)
    self.api = client.dynamic(Self.leaseResource, namespace: namespace)
    self.namespace = namespace
    self.name = name
    self.identity = identity
    self.timing = timing
    self.logger = logger
    self.onLeadershipChange = onLeadershipChange
  }

  /// `hostname_uuid`, unique per process, as client-go examples build it.
  public static func defaultIdentity() -> String {
    "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
  }

  /// Waits for leadership, runs `work` while leading, and returns when leadership is lost or
  /// the task is cancelled (then the lease is released).
  public func run(_ work: @escaping @Sendable () async -> Void) async {
    // The start of the last successful write, not its end: the lease's renewTime may be that old.
    var lastRenew = ContinuousClock.now
    while !Task.isCancelled {
      let attempt = ContinuousClock.now
      if await tryAcquireOrRenew() {
        lastRenew = attempt
        break
      }
      try? await Task.sleep(for: jittered(timing.retryPeriod))
    }
    guard !Task.isCancelled else { return }
    setLeader(true)
    logger.info("became leader", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])

    let workTask = Task { await work() }
    while !Task.isCancelled {
      try? await Task.sleep(for: timing.retryPeriod)
      if Task.isCancelled { break }
      let attempt = ContinuousClock.now
      if await tryAcquireOrRenew(within: timing.renewDeadline - (attempt - lastRenew)) {
        lastRenew = attempt
      } else if ContinuousClock.now - lastRenew >= timing.renewDeadline {
        logger.error(
          "lost leadership: could not renew the lease within the renew deadline",
          metadata: ["lease": "\(namespace)/\(name)"])
        break
      }
    }
    workTask.cancel()
    await workTask.value
    // Release outside the cancelled task, or the request would be cancelled with it.
    if Task.isCancelled { await Task { await self.release() }.value }
    setLeader(false)
  }

  private func setLeader(_ leading: Bool) {
    isLeader = leading
    onLeadershipChange(leading)
  }

  /// ``tryAcquireOrRenew()`` given up (false, a logged failure) when `limit` passes first.
  func tryAcquireOrRenew(within limit: Duration) async -> Bool {
    guard limit > .zero else { return false }
    let outcome = await withTaskGroup(of: Bool?.self) { group in
      group.addTask { await self.tryAcquireOrRenew() }
      group.addTask {
        try? await Task.sleep(for: limit)
        return nil
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    if let outcome { return outcome }
    if !Task.isCancelled { failed(LeaseUpdateTimeout(limit: limit)) }
    return false
  }

  /// One attempt; true when we hold the lease afterwards.
  func tryAcquireOrRenew() async -> Bool {
    attempts += 1
    do {
      let existing = try await api.getIfExists(name)
      var current: LeaderElectionRecord?
      if let existing {
        let record = try LeaderElectionRecord(leaseSpec: existing["spec"])
        if record != observed {
          observed = record
          observedAt = .now
        }
        current = record
      }
      let decision = LeaderElectionDecision.decide(
        identity: identity, current: current, observedChangeAt: observedAt, now: .now, wallNow: Date(), timing: timing)
      guard case .write(let record) = decision else {
        recovered()
        return false
      }

      let written: DynamicObject
      if var object = existing {
        object["spec"] = merged(object["spec"], record.leaseSpec)
        written = try await api.replace(object)
      } else {
        var object: DynamicObject = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease"]
        object["metadata"] = ["name": .string(name), "namespace": .string(namespace)]
        object["spec"] = record.leaseSpec
        written = try await api.create(object)
      }
      observed = record
      observedAt = .now
      lastObject = written
      recovered()
      return true
    } catch let e as KubeError where e.isConflict || e.isAlreadyExists {
      // Another candidate wrote first: the API server answered, this is no failure.
      recovered()
      return false
    } catch {
      // A stop interrupts the request; that is not the API's failure.
      if !Task.isCancelled { failed(error) }
      return false
    }
  }

  private func failed(_ error: any Error) {
    let text = "\(error)"
    guard case .log(let failures, let notLogged) = failureLog.failure(text, at: .now) else { return }
    var metadata: Logger.Metadata = ["lease": "\(namespace)/\(name)", "error": "\(text)", "failures": "\(failures)"]
    if let e = error as? KubeError, e.isNotFound, e.message.contains("namespaces \"\(namespace)\" not found") {
      metadata["hint"] = "the Lease's namespace does not exist; create it (kubectl create namespace \(namespace))"
    }
    if failures == 1 {
      logger.warning(
        "lease update failed; retrying every \(timing.retryPeriod), repeats of this error are logged once every \(failureLog.interval)",
        metadata: metadata)
    } else {
      metadata["notLogged"] = "\(notLogged)"
      logger.warning("lease update still failing", metadata: metadata)
    }
  }

  private func recovered() {
    guard let failures = failureLog.success() else { return }
    logger.info(
      "lease update succeeded again", metadata: ["lease": "\(namespace)/\(name)", "failures": "\(failures)"])
  }

  /// Gives the lease up if we hold it: a standby sees an empty holder and takes over at once.
  public func release() async {
    guard var object = lastObject, observed?.holderIdentity == identity else { return }
    var record = observed!
    record.holderIdentity = ""
    record.leaseDurationSeconds = 1
    record.renewTime = MicroTime(Date())
    object["spec"] = merged(object["spec"], record.leaseSpec)
    do {
      _ = try await api.replace(object)
      logger.info("released the lease", metadata: ["lease": "\(namespace)/\(name)"])
    } catch {
      logger.warning("could not release the lease", metadata: ["error": "\(error)"])
    }
    observed = record
  }

  private func merged(_ spec: JSONValue, _ update: JSONValue) -> JSONValue {
    var out = spec.objectValue ?? [:]
    for (k, v) in update.objectValue ?? [:] { out[k] = v }
    return .object(out)
  }

  private func jittered(_ d: Duration) -> Duration {
    d * (1 + Double.random(in: 0..<(LeaderElectionTiming.jitterFactor - 1)))
  }
}

/// A lease update that got no answer before the renew deadline.
struct LeaseUpdateTimeout: Error, CustomStringConvertible {
  var limit: Duration
  var description: String { "no answer from the API server before the renew deadline" }
}
