import CRDModels
import Foundation
import Testing

@testable import LocalCluster

private func pod(_ json: String) -> JSONValue { try! KubeJSON.decode(JSONValue.self, from: Data(json.utf8)) }

private func exited(_ name: String, _ code: Int32) -> ContainerRuntimeState {
  var c = ContainerRuntimeState(
    name: name, image: "busybox", state: .waiting(reason: "ContainerCreating", message: nil))
  let t = Date(timeIntervalSince1970: 1_700_000_000)
  c.containerID = "local://\(name)"
  c.state = .terminated(
    ContainerTermination(
      exitCode: code, reason: code == 0 ? "Completed" : "Error", message: nil, startedAt: t, finishedAt: t,
      containerID: "local://\(name)"))
  return c
}

private func running(_ name: String, ready: Bool = true) -> ContainerRuntimeState {
  var c = ContainerRuntimeState(
    name: name, image: "busybox", state: .running(startedAt: Date(timeIntervalSince1970: 1_700_000_000)))
  c.containerID = "local://\(name)"
  c.ready = ready
  c.started = true
  return c
}

@Suite("Kubelet pod status")
struct KubeletStatusTests {
  let never = pod(
    #"{"metadata":{"name":"p"},"spec":{"restartPolicy":"Never","containers":[{"name":"a"},{"name":"b"}]}}"#)
  let always = pod(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}}"#)
  let onFailure = pod(#"{"metadata":{"name":"p"},"spec":{"restartPolicy":"OnFailure","containers":[{"name":"a"}]}}"#)

  @Test func phaseFollowsTheKubeletRules() {
    var s = PodRuntimeSnapshot()
    s.containers = [exited("a", 0), exited("b", 0)]
    #expect(PodStatusBuilder.phase(pod: never, snapshot: s) == "Succeeded")
    s.containers = [exited("a", 0), exited("b", 2)]
    #expect(PodStatusBuilder.phase(pod: never, snapshot: s) == "Failed")
    s.containers = [running("a"), exited("b", 2)]
    #expect(PodStatusBuilder.phase(pod: never, snapshot: s) == "Running")
    s.containers = [exited("a", 1)]
    #expect(PodStatusBuilder.phase(pod: always, snapshot: s) == "Running")
    #expect(PodStatusBuilder.phase(pod: onFailure, snapshot: s) == "Running")
    s.containers = [exited("a", 0)]
    #expect(PodStatusBuilder.phase(pod: onFailure, snapshot: s) == "Succeeded")
    s.containers = [
      ContainerRuntimeState(name: "a", image: "x", state: .waiting(reason: "ContainerCreating", message: nil))
    ]
    #expect(PodStatusBuilder.phase(pod: always, snapshot: s) == "Pending")
  }

  @Test func aRestartingContainerCountsAsStopped() {
    var c = ContainerRuntimeState(name: "a", image: "x", state: .waiting(reason: "CrashLoopBackOff", message: nil))
    c.lastTermination = exited("a", 1).termination
    var s = PodRuntimeSnapshot()
    s.containers = [c]
    #expect(PodStatusBuilder.phase(pod: always, snapshot: s) == "Running")
  }

  @Test func deletedPodsGetATerminalPhase() {
    var s = PodRuntimeSnapshot()
    s.containers = [exited("a", 143)]
    #expect(PodStatusBuilder.phase(pod: always, snapshot: s, stopped: true) == "Failed")
    s.containers = [exited("a", 0)]
    #expect(PodStatusBuilder.phase(pod: always, snapshot: s, stopped: true) == "Succeeded")
  }

  @Test func failedInitContainerWithNeverFailsThePod() {
    let p = pod(#"{"spec":{"restartPolicy":"Never","initContainers":[{"name":"i"}],"containers":[{"name":"a"}]}}"#)
    var s = PodRuntimeSnapshot()
    s.initContainers = [exited("i", 1)]
    s.containers = [
      ContainerRuntimeState(name: "a", image: "x", state: .waiting(reason: "PodInitializing", message: nil))
    ]
    #expect(PodStatusBuilder.phase(pod: p, snapshot: s) == "Failed")
    s.initContainers = [running("i")]
    #expect(PodStatusBuilder.phase(pod: p, snapshot: s) == "Pending")
    let status = PodStatusBuilder.build(pod: p, snapshot: s, now: Date())
    let initialized = status["conditions"].arrayValue?.first { $0["type"] == "Initialized" }
    #expect(initialized?["status"] == "False")
    #expect(initialized?["reason"] == "ContainersNotInitialized")
    #expect(initialized?["message"] == "containers with incomplete status: [i]")
  }

  @Test func conditionsNameUnreadyContainersAndKeepTransitionTimes() {
    var s = PodRuntimeSnapshot()
    s.sandboxReady = true
    s.containers = [running("a", ready: true), running("b", ready: false)]
    let earlier = Date(timeIntervalSince1970: 1_600_000_000)
    let first = PodStatusBuilder.build(pod: never, snapshot: s, now: earlier)
    let ready = first["conditions"].arrayValue?.first { $0["type"] == "Ready" }
    #expect(ready?["status"] == "False")
    #expect(ready?["reason"] == "ContainersNotReady")
    #expect(ready?["message"] == "containers with unready status: [b]")
    var p = never
    p["status"] = first
    let second = PodStatusBuilder.build(pod: p, snapshot: s, now: Date())
    let again = second["conditions"].arrayValue?.first { $0["type"] == "Ready" }
    #expect(again?["lastTransitionTime"] == .string(Time(earlier).description))
    s.containers[1].ready = true
    let third = PodStatusBuilder.build(pod: p, snapshot: s, now: Date())
    let flipped = third["conditions"].arrayValue?.first { $0["type"] == "Ready" }
    #expect(flipped?["status"] == "True")
    #expect(flipped?["lastTransitionTime"] != .string(Time(earlier).description))
    #expect(third["podIP"] == "127.0.0.1")
    #expect(third["phase"] == "Running")
  }

  @Test func succeededPodsReportPodCompleted() {
    var s = PodRuntimeSnapshot()
    s.containers = [exited("a", 0), exited("b", 0)]
    let status = PodStatusBuilder.build(pod: never, snapshot: s, now: Date())
    let ready = status["conditions"].arrayValue?.first { $0["type"] == "ContainersReady" }
    #expect(ready?["reason"] == "PodCompleted")
    let terminated = status["containerStatuses"][0]["state"]["terminated"]
    #expect(terminated["exitCode"] == 0)
    #expect(terminated["reason"] == "Completed")
    #expect(status["containerStatuses"][1]["lastState"] == .object([:]))
  }

  @Test func deadlineExceededIsAFailedPodWithReason() {
    var s = PodRuntimeSnapshot()
    s.containers = [running("a")]
    s.failure = ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline")
    let status = PodStatusBuilder.build(pod: always, snapshot: s, now: Date())
    #expect(status["phase"] == "Failed")
    #expect(status["reason"] == "DeadlineExceeded")
  }

  @Test func qosClass() {
    #expect(PodStatusBuilder.qosClass(always) == "BestEffort")
    let g = pod(#"{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}"#)
    #expect(PodStatusBuilder.qosClass(g) == "Guaranteed")
    let b = pod(#"{"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"100m"}}}]}}"#)
    #expect(PodStatusBuilder.qosClass(b) == "Burstable")
  }

  @Test func crashLoopBackOffDoublesFromTheInitialDelayToTheCap() {
    let delays = (1...8).map { PodWorker.backoff(restart: $0, initial: .seconds(10), max: .seconds(300)) }
    #expect(
      delays == [
        .zero, .seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(300), .seconds(300),
      ])
  }
}
