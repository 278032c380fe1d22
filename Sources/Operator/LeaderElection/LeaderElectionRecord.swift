import CRDModels
import Foundation

/// The leader-election fields of a `coordination.k8s.io/v1` Lease's spec.
public struct LeaderElectionRecord: Sendable, Equatable {
  /// Empty when the lease was released.
  public var holderIdentity: String
  public var leaseDurationSeconds: Int
  public var acquireTime: MicroTime?
  public var renewTime: MicroTime?
  public var leaseTransitions: Int

  public init(
    holderIdentity: String, leaseDurationSeconds: Int, acquireTime: MicroTime?, renewTime: MicroTime?,
    leaseTransitions: Int
  ) {
    self.holderIdentity = holderIdentity
    self.leaseDurationSeconds = leaseDurationSeconds
    self.acquireTime = acquireTime
    self.renewTime = renewTime
    self.leaseTransitions = leaseTransitions
  }

  /// Reads the record from a Lease's `spec` (missing fields as the API server omits them).
  public init(leaseSpec spec: JSONValue) throws {
    holderIdentity = spec["holderIdentity"].stringValue ?? ""
    leaseDurationSeconds = Int(spec["leaseDurationSeconds"].intValue ?? 0)
    acquireTime = try spec["acquireTime"].isNull ? nil : spec["acquireTime"].decode(MicroTime.self)
    renewTime = try spec["renewTime"].isNull ? nil : spec["renewTime"].decode(MicroTime.self)
    leaseTransitions = Int(spec["leaseTransitions"].intValue ?? 0)
  }

  public var leaseSpec: JSONValue {
    var o: [String: JSONValue] = [
      "holderIdentity": .string(holderIdentity),
      "leaseDurationSeconds": .int(Int64(leaseDurationSeconds)),
      "leaseTransitions": .int(Int64(leaseTransitions)),
    ]
    if let acquireTime { o["acquireTime"] = .string(acquireTime.description) }
    if let renewTime { o["renewTime"] = .string(renewTime.description) }
    return .object(o)
  }
}

/// Timing of leader election; the defaults are client-go's.
public struct LeaderElectionTiming: Sendable, Equatable {
  /// How long a standby waits after last seeing the record change before taking over.
  public var leaseDuration: Duration = .seconds(15)
  /// How long the leader keeps trying to renew before it gives up leadership.
  public var renewDeadline: Duration = .seconds(10)
  /// The interval between attempts.
  public var retryPeriod: Duration = .seconds(2)
  public static let jitterFactor = 1.2

  public init(
    leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)
  ) {
    self.leaseDuration = leaseDuration
    self.renewDeadline = renewDeadline
    self.retryPeriod = retryPeriod
  }

  /// client-go's rule: leaseDuration > renewDeadline > jitter × retryPeriod.
  public func validate() throws {
    guard leaseDuration > renewDeadline else {
      throw LeaderElectionError.invalidTiming("leaseDuration must be greater than renewDeadline")
    }
    guard renewDeadline > retryPeriod * Self.jitterFactor else {
      throw LeaderElectionError.invalidTiming("renewDeadline must be greater than retryPeriod*1.2")
    }
  }
}

public enum LeaderElectionError: Error, Equatable, CustomStringConvertible {
  case invalidTiming(String)
  public var description: String {
    switch self {
    case .invalidTiming(let m): "leader election: \(m)"
    }
  }
}

/// What one attempt should do, decided from the lease as read and the local clock.
///
/// Expiry is judged by the local time at which this process last saw the record change, not
/// by `renewTime`, because the writer's clock may differ from ours (client-go does the same).
public enum LeaderElectionDecision: Equatable, Sendable {
  /// Write this record (create when there was no lease, else update with its resourceVersion).
  case write(LeaderElectionRecord)
  /// Someone else holds a lease that has not expired.
  case standBy(holder: String)

  public static func decide(
    identity: String, current: LeaderElectionRecord?, observedChangeAt: ContinuousClock.Instant?,
    now: ContinuousClock.Instant, wallNow: Date, timing: LeaderElectionTiming
  ) -> LeaderElectionDecision {
    let leaseSeconds = Int(timing.leaseDuration.components.seconds)
    guard let current else {
      return .write(
        LeaderElectionRecord(
          holderIdentity: identity, leaseDurationSeconds: leaseSeconds, acquireTime: MicroTime(wallNow),
          renewTime: MicroTime(wallNow), leaseTransitions: 0))
    }
    let heldByOther = !current.holderIdentity.isEmpty && current.holderIdentity != identity
    if heldByOther {
      let duration = Duration.seconds(max(current.leaseDurationSeconds, 1))
      if let seen = observedChangeAt, seen + duration > now { return .standBy(holder: current.holderIdentity) }
    }
    var next = current
    next.leaseDurationSeconds = leaseSeconds
    next.renewTime = MicroTime(wallNow)
    if current.holderIdentity != identity {
      next.holderIdentity = identity
      next.acquireTime = MicroTime(wallNow)
      next.leaseTransitions = current.leaseTransitions + 1
    }
    return .write(next)
  }
}
