import CRDModels
import Foundation
import Testing

@testable import Operator

/// A Runner as the API server would hand it to the controller.
func sampleRunner(_ name: String = "demo", namespace: String = "team-a", spec: RunnerSpec = RunnerSpec()) -> Runner {
  Runner(
    metadata: ObjectMeta(name: name, namespace: namespace, uid: "uid-\(name)", resourceVersion: "1", generation: 1),
    spec: spec)
}

@Suite struct RunnerPodBuilderTests {
  @Test func minimalRunnerGetsARestrictedPodWithTheWorkspace() throws {
    let pod = RunnerPodBuilder.pod(sampleRunner())
    #expect(pod.metadata.name == "demo")
    #expect(pod.metadata.namespace == "team-a")
    #expect(pod.metadata.labels?["gra.dev/runner"] == "demo")
    #expect(pod.metadata.labels?["app.kubernetes.io/managed-by"] == "gra-operator")
    #expect(pod.metadata.labels?["app.kubernetes.io/name"] == "gra-runner")
    let ref = try #require(pod.metadata.ownerReferences?.first)
    #expect(ref.kind == "Runner" && ref.apiVersion == "gra.dev/v1alpha1" && ref.uid == "uid-demo")
    #expect(ref.controller == true && ref.blockOwnerDeletion == true)

    let spec = try #require(pod.spec)
    #expect(spec.securityContext?.runAsUser == 1000)
    #expect(spec.securityContext?.runAsGroup == 1000)
    #expect(spec.securityContext?.fsGroup == 1000)
    #expect(spec.securityContext?.runAsNonRoot == true)
    #expect(spec.securityContext?.seccompProfile?.type == "RuntimeDefault")
    #expect(spec.enableServiceLinks == false)
    #expect(spec.automountServiceAccountToken == false)
    let c = try #require(spec.containers.first)
    #expect(c.image == GraDefaults.runnerImage)
    #expect(c.command == nil, "the image's entrypoint (gra-runner) runs")
    #expect(c.securityContext?.allowPrivilegeEscalation == false)
    #expect(c.securityContext?.capabilities?.drop == ["ALL"])
    #expect(c.volumeMounts?.contains(VolumeMount(name: "workspace", mountPath: "/workspace")) == true)
    #expect(spec.volumes?.first?.persistentVolumeClaim?.claimName == "demo-workspace")
    #expect(c.readinessProbe?.exec?.command == ["healthcheck"])
    #expect(c.env?.contains(EnvVar(name: "GRA_SSH", value: "off")) == true)
    #expect(c.env?.contains(EnvVar(name: "GRA_WORKSPACE", value: "/workspace")) == true)
    #expect(c.ports == nil)
    #expect(spec.tolerations == nil)
  }

