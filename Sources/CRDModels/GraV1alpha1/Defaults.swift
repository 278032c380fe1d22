/// The defaults gra applies, in one place. The CRD schema carries the same values where a
/// schema default is safe (see `docs/api.md`); ``Runner/withDefaults()`` and
/// ``TracerJob/withDefaults()`` apply all of them.
public enum GraDefaults {
  /// The runner image when a Runner or TracerJob names none. A moving tag on purpose: the image
  /// is built from this repository (`images/runner/`); pin a digest in production.
  public static let runnerImage = "ghcr.io/gra-dev/gra-runner:latest"
  public static let workspaceSize: Quantity = "10Gi"
  public static let workspaceMountPath = "/workspace"
  public static let reclaimPolicy = ReclaimPolicy.delete
  public static let sshPort: Int32 = 2222
  public static let sshServiceType = ServiceType.clusterIP
  public static let egress = EgressPolicy.public
  public static let execMaxConcurrent: Int32 = 4
  public static let execDefaultTimeoutSeconds: Int64 = 300
  public static let execOutputLimitBytes: Int64 = 10 * 1024 * 1024
  public static let automountServiceAccountToken = false
  /// The module a TracerJob runs when it names no module, script or command.
  public static let tracerModule = "gradienttracer"
  /// No retries: a tracer run that failed usually fails the same way again. Set `backoffLimit`
  /// for flaky workloads.
  public static let backoffLimit: Int32 = 0
  public static let retryInitialSeconds: Int32 = 10
  public static let retryMaxSeconds: Int32 = 300
  public static let managedBy = "gra.dev/operator"
  /// Key in `ssh.authorizedKeysSecretRef` when none is named.
  public static let authorizedKeysKey = "authorized_keys"
}
