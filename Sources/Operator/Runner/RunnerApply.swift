import CRDModels
import KubeClient
import Synchronization

/// Whether the API server serves NetworkPolicies (learnt from the first create).
final class NetworkPolicySupport: Sendable {
  private let unsupported = Mutex(false)
  var isUnsupported: Bool { unsupported.withLock { $0 } }
  /// True the first time only, so the warning is logged once.
  func markUnsupported() -> Bool {
    unsupported.withLock { was in
      defer { was = true }
      return !was
    }
  }
}

// Creating and updating the objects a Runner owns. Each step writes only when the object is
// missing or differs from the builder's output in a field gra sets.
extension RunnerReconciler {
  func owned(_ meta: ObjectMeta, by r: Runner) -> Bool { meta.controllerRef?.uid == r.metadata.uid }

  func subject(_ r: Runner) -> EventSubject { EventSubject(r) }

  /// The workspace claim: created when missing; a claim of the same name that nobody controls
  /// (kept by an earlier Runner with `reclaimPolicy: Retain`) is adopted.
  func ensureClaim(
    _ r: Runner, _ current: PersistentVolumeClaim?, _ seen: inout RunnerObservation
  ) async throws
    -> PersistentVolumeClaim?
  {
    let ns = r.metadata.namespace
    let api = client.api(PersistentVolumeClaim.self, namespace: ns)
    guard let desired = RunnerObjectsBuilder.claim(r) else {
      if current == nil {
        seen.blocked = (
          "ClaimNotFound",
          "PersistentVolumeClaim \(RunnerNames.claim(r)) (workspace.existingClaim) does not exist in namespace \(ns ?? ""): create it or change workspace.existingClaim"
        )
      }
      return current
    }
    if let current {
      if owned(current.metadata, by: r) { return try await resizeClaim(r, current, desired, &seen) }
      if current.metadata.controllerRef == nil {
        let patch: JSONValue = [
          "metadata": [
            "labels": .object(RunnerNames.labels(r.metadata.name ?? "").mapValues { .string($0) }),
            "ownerReferences": [try JSONValue(encoding: RunnerNames.ownerReference(r))],
          ]
        ]
        let adopted = try await api.patch(current.metadata.name ?? "", .merge(patch))
        await events.record(
          subject(r), .normal, reason: "ClaimAdopted",
          "adopted the existing workspace claim \(current.metadata.name ?? "")")
        return adopted
      }
      seen.blocked = (
        "ClaimConflict",
        "PersistentVolumeClaim \(current.metadata.name ?? "") belongs to \(current.metadata.controllerRef?.kind ?? "")/\(current.metadata.controllerRef?.name ?? ""): rename the Runner or use workspace.existingClaim"
      )
      return nil
    }
    do {
      let created = try await api.create(desired)
      memo.createdClaim(ObjectKey(namespace: ns, name: desired.metadata.name ?? ""), created)
      return created
    } catch let e as KubeError where e.isAlreadyExists {
      return try await api.getIfExists(desired.metadata.name ?? "")
    }
  }

  /// Grows the claim to `workspace.size` (patching `spec.resources.requests.storage`, as
  /// `kubectl edit pvc` would); a smaller size is refused, since Kubernetes cannot shrink a
  /// claim: the WorkspaceReady condition and a Warning Event name the field.
  func resizeClaim(
    _ r: Runner, _ current: PersistentVolumeClaim, _ desired: PersistentVolumeClaim, _ seen: inout RunnerObservation
  ) async throws -> PersistentVolumeClaim {
    guard let want = desired.spec?.resources?.requests?["storage"],
      let have = current.spec?.resources?.requests?["storage"],
      want != have
    else { return current }
    let name = current.metadata.name ?? ""
    if want < have {
      seen.workspaceProblem = (
        "ResizeRefused",
        "spec.workspace.size \(want) is smaller than PersistentVolumeClaim \(name)'s \(have): a claim cannot shrink; set spec.workspace.size to \(have) or more"
      )
      return current
    }
    let id = "\(r.metadata.uid ?? "")/size"
    if memo.isEnsured(id, hash: want.description) { return current }
    do {
      let patch: JSONValue = ["spec": ["resources": ["requests": ["storage": .string(want.description)]]]]
      let grown = try await client.api(PersistentVolumeClaim.self, namespace: r.metadata.namespace).patch(
        name, .merge(patch))
      memo.ensured(id, hash: want.description)
      await events.record(
        subject(r), .normal, reason: "WorkspaceResizing",
        "growing PersistentVolumeClaim \(name) from \(have) to \(want)")
      return grown
    } catch let e as KubeError where e.kind == .api && (e.code == 403 || e.code == 422) {
      // e.g. the storage class does not allow volume expansion.
      seen.workspaceProblem = (
        "ResizeFailed", "cannot grow PersistentVolumeClaim \(name) to \(want) (spec.workspace.size): \(e.message)"
      )
      return current
    }
  }