  @Test func sshRunnerProbesSshdAndMountsInlineKeys() throws {
    var spec = RunnerSpec()
    spec.ssh = SSHSpec(
      enabled: true, authorizedKeys: ["ssh-ed25519 AAAA alice@laptop"],
      authorizedKeysSecretRef: SecretKeyReference(name: "team-keys"))
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec))
    let c = try #require(pod.spec?.containers.first)
    #expect(c.ports == [ContainerPort(name: "ssh", containerPort: 2222, protocol: "TCP")])
    #expect(c.readinessProbe?.tcpSocket?.port == .string("ssh"))
    #expect(c.env?.contains(EnvVar(name: "GRA_SSH", value: "on")) == true)
    #expect(c.env?.contains(EnvVar(name: "GRA_SSH_PORT", value: "2222")) == true)
    let keysEnv = try #require(c.env?.first { $0.name == "GRA_AUTHORIZED_KEYS" })
    #expect(keysEnv.valueFrom?.secretKeyRef == SecretKeySelector(name: "team-keys", key: "authorized_keys"))
    #expect(c.volumeMounts?.contains(VolumeMount(name: "ssh-keys", mountPath: "/etc/gra/ssh", readOnly: true)) == true)
    #expect(pod.spec?.volumes?.contains { $0.secret?.secretName == "demo-ssh-keys" } == true)
  }

  @Test func gpuRequestAddsLimitAndToleration() throws {
    var spec = RunnerSpec()
    spec.resources = ResourceRequirements(requests: ["cpu": "2", "nvidia.com/gpu": "1"])
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec))
    let c = try #require(pod.spec?.containers.first)
    #expect(c.resources?.limits?["nvidia.com/gpu"] == "1")
    #expect(c.resources?.requests?["cpu"] == "2")
    #expect(pod.spec?.tolerations == [Toleration(key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule")])

    spec.tolerations = [Toleration(key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule")]
    #expect(RunnerPodBuilder.pod(sampleRunner(spec: spec)).spec?.tolerations?.count == 1, "no duplicate toleration")
  }

  @Test func s3CredentialsAreSecretReferencesNeverValues() throws {
    var spec = RunnerSpec()
    spec.s3 = S3Spec(
      endpoint: "https://minio:9000", bucket: "data", region: "eu",
      credentialsSecretRef: LocalObjectReference(name: "s3"))
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec))
    let env = try #require(pod.spec?.containers.first?.env)
    let id = try #require(env.first { $0.name == "AWS_ACCESS_KEY_ID" })
    #expect(id.value == nil)
    #expect(id.valueFrom?.secretKeyRef == SecretKeySelector(name: "s3", key: "AWS_ACCESS_KEY_ID"))
    #expect(env.first { $0.name == "AWS_SECRET_ACCESS_KEY" }?.valueFrom?.secretKeyRef?.name == "s3")
    #expect(env.contains(EnvVar(name: "S3_BUCKET", value: "data")))
    #expect(env.contains(EnvVar(name: "AWS_ENDPOINT_URL_S3", value: "https://minio:9000")))
  }

  @Test func passThroughFieldsAndUserEnvComeLast() throws {
    var spec = RunnerSpec()
    spec.runtimeClassName = "gvisor"
    spec.nodeSelector = ["pool": "py"]
    spec.serviceAccountName = "runner-sa"
    spec.automountServiceAccountToken = true
    spec.affinity = ["nodeAffinity": [:]]
    spec.env = [EnvVar(name: "GRA_SSH_PORT", value: "2022")]
    spec.workspace = WorkspaceSpec(existingClaim: "shared", mountPath: "/data")
    let pod = RunnerPodBuilder.pod(sampleRunner(spec: spec))
    let s = try #require(pod.spec)
    #expect(s.runtimeClassName == "gvisor")
    #expect(s.nodeSelector == ["pool": "py"])
    #expect(s.serviceAccountName == "runner-sa")
    #expect(s.automountServiceAccountToken == true)
    #expect(s.affinity == ["nodeAffinity": [:]])
    #expect(s.containers[0].env?.last == EnvVar(name: "GRA_SSH_PORT", value: "2022"))
    #expect(s.volumes?.first?.persistentVolumeClaim?.claimName == "shared")
    #expect(s.containers[0].volumeMounts?.first?.mountPath == "/data")
  }

  @Test func specHashIsStableAndFollowsThePodSpec() {
    let a = RunnerPodBuilder.pod(sampleRunner()).metadata.annotations?["gra.dev/spec-hash"]
    #expect(a != nil && a?.count == 16)
    #expect(a == RunnerPodBuilder.pod(sampleRunner()).metadata.annotations?["gra.dev/spec-hash"])
    var spec = RunnerSpec()
    spec.image = "ghcr.io/gra-dev/gra-runner:v2"
    #expect(a != RunnerPodBuilder.pod(sampleRunner(spec: spec)).metadata.annotations?["gra.dev/spec-hash"])
    var suspended = RunnerSpec()
    suspended.suspend = true
    suspended.idleTimeout = "1h"
    #expect(
      a == RunnerPodBuilder.pod(sampleRunner(spec: suspended)).metadata.annotations?["gra.dev/spec-hash"],
      "fields that do not reach the pod do not replace it")
  }
}

