import CRDModels
import Foundation

/// Builds the objects besides the pod that a Runner owns: pure functions of the (defaulted)
/// Runner. Each returns nil when the Runner needs no such object.
public enum RunnerObjectsBuilder {
  /// The workspace claim (`ReadWriteOnce`, `workspace.size`, `storageClassName`); nil with
  /// `existingClaim`, which gra mounts but never owns.
  public static func claim(_ runner: Runner) -> PersistentVolumeClaim? {
    let r = runner.withDefaults()
    let w = r.spec?.workspace ?? WorkspaceSpec()
    if w.existingClaim != nil { return nil }
    let spec = PersistentVolumeClaimSpec(
      accessModes: ["ReadWriteOnce"],
      resources: VolumeResourceRequirements(requests: ["storage": w.size ?? GraDefaults.workspaceSize]),
      storageClassName: w.storageClassName)
    return PersistentVolumeClaim(metadata: RunnerNames.meta(r, name: RunnerNames.claim(r)), spec: spec)
  }

  /// The ssh Service (`NAME-ssh`, port `ssh.port` to the pod's `ssh` port) when ssh is enabled.
  public static func service(_ runner: Runner) -> Service? {
    let r = runner.withDefaults()
    guard let ssh = r.spec?.ssh, ssh.enabled == true else { return nil }
    let name = r.metadata.name ?? ""
    let port = ssh.port ?? GraDefaults.sshPort
    let spec = ServiceSpec(
      type: (ssh.serviceType ?? GraDefaults.sshServiceType).rawValue, selector: RunnerNames.selector(name),
      ports: [
        ServicePort(
          name: RunnerNames.sshPortName, protocol: "TCP", port: port, targetPort: .string(RunnerNames.sshPortName))
      ])
    return Service(metadata: RunnerNames.meta(r, name: RunnerNames.service(name)), spec: spec)
  }

  /// The Secret holding inline `ssh.authorizedKeys` (key `authorized_keys`, one key a line),
  /// mounted at `/etc/gra/ssh`. Keys from `authorizedKeysSecretRef` are not copied: the pod
  /// reads that Secret itself (`GRA_AUTHORIZED_KEYS`).
  public static func keysSecret(_ runner: Runner) -> Secret? {
    let r = runner.withDefaults()
    guard let ssh = r.spec?.ssh, ssh.enabled == true, let keys = ssh.authorizedKeys, !keys.isEmpty else { return nil }
    let file = keys.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: "\n") + "\n"
    return Secret(
      metadata: RunnerNames.meta(r, name: RunnerNames.keysSecret(r.metadata.name ?? "")),
      data: [RunnerNames.keysKey: Data(file.utf8).base64EncodedString()], type: "Opaque")
  }

  /// The Secret with sshd's host key (`ssh_host_ed25519_key` and `.pub`), mounted at
  /// `/etc/gra/ssh-host-keys` when ssh is enabled. Made once with a fresh key and never
  /// rewritten, so the runner keeps its host key across pods, suspension and spec changes.
  public static func hostKeysSecret(_ runner: Runner, key: SSHHostKey) -> Secret {
    let r = runner.withDefaults()
    return Secret(
      metadata: RunnerNames.meta(r, name: RunnerNames.hostKeysSecret(r.metadata.name ?? "")),
      data: [
        SSHHostKey.privateKeyName: Data(key.privateKeyPEM.utf8).base64EncodedString(),
        SSHHostKey.publicKeyName: Data(key.publicKeyLine.utf8).base64EncodedString(),
      ], type: "Opaque")
  }

  /// Ranges a `Public` runner may not reach: RFC 1918, link-local (cloud metadata at
  /// 169.254.169.254), carrier-grade NAT.
  public static let privateRanges = [
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10",
  ]

  /// The egress NetworkPolicy: `Deny` allows DNS only; `Public` allows DNS and the internet
  /// except private ranges and cloud metadata; `Allow` needs none (nil).
  public static func networkPolicy(_ runner: Runner) -> NetworkPolicy? {
    let r = runner.withDefaults()
    let egress = r.spec?.network?.egress ?? GraDefaults.egress
    if egress == .allow { return nil }
    let name = r.metadata.name ?? ""
    let dns = NetworkPolicyEgressRule(ports: [
      NetworkPolicyPort(protocol: "UDP", port: 53), NetworkPolicyPort(protocol: "TCP", port: 53),
    ])
    var rules = [dns]
    if egress == .public {
      rules.append(
        NetworkPolicyEgressRule(to: [
          NetworkPolicyPeer(ipBlock: IPBlock(cidr: "0.0.0.0/0", except: privateRanges + ["169.254.169.254/32"])),
          NetworkPolicyPeer(ipBlock: IPBlock(cidr: "::/0", except: ["fc00::/7", "fe80::/10", "fd00:ec2::254/128"])),
        ]))
    }
    let spec = NetworkPolicySpec(
      podSelector: LabelSelector(matchLabels: RunnerNames.selector(name)), policyTypes: ["Egress"], egress: rules)
    return NetworkPolicy(metadata: RunnerNames.meta(r, name: RunnerNames.networkPolicy(name)), spec: spec)
  }
}
