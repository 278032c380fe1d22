import CRDModels
import Testing

@testable import Operator

@Suite struct RunnerStatusTests {
  let t0 = Time.now()

  func pod(
    phase: String = "Pending", scheduled: PodCondition? = nil, ready: Bool = false,
    waiting: ContainerStateWaiting? = nil
  ) -> Pod {
    var p = RunnerPodBuilder.pod(sampleRunner())
    p.metadata.uid = "pod-uid"
    var conditions: [PodCondition] = []
    if let scheduled { conditions.append(scheduled) }
    if ready { conditions.append(PodCondition(type: "Ready", status: "True")) }
    var cs = ContainerStatus(name: "runner", ready: ready, restartCount: 2)
    if let waiting { cs.state = ContainerState(waiting: waiting) }
    p.status = PodStatus(phase: phase, conditions: conditions, podIP: "10.1.2.3", containerStatuses: [cs])
    if scheduled?.status == "True" { p.spec?.nodeName = "node-1" }
    return p
  }

  func boundClaim() -> PersistentVolumeClaim {
    var c = RunnerObjectsBuilder.claim(sampleRunner())!
    c.status = PersistentVolumeClaimStatus(phase: "Bound")
    return c
  }

  @Test func firstSightSetsEveryConditionUnknownOrFalse() {
    let s = RunnerStatusBuilder.status(RunnerObservation(runner: sampleRunner()), now: t0)
    #expect(s.phase == .pending)
    #expect(s.observedGeneration == 1)
    #expect(s.workspaceClaim == "demo-workspace")
    let types = s.conditions?.map(\.type)
    #expect(types == ["Ready", "PodScheduled", "WorkspaceReady", "SSHReady", "Suspended", "Idle"])
    #expect(s.conditions?[type: "Ready"]?.status == .false)
    #expect(s.conditions?[type: "PodScheduled"]?.status == .unknown)
    #expect(s.conditions?[type: "WorkspaceReady"]?.status == .unknown)
    #expect(s.conditions?[type: "SSHReady"]?.reason == "SSHDisabled")
    #expect(s.conditions?.allSatisfy { $0.observedGeneration == 1 } == true)
  }

  @Test func readyPod() {
    var o = RunnerObservation(
      runner: sampleRunner(),
      pod: pod(phase: "Running", scheduled: PodCondition(type: "PodScheduled", status: "True"), ready: true),
      claim: boundClaim())
    o.service = nil
    let s = RunnerStatusBuilder.status(o, now: t0)
    #expect(s.phase == .ready)
    #expect(s.podName == "demo")
    #expect(s.podIP == "10.1.2.3")
    #expect(s.nodeName == "node-1")
    #expect(s.restartCount == 2)
    #expect(s.conditions?[type: "Ready"]?.status == .true)
    #expect(s.conditions?[type: "WorkspaceReady"]?.status == .true)
    #expect(s.conditions?[type: "PodScheduled"]?.status == .true)
    #expect(s.message == nil)
  }

  @Test func unschedulableMessageIsCopied() {
    let msg = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."
    let o = RunnerObservation(
      runner: sampleRunner(),
      pod: pod(scheduled: PodCondition(type: "PodScheduled", status: "False", reason: "Unschedulable", message: msg)),
      claim: boundClaim())
    let s = RunnerStatusBuilder.status(o, now: t0)
    #expect(s.phase == .pending)
    #expect(s.conditions?[type: "PodScheduled"]?.reason == "Unschedulable")
    #expect(s.conditions?[type: "PodScheduled"]?.message == msg)
    #expect(s.conditions?[type: "Ready"]?.reason == "Unschedulable")
    #expect(s.conditions?[type: "Ready"]?.message.contains(msg) == true)
  }

  @Test(arguments: ["ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"])
  func containerProblemsAreSurfaced(reason: String) {
    let o = RunnerObservation(
      runner: sampleRunner(),
      pod: pod(
        scheduled: PodCondition(type: "PodScheduled", status: "True"),
        waiting: ContainerStateWaiting(reason: reason, message: "details")),
      claim: boundClaim())
    let s = RunnerStatusBuilder.status(o, now: t0)
    #expect(s.phase == .starting)
    #expect(s.conditions?[type: "Ready"]?.reason == reason)
    #expect(s.conditions?[type: "Ready"]?.message.contains("details") == true)
  }

  @Test func invalidSpecIsFailedWithTheFieldErrors() {
    var o = RunnerObservation(runner: sampleRunner())
    o.specErrors = [FieldError(.invalid, FieldPath("spec").child("workspace"), "both size and existingClaim")]
    let s = RunnerStatusBuilder.status(o, now: t0)
    #expect(s.phase == .failed)
    #expect(s.conditions?[type: "Ready"]?.reason == "InvalidSpec")
    #expect(s.conditions?[type: "Ready"]?.message.contains("spec.workspace") == true)
  }

  @Test func suspendedRunnerKeepsItsWorkspace() {
    var spec = RunnerSpec()
    spec.suspend = true
    let s = RunnerStatusBuilder.status(
      RunnerObservation(runner: sampleRunner(spec: spec), claim: boundClaim()), now: t0)
    #expect(s.phase == .suspended)
    #expect(s.conditions?[type: "Suspended"]?.status == .true)
    #expect(s.conditions?[type: "WorkspaceReady"]?.status == .true)
    #expect(s.podName == nil)
  }