@Suite struct RunnerObjectsBuilderTests {
  @Test func claimFromWorkspaceSpec() throws {
    var spec = RunnerSpec()
    spec.workspace = WorkspaceSpec(size: "50Gi", storageClassName: "fast")
    let claim = try #require(RunnerObjectsBuilder.claim(sampleRunner(spec: spec)))
    #expect(claim.metadata.name == "demo-workspace")
    #expect(claim.spec?.resources?.requests?["storage"] == "50Gi")
    #expect(claim.spec?.storageClassName == "fast")
    #expect(claim.spec?.accessModes == ["ReadWriteOnce"])
    #expect(claim.metadata.ownerReferences?.first?.controller == true)
    #expect(RunnerObjectsBuilder.claim(sampleRunner())?.spec?.resources?.requests?["storage"] == "10Gi")
    spec.workspace = WorkspaceSpec(existingClaim: "shared")
    #expect(RunnerObjectsBuilder.claim(sampleRunner(spec: spec)) == nil)
  }

  @Test func sshServiceAndKeysSecretOnlyWithSsh() throws {
    #expect(RunnerObjectsBuilder.service(sampleRunner()) == nil)
    #expect(RunnerObjectsBuilder.keysSecret(sampleRunner()) == nil)
    var spec = RunnerSpec()
    spec.ssh = SSHSpec(
      enabled: true, authorizedKeys: ["ssh-ed25519 AAAA a", "ssh-ed25519 BBBB b"], serviceType: .nodePort)
    let svc = try #require(RunnerObjectsBuilder.service(sampleRunner(spec: spec)))
    #expect(svc.metadata.name == "demo-ssh")
    #expect(svc.spec?.type == "NodePort")
    #expect(svc.spec?.selector == ["app.kubernetes.io/name": "gra-runner", "gra.dev/runner": "demo"])
    #expect(svc.spec?.ports?.first?.port == 2222)
    #expect(svc.spec?.ports?.first?.targetPort == .string("ssh"))
    let secret = try #require(RunnerObjectsBuilder.keysSecret(sampleRunner(spec: spec)))
    #expect(secret.metadata.name == "demo-ssh-keys")
    let file = String(decoding: try #require(secret.decodedData["authorized_keys"]), as: UTF8.self)
    #expect(file == "ssh-ed25519 AAAA a\nssh-ed25519 BBBB b\n")
  }

  @Test func egressPolicies() throws {
    var spec = RunnerSpec()
    spec.network = NetworkSpec(egress: .allow)
    #expect(RunnerObjectsBuilder.networkPolicy(sampleRunner(spec: spec)) == nil)

    spec.network = NetworkSpec(egress: .deny)
    let deny = try #require(RunnerObjectsBuilder.networkPolicy(sampleRunner(spec: spec)))
    #expect(deny.spec?.policyTypes == ["Egress"])
    #expect(deny.spec?.egress?.count == 1)
    #expect(deny.spec?.egress?.first?.to == nil)
    #expect(deny.spec?.egress?.first?.ports?.map(\.port) == [53, 53])
    #expect(deny.spec?.podSelector.matchLabels?["gra.dev/runner"] == "demo")

    let pub = try #require(RunnerObjectsBuilder.networkPolicy(sampleRunner()))  // Public is the default
    #expect(pub.metadata.name == "demo-egress")
    let block = try #require(pub.spec?.egress?.last?.to?.first?.ipBlock)
    #expect(block.cidr == "0.0.0.0/0")
    for r in ["169.254.169.254/32", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] {
      #expect(block.except?.contains(r) == true, "\(r)")
    }
  }
}
