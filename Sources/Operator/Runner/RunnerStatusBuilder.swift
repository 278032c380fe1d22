import CRDModels

/// What the controller saw of a Runner and what it owns, for ``RunnerStatusBuilder``.
public struct RunnerObservation: Sendable {
  public var runner: Runner
  public var pod: Pod?
  public var claim: PersistentVolumeClaim?
  public var service: Service?
  /// Field errors of the spec; non-empty makes the Runner `Failed` with `InvalidSpec`.
  public var specErrors: [FieldError] = []
  /// A problem that keeps the pod from being created (reason, message), e.g. a missing Secret.
  public var blocked: (reason: String, message: String)?
  /// When a failed pod will be recreated, if the controller is holding back.
  public var restartBackoff: Duration?
  /// A problem with the workspace claim besides binding (reason, message), e.g. a refused resize.
  public var workspaceProblem: (reason: String, message: String)?
  /// Activity the controller saw itself (a live ssh session); moves `lastActivityTime`.
  public var activity: Time?
  /// Why the live-session check before an idle suspension could not be made.
  public var sessionCheckError: String?

  public init(runner: Runner, pod: Pod? = nil, claim: PersistentVolumeClaim? = nil, service: Service? = nil) {
    self.runner = runner
    self.pod = pod
    self.claim = claim
    self.service = service
  }
}

/// Computes a Runner's status from what was observed: a pure function, so every reason a user
/// can see is unit-tested.
///
/// Every condition (`Ready`, `PodScheduled`, `WorkspaceReady`, `SSHReady`, `Suspended`) is set
/// on first sight, `Unknown` when nothing is known yet. `lastTransitionTime` moves only when a
/// condition's status flips, and messages carry no counters or times, so the result is equal
/// to the previous status whenever nothing a user cares about changed (the controller writes
/// only then).
public enum RunnerStatusBuilder {
  /// Container waiting reasons that need the user (or time) and are shown as the Ready reason.
  static let waitingProblems: Set<String> = [
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError",
    "CreateContainerError", "RunContainerError",
  ]

