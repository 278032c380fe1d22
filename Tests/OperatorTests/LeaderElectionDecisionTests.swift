import CRDModels
import Foundation
import Testing

@testable import Operator

@Suite struct LeaderElectionDecisionTests {
  let timing = LeaderElectionTiming()
  let t0 = ContinuousClock.now
  let wall = Date(timeIntervalSince1970: 1_700_000_000.123456)

  func record(_ holder: String, transitions: Int = 0) -> LeaderElectionRecord {
    LeaderElectionRecord(
      holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: MicroTime(wall), renewTime: MicroTime(wall),
      leaseTransitions: transitions)
  }

  @Test func noLeaseMeansCreateOne() {
    let d = LeaderElectionDecision.decide(
      identity: "me", current: nil, observedChangeAt: nil, now: t0, wallNow: wall, timing: timing)
    guard case .write(let r) = d else {
      Issue.record("expected a write")
      return
    }
    #expect(r.holderIdentity == "me" && r.leaseTransitions == 0 && r.leaseDurationSeconds == 15)
  }

  @Test func aFreshLeaseOfAnotherHolderIsRespected() {
    let d = LeaderElectionDecision.decide(
      identity: "me", current: record("other"), observedChangeAt: t0, now: t0 + .seconds(14), wallNow: wall,
      timing: timing)
    #expect(d == .standBy(holder: "other"))
  }

  @Test func anExpiredLeaseIsTakenOverAndTransitionsCount() {
    let d = LeaderElectionDecision.decide(
      identity: "me", current: record("other", transitions: 3), observedChangeAt: t0, now: t0 + .seconds(16),
      wallNow: wall, timing: timing)
    guard case .write(let r) = d else {
      Issue.record("expected a takeover")
      return
    }
    #expect(r.holderIdentity == "me" && r.leaseTransitions == 4)
  }

  @Test func renewingKeepsAcquireTimeAndTransitions() {
    let later = wall.addingTimeInterval(5)
    let d = LeaderElectionDecision.decide(
      identity: "me", current: record("me", transitions: 2), observedChangeAt: t0, now: t0 + .seconds(5),
      wallNow: later, timing: timing)
    guard case .write(let r) = d else {
      Issue.record("expected a renewal")
      return
    }
    #expect(r.leaseTransitions == 2)
    #expect(r.acquireTime == MicroTime(wall))
    #expect(r.renewTime == MicroTime(later))
  }

  @Test func aReleasedLeaseIsTakenAtOnce() {
    var released = record("")
    released.leaseDurationSeconds = 1
    let d = LeaderElectionDecision.decide(
      identity: "me", current: released, observedChangeAt: t0, now: t0, wallNow: wall, timing: timing)
    guard case .write(let r) = d else {
      Issue.record("expected a takeover")
      return
    }
    #expect(r.holderIdentity == "me" && r.leaseTransitions == 1)
  }

  @Test func recordRoundTripsThroughALeaseSpecWithMicroTime() throws {
    let spec = record("me", transitions: 7).leaseSpec
    #expect(spec["renewTime"].stringValue == "2023-11-14T22:13:20.123456Z")
    #expect(try LeaderElectionRecord(leaseSpec: spec) == record("me", transitions: 7))
  }

  @Test func timingFollowsClientGoRules() {
    #expect(throws: Never.self) { try LeaderElectionTiming().validate() }
    #expect(throws: LeaderElectionError.self) {
      try LeaderElectionTiming(leaseDuration: .seconds(10), renewDeadline: .seconds(10)).validate()
    }
    #expect(throws: LeaderElectionError.self) {
      try LeaderElectionTiming(renewDeadline: .seconds(2), retryPeriod: .seconds(2)).validate()
    }
  }
}
