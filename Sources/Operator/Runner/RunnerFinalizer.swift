import APIMachinery
import CRDModels
import KubeClient

// `reclaimPolicy: Retain`: the `gra.dev/workspace-protection` finalizer keeps a deleted Runner
// until its claim has lost the Runner's ownerReference, so the garbage collector leaves the
// claim alone. Finalizers are added and removed with JSON patches that `test` the list first
// (kube-rs' finalizer helper does the same), so a concurrent change fails with 422 and the
// pass is retried instead of overwriting someone else's finalizer.
extension RunnerReconciler {
  func wantsFinalizer(_ r: Runner) -> Bool {
    r.spec?.workspace?.reclaimPolicy == .retain && r.spec?.workspace?.existingClaim == nil
  }

  /// Adds the finalizer for Retain, removes it when the policy went back to Delete.
  func ensureFinalizer(_ r: Runner) async throws {
    let has = r.metadata.finalizers?.contains(RunnerNames.workspaceFinalizer) ?? false
    if wantsFinalizer(r) == has { return }
    if has {
      try await removeFinalizer(r)
      return
    }
    let api = client.api(Runner.self, namespace: r.metadata.namespace)
    let ops: [JSONPatch.Operation]
    if let current = r.metadata.finalizers {
      ops = [
        .test("/metadata/finalizers", .array(current.map { .string($0) })),
        .add("/metadata/finalizers/-", .string(RunnerNames.workspaceFinalizer)),
      ]
    } else {
      ops = [
        .test("/metadata/finalizers", .null),
        .add("/metadata/finalizers", [.string(RunnerNames.workspaceFinalizer)]),
      ]
    }
    _ = try await api.patch(r.metadata.name ?? "", .json(JSONPatch(ops)))
  }

  /// On deletion: detach the claim (Retain), then remove the finalizer.
  func finalize(_ r: Runner, _ seen: RunnerObservation) async throws {
    guard r.metadata.finalizers?.contains(RunnerNames.workspaceFinalizer) == true else { return }
    if let claim = seen.claim, let refs = claim.metadata.ownerReferences,
      refs.contains(where: { $0.uid == r.metadata.uid })
    {
      let api = client.api(PersistentVolumeClaim.self, namespace: r.metadata.namespace)
      let kept = refs.filter { $0.uid != r.metadata.uid }
      let ops: [JSONPatch.Operation] = [
        .test("/metadata/ownerReferences", try JSONValue(encoding: refs)),
        kept.isEmpty
          ? .remove("/metadata/ownerReferences") : .replace("/metadata/ownerReferences", try JSONValue(encoding: kept)),
      ]
      _ = try await api.patch(claim.metadata.name ?? "", .json(JSONPatch(ops)))
      await events.record(
        subject(r), .normal, reason: "WorkspaceRetained",
        "kept PersistentVolumeClaim \(claim.metadata.name ?? "") (reclaimPolicy: Retain); a new Runner named \(r.metadata.name ?? "") adopts it"
      )
    }
    try await removeFinalizer(r)
  }

  func removeFinalizer(_ r: Runner) async throws {
    guard let i = r.metadata.finalizers?.firstIndex(of: RunnerNames.workspaceFinalizer) else { return }
    let api = client.api(Runner.self, namespace: r.metadata.namespace)
    let ops: [JSONPatch.Operation] = [
      .test("/metadata/finalizers/\(i)", .string(RunnerNames.workspaceFinalizer)),
      .remove("/metadata/finalizers/\(i)"),
    ]
    do {
      _ = try await api.patch(r.metadata.name ?? "", .json(JSONPatch(ops)))
    } catch let e as KubeError where e.isNotFound {}
  }
}
