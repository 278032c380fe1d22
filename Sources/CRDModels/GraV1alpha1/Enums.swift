// The closed sets of values in the gra.dev API. The CRD schema lists the same values, so the
// API server rejects anything else before gra ever decodes it.

/// `imagePullPolicy`.
public enum PullPolicy: String, Codable, Sendable, CaseIterable {
  case always = "Always"
  case ifNotPresent = "IfNotPresent"
  case never = "Never"
}

/// `workspace.reclaimPolicy`: what happens to the claim gra created when the Runner is deleted.
public enum ReclaimPolicy: String, Codable, Sendable, CaseIterable {
  case delete = "Delete"
  case retain = "Retain"
}

/// `ssh.serviceType`.
public enum ServiceType: String, Codable, Sendable, CaseIterable {
  case clusterIP = "ClusterIP"
  case nodePort = "NodePort"
  case loadBalancer = "LoadBalancer"
}

/// `network.egress`.
public enum EgressPolicy: String, Codable, Sendable, CaseIterable {
  /// No egress at all except cluster DNS.
  case deny = "Deny"
  /// The internet, but not private ranges (RFC 1918, link-local: cloud metadata at 169.254.169.254).
  case `public` = "Public"
  /// Everything.
  case allow = "Allow"
}

/// `status.phase` of a Runner.
public enum RunnerPhase: String, Codable, Sendable, CaseIterable {
  case pending = "Pending"
  case starting = "Starting"
  case ready = "Ready"
  case suspended = "Suspended"
  case failed = "Failed"
  case terminating = "Terminating"
}

/// `status.phase` of a TracerJob.
public enum TracerJobPhase: String, Codable, Sendable, CaseIterable {
  case pending = "Pending"
  case running = "Running"
  case succeeded = "Succeeded"
  case failed = "Failed"
}

/// `podFailurePolicy.rules[].action`.
public enum FailureAction: String, Codable, Sendable, CaseIterable {
  /// Fail the job now, with no more retries.
  case failJob = "FailJob"
  /// Retry without counting the attempt toward `backoffLimit` (e.g. a preempted node).
  case ignore = "Ignore"
  /// Count the attempt toward `backoffLimit` (the default for an unmatched failure).
  case count = "Count"
}

/// `podFailurePolicy.rules[].onExitCodes.operator`.
public enum ExitCodeOperator: String, Codable, Sendable, CaseIterable {
  case `in` = "In"
  case notIn = "NotIn"
}

/// Condition types and reasons gra sets.
public enum GraConditions {
  // Runner
  public static let ready = "Ready"
  public static let podScheduled = "PodScheduled"
  public static let workspaceReady = "WorkspaceReady"
  public static let sshReady = "SSHReady"
  public static let suspended = "Suspended"
  public static let idle = "Idle"
  // TracerJob
  public static let started = "Started"
  public static let complete = "Complete"
  public static let failed = "Failed"
  // TracerJob reasons
  public static let deadlineExceeded = "DeadlineExceeded"
  public static let backoffLimitExceeded = "BackoffLimitExceeded"
  public static let podFailurePolicy = "PodFailurePolicy"
}