  /// The Secret with sshd's host key: made once, with a fresh key, when ssh is enabled, and
  /// never rewritten (a new key would break every client's `known_hosts`).
  func ensureHostKeysSecret(_ r: Runner) async throws {
    guard r.spec?.ssh?.enabled == true else { return }
    let id = "\(r.metadata.uid ?? "")/hostkeys"
    if memo.isEnsured(id, hash: "present") { return }
    let api = client.api(Secret.self, namespace: r.metadata.namespace)
    let name = RunnerNames.hostKeysSecret(r.metadata.name ?? "")
    if let existing = try await api.getIfExists(name) {
      guard owned(existing.metadata, by: r) || existing.metadata.controllerRef == nil else {
        throw TerminalError("Secret \(name) exists and is not owned by Runner \(r.metadata.name ?? "")")
      }
    } else {
      let key = SSHHostKey.generateEd25519(comment: "\(r.metadata.name ?? "")@\(r.metadata.namespace ?? "default").gra")
      do {
        _ = try await api.create(RunnerObjectsBuilder.hostKeysSecret(r, key: key))
      } catch let e as KubeError where e.isAlreadyExists {}
    }
    memo.ensured(id, hash: "present")
  }

  /// The Secret with inline authorized keys, kept equal to `ssh.authorizedKeys`.
  func ensureKeysSecret(_ r: Runner) async throws {
    guard let desired = RunnerObjectsBuilder.keysSecret(r) else { return }
    let id = "\(r.metadata.uid ?? "")/keys"
    let hash = SpecHash.of(desired.data)
    if memo.isEnsured(id, hash: hash) { return }
    let api = client.api(Secret.self, namespace: r.metadata.namespace)
    let name = desired.metadata.name ?? ""
    if var existing = try await api.getIfExists(name) {
      guard owned(existing.metadata, by: r) else {
        throw TerminalError("Secret \(name) exists and is not owned by Runner \(r.metadata.name ?? "")")
      }
      if existing.data != desired.data {
        existing.data = desired.data
        _ = try await api.replace(existing)
      }
    } else {
      _ = try await api.create(desired)
    }
    memo.ensured(id, hash: hash)
  }

  /// The ssh Service: created when ssh is on, its type and ports kept, deleted when ssh is off.
  func ensureService(_ r: Runner, _ current: Service?) async throws -> Service? {
    let ns = r.metadata.namespace
    let api = client.api(Service.self, namespace: ns)
    guard let desired = RunnerObjectsBuilder.service(r) else {
      if let current, current.metadata.deletionTimestamp == nil {
        _ = try? await api.delete(current.metadata.name ?? "", DeleteParams(preconditionUID: current.metadata.uid))
      }
      return nil
    }
    if let current {
      let want = desired.spec
      let have = current.spec
      let samePorts =
        have?.ports?.map { [$0.name ?? "", String($0.port), $0.targetPort?.description ?? ""] }
        == want?.ports?.map { [$0.name ?? "", String($0.port), $0.targetPort?.description ?? ""] }
      if have?.type == want?.type, have?.selector == want?.selector, samePorts { return current }
      let patch: JSONValue = [
        "spec": [
          "type": .string(want?.type ?? "ClusterIP"),
          "selector": .object((want?.selector ?? [:]).mapValues { .string($0) }),
          "ports": try JSONValue(encoding: want?.ports ?? []),
        ]
      ]
      return try await api.patch(current.metadata.name ?? "", .merge(patch))
    }
    do {
      let created = try await api.create(desired)
      memo.createdService(ObjectKey(namespace: ns, name: desired.metadata.name ?? ""), created)
      return created
    } catch let e as KubeError where e.isAlreadyExists {
      return nil
    }
  }

  /// The memo entry of a Runner's egress NetworkPolicy.
  static func egressMemoID(_ r: Runner) -> String { "\(r.metadata.uid ?? "")/egress" }

