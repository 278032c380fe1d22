extension Runner {
  /// This Runner with every unset field that has a default filled in (see ``GraDefaults``).
  /// Idempotent; never overrides a value the user set. `workspace.size` is only defaulted when
  /// no `existingClaim` is named.
  public func withDefaults() -> Runner {
    var r = self
    var s = r.spec ?? RunnerSpec()
    if s.image?.isEmpty ?? true { s.image = GraDefaults.runnerImage }
    var w = s.workspace ?? WorkspaceSpec()
    if w.existingClaim == nil, w.size == nil { w.size = GraDefaults.workspaceSize }
    if w.mountPath == nil { w.mountPath = GraDefaults.workspaceMountPath }
    if w.reclaimPolicy == nil { w.reclaimPolicy = GraDefaults.reclaimPolicy }
    s.workspace = w
    var ssh = s.ssh ?? SSHSpec()
    if ssh.enabled == nil { ssh.enabled = false }
    if ssh.port == nil { ssh.port = GraDefaults.sshPort }
    if ssh.serviceType == nil { ssh.serviceType = GraDefaults.sshServiceType }
    if var ref = ssh.authorizedKeysSecretRef, ref.key == nil {
      ref.key = GraDefaults.authorizedKeysKey
      ssh.authorizedKeysSecretRef = ref
    }
    s.ssh = ssh
    var n = s.network ?? NetworkSpec()
    if n.egress == nil { n.egress = GraDefaults.egress }
    s.network = n
    var e = s.exec ?? ExecLimits()
    if e.maxConcurrent == nil { e.maxConcurrent = GraDefaults.execMaxConcurrent }
    if e.defaultTimeoutSeconds == nil {
      e.defaultTimeoutSeconds = GraDefaults.execDefaultTimeoutSeconds
    }
    if e.outputLimitBytes == nil { e.outputLimitBytes = GraDefaults.execOutputLimitBytes }
    s.exec = e
    if s.suspend == nil { s.suspend = false }
    if s.automountServiceAccountToken == nil {
      s.automountServiceAccountToken = GraDefaults.automountServiceAccountToken
    }
    r.spec = s
    return r
  }
}

extension TracerJob {
  /// This TracerJob with every unset field that has a default filled in. `image` is left unset
  /// when `runnerRef` is set (the runner's image is used, which only the controller can read);
  /// use ``resolvedImage(runner:defaultImage:)`` for the image to run.
  public func withDefaults() -> TracerJob { withDefaults(image: GraDefaults.runnerImage) }

  /// ``withDefaults()`` with `image` as the image of a job that has neither `spec.image` nor
  /// `runnerRef`: the operator's `--runner-image`, which ``GraDefaults/runnerImage`` only stands
  /// in for.
  public func withDefaults(image: String) -> TracerJob {
    var j = self
    var s = j.spec ?? TracerJobSpec()
    if s.module == nil, s.script == nil, s.command == nil { s.module = GraDefaults.tracerModule }
    if s.image?.isEmpty ?? true {
      s.image = s.runnerRef == nil ? image : nil
    }
    if s.backoffLimit == nil { s.backoffLimit = GraDefaults.backoffLimit }
    var rb = s.retryBackoff ?? RetryBackoff()
    if rb.initialSeconds == nil { rb.initialSeconds = GraDefaults.retryInitialSeconds }
    if rb.maxSeconds == nil { rb.maxSeconds = GraDefaults.retryMaxSeconds }
    s.retryBackoff = rb
    if s.suspend == nil { s.suspend = false }
    if s.managedBy == nil { s.managedBy = GraDefaults.managedBy }
    if var a = s.artifacts, a.destination == nil, s.runnerRef != nil {
      a.destination = ArtifactDestination(workspace: WorkspaceDestination())
      s.artifacts = a
    }
    if var a = s.artifacts, var d = a.destination, var w = d.workspace, w.subPath == nil {
      w.subPath = ".gra/artifacts/\(j.metadata.name ?? "job")"
      d.workspace = w
      a.destination = d
      s.artifacts = a
    }
    j.spec = s
    return j
  }

  /// The image an attempt runs: `spec.image`, else the referenced runner's, else
  /// `defaultImage` (the operator's `--runner-image`, the same image a Runner without
  /// `spec.image` runs).
  public func resolvedImage(runner: Runner?, defaultImage: String = GraDefaults.runnerImage) -> String {
    if let i = spec?.image, !i.isEmpty { return i }
    if let i = runner?.spec?.image, !i.isEmpty { return i }
    return defaultImage
  }

  /// Whether gra's controller should act on this job (`managedBy` unset or gra's own).
  public var isManagedByGra: Bool {
    (spec?.managedBy ?? GraDefaults.managedBy) == GraDefaults.managedBy
  }
}