  public static func status(_ o: RunnerObservation, now: Time = .now()) -> RunnerStatus {
    let r = o.runner.withDefaults()
    let spec = r.spec ?? RunnerSpec()
    let gen = r.metadata.generation
    let previous = o.runner.status ?? RunnerStatus()
    var s = RunnerStatus()
    s.lastActivityTime = [previous.lastActivityTime, o.activity].compactMap { $0 }.max()
    s.observedGeneration = gen
    s.workspaceClaim = RunnerNames.claim(r)
    var conditions = previous.conditions ?? []
    func set(_ type: String, _ status: Condition.Status, _ reason: String, _ message: String) {
      conditions.setCondition(
        Condition(type: type, status: status, observedGeneration: gen, reason: reason, message: message), now: now)
    }

    let pod = o.pod
    let podGone = pod == nil || pod?.metadata.deletionTimestamp != nil
    if let pod, pod.metadata.deletionTimestamp == nil {
      s.podName = pod.metadata.name
      s.podIP = pod.status?.podIP
      s.nodeName = pod.spec?.nodeName
      s.startTime = pod.status?.startTime
      s.restartCount = pod.status?.containerStatuses?.first { $0.name == RunnerNames.containerName }?.restartCount
    }

    // Suspended
    let suspended = spec.suspend == true
    let suspendedBy = suspended ? (r.metadata.annotations?[RunnerNames.suspendedByAnnotation] ?? "Suspended") : nil
    if let suspendedBy {
      set(GraConditions.suspended, .true, suspendedBy, RunnerLifecycle.suspendedMessage(suspendedBy, r))
    } else {
      set(GraConditions.suspended, .false, "NotSuspended", "")
    }

    // Idle
    if let timeout = RunnerLifecycle.idleTimeout(r) {
      if suspendedBy == RunnerLifecycle.idleReason {
        set(
          GraConditions.idle, .true, RunnerLifecycle.idleReason,
          RunnerLifecycle.suspendedMessage(RunnerLifecycle.idleReason, r))
      } else if suspended {
        set(GraConditions.idle, .false, "Suspended", "the runner is suspended")
      } else if let error = o.sessionCheckError {
        set(
          GraConditions.idle, .unknown, "SessionCheckFailed",
          "idle for spec.idleTimeout (\(timeout)) but live ssh sessions could not be checked, so the runner is kept: \(error)"
        )
      } else {
        set(
          GraConditions.idle, .false, "Active",
          "suspended after spec.idleTimeout (\(timeout)) without exec or ssh activity; live ssh sessions keep it running"
        )
      }
    } else {
      set(
        GraConditions.idle, .false, "NoIdleTimeout",
        "spec.idleTimeout is not set: the runner is never suspended for inactivity")
    }

    // WorkspaceReady
    let claimName = RunnerNames.claim(r)
    if let problem = o.workspaceProblem {
      set(GraConditions.workspaceReady, .false, problem.reason, problem.message)
    } else if let claim = o.claim {
      let requested = claim.spec?.resources?.requests?["storage"]
      let capacity = claim.status?.capacity?["storage"]
      switch claim.status?.phase {
      case "Bound" where requested != nil && capacity != nil && capacity! < requested!:
        set(
          GraConditions.workspaceReady, .true, "ClaimResizing",
          "PersistentVolumeClaim \(claimName) is bound and growing from \(capacity!) to \(requested!) (some storage drivers grow the file system only when the pod restarts)"
        )
      case "Bound":
        set(GraConditions.workspaceReady, .true, "ClaimBound", "PersistentVolumeClaim \(claimName) is bound")
      case "Lost":
        set(
          GraConditions.workspaceReady, .false, "ClaimLost",
          "PersistentVolumeClaim \(claimName) lost its volume: restore the PersistentVolume or delete the claim")
      default:
        set(
          GraConditions.workspaceReady, .false, "ClaimPending",
          "PersistentVolumeClaim \(claimName) is not bound yet (a storage class with WaitForFirstConsumer binds it when the pod is scheduled)"
        )
      }
    } else if spec.workspace?.existingClaim != nil {
      set(
        GraConditions.workspaceReady, .false, "ClaimNotFound",
        "PersistentVolumeClaim \(claimName) (workspace.existingClaim) does not exist: create it or change workspace.existingClaim"
      )
    } else {
      set(
        GraConditions.workspaceReady, .unknown, "ClaimNotCreated",
        "the workspace claim \(claimName) has not been created yet")
    }

    // PodScheduled
    let scheduled = pod?.status?.conditions?.first { $0.type == "PodScheduled" }
    if suspended && podGone {
      set(GraConditions.podScheduled, .false, "Suspended", "the runner is suspended")
    } else if podGone {
      set(GraConditions.podScheduled, .unknown, "PodNotCreated", "the pod has not been created yet")
    } else if let scheduled {
      let st: Condition.Status = scheduled.status == "True" ? .true : scheduled.status == "False" ? .false : .unknown
      set(
        GraConditions.podScheduled, st, scheduled.reason ?? (st == .true ? "Scheduled" : "Pending"),
        scheduled.message ?? "")
    } else if pod?.spec?.nodeName != nil {
      set(GraConditions.podScheduled, .true, "Scheduled", "")
    } else {
      set(GraConditions.podScheduled, .unknown, "PodPending", "the pod is waiting for the scheduler")
    }

    // Ready and the phase
    let sshOn = spec.ssh?.enabled == true
    let ready: (Condition.Status, String, String)
    let podReady = pod?.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
    let waiting = pod?.status?.containerStatuses?.lazy.compactMap { $0.state?.waiting }
      .first { waitingProblems.contains($0.reason ?? "") }
    if r.metadata.deletionTimestamp != nil {
      s.phase = .terminating
      ready = (.false, "Terminating", "the runner is being deleted")
    } else if !o.specErrors.isEmpty {
      s.phase = .failed
      ready = (
        .false, "InvalidSpec", "fix the Runner's spec: " + o.specErrors.map(\.description).joined(separator: "; ")
      )
    } else if suspended {
      s.phase = .suspended
      let why = suspendedBy.map { RunnerLifecycle.suspendedMessage($0, r) } ?? "the runner is suspended"
      ready = (.false, "Suspended", podGone ? why : "the runner is suspending: its pod is being deleted")
    } else if let blocked = o.blocked {
      s.phase = .pending
      ready = (.false, blocked.reason, blocked.message)
    } else if let pod, pod.metadata.deletionTimestamp == nil, ["Failed", "Succeeded"].contains(pod.status?.phase ?? "")
    {
      s.phase = .failed
      let why = [pod.status?.reason, pod.status?.message].compactMap { $0 }.joined(separator: ": ")
      ready = (
        .false, pod.status?.reason ?? "PodFailed",
        "the pod stopped (\(why.isEmpty ? pod.status?.phase ?? "" : why)); it will be recreated"
      )
    } else if podGone {
      s.phase = .pending
      if let backoff = o.restartBackoff {
        ready = (.false, "RestartBackoff", "the pod failed; it is recreated in \(backoff.components.seconds)s")
      } else {
        ready = (
          .false, "PodNotCreated", pod == nil ? "the pod has not been created yet" : "the previous pod is terminating"
        )
      }
    } else if podReady {
      s.phase = .ready
      ready = (
        .true, "RunnerReady", sshOn ? "the runner is ready; ssh: \(sshCommand(r, o.service))" : "the runner is ready"
      )
    } else if let waiting {
      s.phase = .starting
      let reason = waiting.reason ?? "ContainerWaiting"
      ready = (.false, reason, (waiting.message.map { "\(reason): \($0)" } ?? reason) + hint(reason))
    } else if let scheduled, scheduled.status == "False" {
      s.phase = .pending
      ready = (.false, scheduled.reason ?? "Unschedulable", "the pod cannot be scheduled: \(scheduled.message ?? "")")
    } else if o.claim != nil, o.claim?.status?.phase != "Bound", scheduled?.status != "True" {
      s.phase = .pending
      ready = (.false, "WorkspacePending", "waiting for the workspace claim \(claimName) to be bound")
    } else {
      s.phase = scheduled?.status == "True" ? .starting : .pending
      ready = (
        .false, "PodNotReady",
        scheduled?.status == "True" ? "the pod is starting" : "the pod is waiting to be scheduled"
      )
    }
    set(GraConditions.ready, ready.0, ready.1, ready.2)
    s.message = ready.0 == .true ? nil : ready.2

    // SSHReady
    if !sshOn {
      set(GraConditions.sshReady, .false, "SSHDisabled", "ssh.enabled is false")
    } else if o.service == nil {
      set(
        GraConditions.sshReady, .false, "ServiceNotCreated",
        "the ssh Service \(RunnerNames.service(r.metadata.name ?? "")) does not exist yet")
    } else if podReady && !podGone {
      set(GraConditions.sshReady, .true, "SSHListening", sshCommand(r, o.service))
    } else {
      set(GraConditions.sshReady, .false, "PodNotReady", "sshd is not listening yet")
    }
    if sshOn, let svc = o.service {
      let port = svc.spec?.ports?.first?.port ?? spec.ssh?.port ?? GraDefaults.sshPort
      s.ssh = SSHEndpoint(
        host: sshHost(r, svc), port: port, serviceName: svc.metadata.name, command: sshCommand(r, svc))
    }
    s.conditions = order(conditions)
    return s
  }