  /// The egress NetworkPolicy (none for `Allow`). Skipped, with one warning, when the API
  /// server does not serve NetworkPolicies. Made once per generation; one deleted or changed
  /// by someone else is made again (``RunnerController/policyDrifted(_:runner:)``).
  func ensureNetworkPolicy(_ r: Runner) async throws {
    guard options.networkPolicies, !networkPoliciesServed.isUnsupported else { return }
    // The policy is a function of the spec alone: once made to match a generation, it is not
    // built again for that generation.
    let id = Self.egressMemoID(r)
    let hash = "generation \(r.metadata.generation ?? 0)"
    if memo.isEnsured(id, hash: hash) { return }
    let desired = RunnerObjectsBuilder.networkPolicy(r)
    let api = client.api(NetworkPolicy.self, namespace: r.metadata.namespace)
    let name = RunnerNames.networkPolicy(r.metadata.name ?? "")
    do {
      // A new Runner has none yet: create without reading first (one request, not two).
      if let d = desired, r.status?.observedGeneration == nil {
        do {
          _ = try await api.create(d)
          memo.ensured(id, hash: hash)
          return
        } catch let e as KubeError where e.isAlreadyExists {}
      }
      let existing = try await api.getIfExists(name)
      switch (existing, desired) {
      case (nil, nil): break
      case (let e?, nil):
        if owned(e.metadata, by: r) { _ = try await api.delete(name) }
      case (nil, let d?):
        _ = try await api.create(d)
      case (var e?, let d?):
        if owned(e.metadata, by: r), e.spec != d.spec {
          e.spec = d.spec
          _ = try await api.replace(e)
        }
      }
      memo.ensured(id, hash: hash)
    } catch let e as KubeError where e.isNotFound {
      if networkPoliciesServed.markUnsupported() {
        logger.warning(
          "the API server does not serve networking.k8s.io/v1 NetworkPolicies; runner egress policies are not enforced",
          metadata: ["error": "\(e)"])
      }
    }
  }

  /// The pod: deleted when suspended, failed or built from an older spec; created when missing
  /// (after a backoff when pods keep failing). Returns when to look again.
  func ensurePod(_ r: Runner, _ key: ObjectKey, _ seen: inout RunnerObservation) async throws -> ReconcileResult {
    let spec = r.spec ?? RunnerSpec()
    let api = client.api(Pod.self, namespace: r.metadata.namespace)
    let desired = desiredPods.pod(r, key) { RunnerPodBuilder.pod($0, defaultImage: options.defaultImage) }

    if let pod = seen.pod {
      if pod.metadata.deletionTimestamp != nil { return .done }  // its deletion event brings us back
      guard owned(pod.metadata, by: r) else {
        seen.blocked = (
          "PodConflict",
          "a pod named \(pod.metadata.name ?? "") exists and is not this Runner's: delete it or rename the Runner"
        )
        return .requeueAfter(options.blockedRecheck)
      }
      let phase = pod.status?.phase ?? ""
      var why: (EventType, String, String)?
      if spec.suspend == true {
        why = (
          .normal, "Suspending",
          "deleting pod \(pod.metadata.name ?? ""): the runner is suspended; the workspace is kept"
        )
      } else if phase == "Failed" || phase == "Succeeded" {
        memo.recordLoss(key)
        let detail = [pod.status?.reason, pod.status?.message].compactMap { $0 }.joined(separator: ": ")
        why = (
          .warning, "PodFailed",
          "pod \(pod.metadata.name ?? "") stopped (\(detail.isEmpty ? phase : detail)); recreating it"
        )
      } else if pod.metadata.annotations?[RunnerNames.specHashAnnotation]
        != desired.metadata.annotations?[RunnerNames.specHashAnnotation]
      {
        // The image may change without the Runner's spec: a new default (--runner-image).
        let from = pod.spec?.containers.first?.image ?? ""
        let to = desired.spec?.containers.first?.image ?? ""
        let change = from == to ? "the Runner's spec changed" : "its image changes from \(from) to \(to)"
        why = (.normal, "SpecChanged", "replacing pod \(pod.metadata.name ?? ""): \(change)")
      }
      if let why {
        do {
          _ = try await api.delete(pod.metadata.name ?? "", DeleteParams(preconditionUID: pod.metadata.uid))
        } catch let e as KubeError where e.isNotFound || e.isConflict {}
        memo.deletedPod(uid: pod.metadata.uid ?? "", runner: key)
        seen.pod?.metadata.deletionTimestamp = .now()
        // A runner suspended by its idle timeout or lifetime had its Event already.
        if !(spec.suspend == true && r.metadata.annotations?[RunnerNames.suspendedByAnnotation] != nil) {
          await events.record(subject(r), why.0, reason: why.1, why.2)
        }
        return .done
      }
      if pod.status?.conditions?.first(where: { $0.type == "Ready" })?.status == "True" { memo.resetRestarts(key) }
      return .done
    }

    if spec.suspend == true || seen.blocked != nil {
      return seen.blocked == nil ? .done : .requeueAfter(options.blockedRecheck)
    }
    // The pod is gone. Unless this controller deleted it, say so and count it.
    let expected = memo.podLossWasExpected(key)
    if !expected, r.status?.podName != nil {
      memo.recordLoss(key)
      await events.record(
        subject(r), .warning, reason: "PodDeleted",
        "pod \(r.status?.podName ?? "") was deleted or evicted; recreating it")
    }
    if let wait = restartDelay(key) {
      seen.restartBackoff = wait
      return .requeueAfter(wait)
    }
    if let missing = try await missingSecret(r) {
      seen.blocked = ("SecretNotFound", missing)
      await events.record(subject(r), .warning, reason: "SecretNotFound", missing)
      return .requeueAfter(options.blockedRecheck)
    }
    do {
      let created = try await api.create(desired)
      memo.createdPod(ObjectKey(namespace: r.metadata.namespace, name: desired.metadata.name ?? ""), created)
      seen.pod = created
    } catch let e as KubeError where e.isAlreadyExists {
      // An old pod of the same name is still going away; its deletion event brings us back.
    } catch let e as KubeError where e.kind == .api && e.isInvalid {
      // The spec passed gra's checks but not the API server's (e.g. an env name with
      // non-ASCII characters, an extended resource request without a limit). Retrying cannot
      // help: the Ready condition and a Warning Event say why, and a spec change retries.
      seen.blocked = (
        "PodInvalid",
        "the API server refused the runner's pod: \(e.message); change the Runner's spec to fix it"
      )
    }
    return .done
  }