  @Test func sshEndpointWhenServiceExists() {
    var spec = RunnerSpec()
    spec.ssh = SSHSpec(enabled: true, authorizedKeys: ["k"])
    let r = sampleRunner(spec: spec)
    let o = RunnerObservation(
      runner: r, pod: pod(phase: "Running", scheduled: PodCondition(type: "PodScheduled", status: "True"), ready: true),
      claim: boundClaim(), service: RunnerObjectsBuilder.service(r))
    let s = RunnerStatusBuilder.status(o, now: t0)
    #expect(s.ssh?.host == "demo-ssh.team-a.svc")
    #expect(s.ssh?.port == 2222)
    #expect(s.ssh?.command == "ssh -p 2222 runner@demo-ssh.team-a.svc")
    #expect(s.conditions?[type: "SSHReady"]?.status == .true)
  }

  @Test func sameObservationGivesEqualStatusSoNothingIsWritten() {
    var r = sampleRunner()
    let o = RunnerObservation(
      runner: r, pod: pod(scheduled: PodCondition(type: "PodScheduled", status: "True")), claim: boundClaim())
    let first = RunnerStatusBuilder.status(o, now: t0)
    r.status = first
    var again = o
    again.runner = r
    let later = Time(t0.date.addingTimeInterval(120))
    #expect(RunnerStatusBuilder.status(again, now: later) == first)
  }

  @Test func transitionTimeMovesOnlyWhenStatusFlips() throws {
    var r = sampleRunner()
    let starting = RunnerObservation(
      runner: r, pod: pod(scheduled: PodCondition(type: "PodScheduled", status: "True")), claim: boundClaim())
    r.status = RunnerStatusBuilder.status(starting, now: t0)
    let later = Time(t0.date.addingTimeInterval(60))
    let readyObs = RunnerObservation(
      runner: r, pod: pod(phase: "Running", scheduled: PodCondition(type: "PodScheduled", status: "True"), ready: true),
      claim: boundClaim())
    let s = RunnerStatusBuilder.status(readyObs, now: later)
    #expect(s.conditions?[type: "Ready"]?.lastTransitionTime == later)
    #expect(s.conditions?[type: "PodScheduled"]?.lastTransitionTime == t0)
  }

  @Test func failedPodAndBlockedRunner() {
    var p = pod(phase: "Failed", scheduled: PodCondition(type: "PodScheduled", status: "True"))
    p.status?.reason = "Evicted"
    p.status?.message = "The node was low on resource: memory."
    let s = RunnerStatusBuilder.status(RunnerObservation(runner: sampleRunner(), pod: p, claim: boundClaim()), now: t0)
    #expect(s.phase == .failed)
    #expect(s.conditions?[type: "Ready"]?.reason == "Evicted")
    #expect(s.conditions?[type: "Ready"]?.message.contains("low on resource") == true)

    var o = RunnerObservation(runner: sampleRunner(), claim: boundClaim())
    o.blocked = ("SecretNotFound", "Secret s3 (spec.s3.credentialsSecretRef) not found")
    let b = RunnerStatusBuilder.status(o, now: t0)
    #expect(b.phase == .pending)
    #expect(b.conditions?[type: "Ready"]?.reason == "SecretNotFound")
  }

  /// Status-only changes (the controller's own writes) do not enqueue the Runner; anything a
  /// reconcile acts on does.
  @Test func onlyStatusChangesAreNotReconciled() {
    var old = sampleRunner()
    old.metadata.resourceVersion = "10"
    old.metadata.generation = 1
    var statusOnly = old
    statusOnly.metadata.resourceVersion = "11"
    statusOnly.status = RunnerStatus(phase: .ready, podName: "p")
    #expect(RunnerController.onlyStatusChanged(old, statusOnly))
    #expect(!RunnerController.onlyStatusChanged(nil, statusOnly))

    var specChanged = statusOnly
    specChanged.metadata.generation = 2
    specChanged.spec?.suspend = true
    #expect(!RunnerController.onlyStatusChanged(old, specChanged))
    var annotated = statusOnly
    annotated.metadata.annotations = ["gra.dev/suspended-by": "Idle"]
    #expect(!RunnerController.onlyStatusChanged(old, annotated))
    var deleting = statusOnly
    deleting.metadata.deletionTimestamp = .now()
    #expect(!RunnerController.onlyStatusChanged(old, deleting))
    var finalized = old
    finalized.metadata.finalizers = ["gra.dev/retain-claim"]
    #expect(!RunnerController.onlyStatusChanged(old, finalized))
  }

  /// A Runner's egress policy deleted or changed by someone else brings the Runner back; the
  /// echo of the controller's own create, and the policy of a Runner being deleted, do not.
  @Test func anEgressPolicyChangedBySomeoneElseIsReconciled() throws {
    var runner = sampleRunner()
    runner.spec?.network = NetworkSpec(egress: .deny)
    let made = try #require(RunnerObjectsBuilder.networkPolicy(runner))
    #expect(!RunnerController.policyDrifted(.applied(old: nil, new: made), runner: runner))
    #expect(!RunnerController.policyDrifted(.applied(old: made, new: made), runner: runner))
    #expect(RunnerController.policyDrifted(.deleted(made), runner: runner))
    var edited = made
    edited.spec?.egress = nil
    #expect(RunnerController.policyDrifted(.applied(old: made, new: edited), runner: runner))

    var deleting = runner
    deleting.metadata.deletionTimestamp = .now()
    #expect(!RunnerController.policyDrifted(.deleted(made), runner: deleting))
    var open = runner
    open.spec?.network = NetworkSpec(egress: .allow)
    #expect(!RunnerController.policyDrifted(.deleted(made), runner: open))
    // A Runner that no longer wants one: its leftover policy is deleted on the next pass.
    #expect(RunnerController.policyDrifted(.applied(old: made, new: edited), runner: open))
  }
}