  static func hint(_ reason: String) -> String {
    switch reason {
    case "ErrImagePull", "ImagePullBackOff", "InvalidImageName":
      " (check spec.image and the registry's credentials)"
    case "CrashLoopBackOff":
      " (the runner keeps exiting: see kubectl logs --previous)"
    case "CreateContainerConfigError":
      " (a Secret or ConfigMap named in env, envFrom, s3 or ssh is missing a key)"
    default: ""
    }
  }

  static func sshHost(_ r: Runner, _ svc: Service) -> String {
    if let ing = svc.status?.loadBalancer?.ingress?.first, let h = ing.hostname ?? ing.ip { return h }
    return "\(svc.metadata.name ?? "").\(r.metadata.namespace ?? "default").svc"
  }

  static func sshCommand(_ r: Runner, _ svc: Service?) -> String {
    let port = svc?.spec?.ports?.first?.port ?? r.spec?.ssh?.port ?? GraDefaults.sshPort
    let host =
      svc.map { sshHost(r, $0) }
      ?? "\(RunnerNames.service(r.metadata.name ?? "")).\(r.metadata.namespace ?? "default").svc"
    return "ssh -p \(port) runner@\(host)"
  }

  /// A fixed order, so that equal sets of conditions compare equal.
  static func order(_ c: [Condition]) -> [Condition] {
    let rank = [
      GraConditions.ready, GraConditions.podScheduled, GraConditions.workspaceReady, GraConditions.sshReady,
      GraConditions.suspended, GraConditions.idle,
    ]
    return c.sorted { (rank.firstIndex(of: $0.type) ?? 99, $0.type) < (rank.firstIndex(of: $1.type) ?? 99, $1.type) }
  }
}
