import CRDModels
import Foundation
import Testing

@testable import Operator

@Suite struct TracerJobPolicyTests {
  static func pod(
    phase: String, reason: String? = nil, exit: Int32? = nil, message: String? = nil, waiting: String? = nil
  ) -> Pod {
    var state = ContainerState()
    if let exit {
      state.terminated = ContainerStateTerminated(
        exitCode: exit, reason: exit == 0 ? "Completed" : "Error", message: message)
    }
    if let waiting { state.waiting = ContainerStateWaiting(reason: waiting, message: "pull failed") }
    let cs = ContainerStatus(name: "job", state: state)
    return Pod(status: PodStatus(phase: phase, reason: reason, containerStatuses: [cs]))
  }

  @Test(arguments: [
    (pod(phase: "Running"), AttemptResult.Outcome.active, nil as String?, nil as Int32?),
    (pod(phase: "Pending", waiting: "ContainerCreating"), .active, nil, nil),
    (pod(phase: "Pending", waiting: "ImagePullBackOff"), .failed, "ImagePullFailed", nil),
    (
      pod(phase: "Succeeded", exit: 0, message: #"{"exitCode":0,"reason":"Succeeded","artifacts":1}"#), .succeeded,
      "Succeeded", 0
    ),
    (
      pod(phase: "Failed", exit: 3, message: #"{"exitCode":3,"reason":"Failed","message":"boom"}"#), .failed, "Failed",
      3
    ),
    (pod(phase: "Failed", exit: 2, message: #"{"exitCode":2,"reason":"SetupFailed"}"#), .failed, "SetupFailed", 2),
    (
      pod(phase: "Failed", exit: 128, message: #"{"exitCode":128,"reason":"GitCloneFailed"}"#), .failed,
      "GitCloneFailed", 128
    ),
    (pod(phase: "Failed", reason: "DeadlineExceeded", exit: 143), .failed, "DeadlineExceeded", 143),
    (pod(phase: "Failed", exit: 137, message: "log tail, not JSON"), .failed, "Failed", 137),
    (pod(phase: "Failed", reason: "Evicted"), .failed, "Evicted", nil),
  ])
  func evaluate(pod: Pod, outcome: AttemptResult.Outcome, reason: String?, exit: Int32?) {
    let r = AttemptResult.evaluate(pod)
    #expect(r.outcome == outcome)
    #expect(r.reason == reason)
    #expect(r.exitCode == exit)
  }

  /// A container that never started reports the zero start time (containerd): the attempt's
  /// start is then its pod's; a real start time is kept.
  @Test func aStartErrorsZeroStartTimeIsNotTheAttemptsStart() {
    let podStart = Time(Date(timeIntervalSince1970: 1_800_000_000))
    let finished = Time(Date(timeIntervalSince1970: 1_800_000_005))
    var state = ContainerState()
    state.terminated = ContainerStateTerminated(
      exitCode: 128, reason: "StartError", message: "unable to start container process",
      startedAt: Time(Date(timeIntervalSince1970: 0)), finishedAt: finished)
    var pod = Pod(
      status: PodStatus(
        phase: "Failed", startTime: podStart, containerStatuses: [ContainerStatus(name: "job", state: state)]))
    let r = AttemptResult.evaluate(pod)
    #expect((r.reason, r.exitCode, r.startTime, r.finishTime) == ("StartError", 128, podStart, finished))

    let ran = Time(Date(timeIntervalSince1970: 1_800_000_001))
    pod.status?.containerStatuses?[0].state?.terminated?.startedAt = ran
    #expect(AttemptResult.evaluate(pod).startTime == ran)
  }

  static let rules = [
    PodFailurePolicyRule(action: .failJob, onExitCodes: ExitCodeRequirement(operator: .in, values: [42])),
    PodFailurePolicyRule(action: .ignore, onExitCodes: ExitCodeRequirement(operator: .in, values: [137])),
    PodFailurePolicyRule(action: .count, onExitCodes: ExitCodeRequirement(operator: .notIn, values: [1])),
  ]

  @Test(arguments: [
    (Int32(42), "Failed", FailureAction.failJob),
    (137, "Failed", .ignore),
    (5, "Failed", .count),
    (1, "Failed", .count),
    (143, "DeadlineExceeded", .count),
  ])
  func exitCodeRules(code: Int32, reason: String, action: FailureAction) {
    let r = AttemptResult(outcome: .failed, exitCode: code, reason: reason)
    #expect(JobPolicy.action(for: r, rules: Self.rules) == action)
  }

  @Test func backoffDoublesUpToTheMaximum() {
    let b = RetryBackoff(initialSeconds: 10, maxSeconds: 60)
    #expect(
      [1, 2, 3, 4, 5].map { JobPolicy.backoff(failures: $0, b) } == [
        .seconds(10), .seconds(20), .seconds(40), .seconds(60), .seconds(60),
      ])
  }

  static func counted(_ n: Int) -> [AttemptStatus] {
    (0..<n).map { AttemptStatus(attempt: Int32($0 + 1), action: .count) }
  }

  @Test(arguments: [
    // result, action, previous counted failures, backoffLimit, expected
    (AttemptResult(outcome: .succeeded, exitCode: 0), FailureAction.count, 0, Int32(0), "succeed"),
    (AttemptResult(outcome: .failed, exitCode: 1, reason: "Failed"), .count, 0, 0, "fail BackoffLimitExceeded"),
    (AttemptResult(outcome: .failed, exitCode: 1, reason: "Failed"), .count, 0, 2, "retry 1"),
    (AttemptResult(outcome: .failed, exitCode: 1, reason: "Failed"), .count, 1, 2, "retry 2"),
    (AttemptResult(outcome: .failed, exitCode: 1, reason: "Failed"), .count, 2, 2, "fail BackoffLimitExceeded"),
    (AttemptResult(outcome: .failed, exitCode: 143, reason: "DeadlineExceeded"), .count, 0, 0, "fail DeadlineExceeded"),
    (AttemptResult(outcome: .failed, exitCode: 2, reason: "SetupFailed"), .count, 0, 0, "fail SetupFailed"),
    (AttemptResult(outcome: .failed, exitCode: 42, reason: "Failed"), .failJob, 0, 5, "fail PodFailurePolicy"),
    (AttemptResult(outcome: .failed, exitCode: 137, reason: "Failed"), .ignore, 3, 0, "retry 4"),
    (AttemptResult(outcome: .failed, reason: "ImagePullFailed"), .count, 0, 5, "fail ImagePullFailed"),
  ])
  func decide(result: AttemptResult, action: FailureAction, previous: Int, limit: Int32, expected: String) {
    let spec = TracerJobSpec(backoffLimit: limit, retryBackoff: RetryBackoff(initialSeconds: 1, maxSeconds: 100))
    let d = JobPolicy.decide(
      result: result, action: action, attempt: Int32(previous + 1), previous: Self.counted(previous), spec: spec)
    let text: String
    switch d {
    case .succeed: text = "succeed"
    case .fail(let reason, _): text = "fail \(reason)"
    case .retry(let after): text = "retry \(after.components.seconds)"
    }
    // retry delays: 1 s after the first counted failure, then 2 s, 4 s (ignored ones do not count)
    #expect(text == expected)
  }

  @Test func recordLineIsFoundAndRemovedFromTheLog() {
    let log =
      "hello\nworld\n::gra-run-record:: {\"artifacts\":[{\"path\":\"out/t.json\",\"size\":3,\"sha256\":\"ab\"}]}\n"
    let (record, rest) = RunRecord.extract(from: log)
    #expect(record?.artifacts?.first?.path == "out/t.json")
    #expect(record?.artifacts?.first?.size == 3)
    #expect(rest == "hello\nworld\n")
    #expect(PodLogReader.shortTail(rest, lines: 1) == "world")
  }

  @Test func goDuration() {
    #expect(TracerJobStatus.goDuration(5) == "5s")
    #expect(TracerJobStatus.goDuration(92) == "1m32s")
    #expect(TracerJobStatus.goDuration(3723) == "1h2m3s")
  }
}
