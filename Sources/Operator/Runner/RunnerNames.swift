import CRDModels

/// Names, labels and annotations of the objects a Runner owns, in one place.
///
/// | object | name |
/// |---|---|
/// | Pod | the Runner's name |
/// | PersistentVolumeClaim | `NAME-workspace`, or `workspace.existingClaim` (not owned) |
/// | Service (ssh) | `NAME-ssh` |
/// | Secret (inline authorized keys) | `NAME-ssh-keys` |
/// | Secret (sshd host keys) | `NAME-ssh-host-keys` |
/// | NetworkPolicy (egress) | `NAME-egress` |
public enum RunnerNames {
  public static let managedByLabel = "app.kubernetes.io/managed-by"
  public static let managedBy = "gra-operator"
  public static let nameLabel = "app.kubernetes.io/name"
  public static let appName = "gra-runner"
  public static let runnerLabel = "gra.dev/runner"
  /// Stable hash of the desired pod; a pod whose hash differs is replaced.
  public static let specHashAnnotation = "gra.dev/spec-hash"
  /// Keeps a Runner with `reclaimPolicy: Retain` until its claim has been detached.
  public static let workspaceFinalizer = "gra.dev/workspace-protection"
  /// Set with `spec.suspend: true` when the controller suspended the Runner itself
  /// (`IdleTimeout`, `MaxLifetimeExceeded`); removed when the Runner is resumed.
  public static let suspendedByAnnotation = "gra.dev/suspended-by"
  public static let containerName = "runner"
  public static let workspaceVolume = "workspace"
  public static let keysVolume = "ssh-keys"
  /// Where the runner image's entrypoint looks for mounted keys (`GRA_AUTHORIZED_KEYS_FILE`).
  public static let keysMountPath = "/etc/gra/ssh"
  public static let keysKey = "authorized_keys"
  public static let hostKeysVolume = "ssh-host-keys"
  /// Where the entrypoint looks for host keys (`GRA_SSH_HOST_KEYS_DIR`).
  public static let hostKeysMountPath = "/etc/gra/ssh-host-keys"
  public static let sshPortName = "ssh"
  /// The image's user (see `docs/images.md`).
  public static let uid: Int64 = 1000
  public static let gpuResource = "nvidia.com/gpu"

  public static func pod(_ runner: String) -> String { runner }
  public static func claim(_ r: Runner) -> String {
    r.spec?.workspace?.existingClaim ?? "\(r.metadata.name ?? "")-workspace"
  }
  public static func service(_ runner: String) -> String { "\(runner)-ssh" }
  public static func keysSecret(_ runner: String) -> String { "\(runner)-ssh-keys" }
  public static func hostKeysSecret(_ runner: String) -> String { "\(runner)-ssh-host-keys" }
  public static func networkPolicy(_ runner: String) -> String { "\(runner)-egress" }

  /// The labels every owned object carries; the pod selector of the Service and NetworkPolicy.
  public static func labels(_ runner: String) -> [String: String] {
    [managedByLabel: managedBy, nameLabel: appName, runnerLabel: runner]
  }

  public static func selector(_ runner: String) -> [String: String] {
    [nameLabel: appName, runnerLabel: runner]
  }

  /// The controller reference to `r` that every owned object carries.
  public static func ownerReference(_ r: Runner) -> OwnerReference {
    OwnerReference(
      apiVersion: Runner.resource.apiVersion, kind: Runner.resource.kind, name: r.metadata.name ?? "",
      uid: r.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
  }

  static func meta(_ r: Runner, name: String) -> ObjectMeta {
    ObjectMeta(
      name: name, namespace: r.metadata.namespace, labels: labels(r.metadata.name ?? ""),
      ownerReferences: [ownerReference(r)])
  }
}