  /// How long to hold back a recreation: nothing for the first loss, then 10 s doubling up
  /// to ``Options/maxRestartBackoff`` since the last loss.
  func restartDelay(_ key: ObjectKey) -> Duration? {
    guard let r = memo.restarts(key), r.count > 1 else { return nil }
    let exp = min(r.count - 2, 10)
    let backoff = min(Duration.seconds(10) * (1 << exp), options.maxRestartBackoff)
    let remaining = backoff - (ContinuousClock.now - r.lastLoss)
    return remaining > .zero ? remaining : nil
  }

  /// A Secret the pod needs that does not exist, described for the user; nil when all exist.
  func missingSecret(_ r: Runner) async throws -> String? {
    let spec = r.spec ?? RunnerSpec()
    var refs: [(String, String)] = []
    if let n = spec.s3?.credentialsSecretRef?.name { refs.append((n, "spec.s3.credentialsSecretRef")) }
    if spec.ssh?.enabled == true, let n = spec.ssh?.authorizedKeysSecretRef?.name {
      refs.append((n, "spec.ssh.authorizedKeysSecretRef"))
    }
    for (i, e) in (spec.envFrom ?? []).enumerated() {
      if let n = e.secretRef?.name, e.secretRef?.optional != true { refs.append((n, "spec.envFrom[\(i)].secretRef")) }
    }
    for e in spec.env ?? [] {
      if let sel = e.valueFrom?.secretKeyRef, let n = sel.name, sel.optional != true {
        refs.append((n, "spec.env[\(e.name)].valueFrom.secretKeyRef"))
      }
    }
    let api = client.api(Secret.self, namespace: r.metadata.namespace)
    var checked: Set<String> = []
    for (name, field) in refs where checked.insert(name).inserted {
      if try await api.getIfExists(name) == nil {
        return
          "Secret \(name) (\(field)) not found in namespace \(r.metadata.namespace ?? ""): create it; the pod is created once it exists"
      }
    }
    return nil
  }

  /// Warning Events for problems that newly appear in the Ready condition.
  func announce(_ r: Runner, old: RunnerStatus?, new: RunnerStatus) async {
    if let ws = new.conditions?[type: GraConditions.workspaceReady],
      ["ResizeRefused", "ResizeFailed"].contains(ws.reason),
      old?.conditions?[type: GraConditions.workspaceReady]?.message != ws.message
    {
      await events.record(subject(r), .warning, reason: ws.reason, ws.message)
    }
    guard let ready = new.conditions?[type: GraConditions.ready], ready.status == .false else { return }
    let before = old?.conditions?[type: GraConditions.ready]
    if before?.reason == ready.reason, before?.message == ready.message { return }
    let quiet: Set<String> = [
      "PodNotCreated", "PodNotReady", "Suspended", "Terminating", "SecretNotFound", "RestartBackoff",
      "WorkspacePending",
    ]
    if quiet.contains(ready.reason) || ready.reason == "PodFailed" || ready.reason == "Evicted" { return }
    await events.record(subject(r), .warning, reason: ready.reason, ready.message)
  }
}
