import CRDModels
import Foundation
import Testing

@testable import Operator

/// What decoding costs the operator per watch event of a Runner's objects, as the API server
/// sends them (defaults, status): figures, not assertions. Run with
/// `GRA_BENCH=1 swift test --filter RunnerCodecBenchmarks` (a release build for real figures).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] != nil))
struct RunnerCodecBenchmarks {
  private func time(_ label: String, _ bytes: [UInt8], _ n: Int, _ body: () throws -> Void) rethrows {
    let start = ContinuousClock.now
    for _ in 0..<n { try body() }
    let perOp = (ContinuousClock.now - start) / n
    print("bench \(label) (\(bytes.count) B): \(String(format: "%.1f", perOp.seconds * 1e6)) µs/op")
  }

  @Test func decodeARunnersObjects() throws {
    var runner = sampleRunner().withDefaults()
    runner.metadata.creationTimestamp = .now()
    var pod = RunnerPodBuilder.pod(runner)
    pod.metadata.uid = "pod-uid"
    pod.metadata.creationTimestamp = .now()
    pod.status = PodStatus(
      phase: "Running",
      conditions: [PodCondition(type: "PodScheduled", status: "True"), PodCondition(type: "Ready", status: "True")],
      podIP: "10.1.2.3", containerStatuses: [ContainerStatus(name: "runner", ready: true, restartCount: 0)])
    var claim = try #require(RunnerObjectsBuilder.claim(runner))
    claim.status = PersistentVolumeClaimStatus(phase: "Bound")
    runner.status = RunnerStatusBuilder.status(RunnerObservation(runner: runner, pod: pod, claim: claim))

    let n = 2000
    let runnerJSON = try KubeJSON.encodeBytes(runner)
    let podJSON = try KubeJSON.encodeBytes(pod)
    let claimJSON = try KubeJSON.encodeBytes(claim)
    try time("decode Runner with its status", runnerJSON, n) { _ = try KubeJSON.decode(Runner.self, from: runnerJSON) }
    try time("decode runner Pod", podJSON, n) { _ = try KubeJSON.decode(Pod.self, from: podJSON) }
    try time("decode workspace claim", claimJSON, n) {
      _ = try KubeJSON.decode(PersistentVolumeClaim.self, from: claimJSON)
    }
    try time("parse runner Pod to JSONValue", podJSON, n) { _ = try JSONValue.parse(podJSON) }
    time("RunnerStatusBuilder.status", runnerJSON, n) {
      _ = RunnerStatusBuilder.status(RunnerObservation(runner: runner, pod: pod, claim: claim))
    }
    time("Runner.validate", runnerJSON, n) { _ = runner.validate() }
  }
}
