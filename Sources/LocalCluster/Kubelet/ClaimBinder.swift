import CRDModels
import Foundation

/// Provisions PersistentVolumeClaims the way minikube's hostpath provisioner does: every
/// claim is bound at once to a directory `<dataDir>/volumes/<namespace>/<claim>/` and, when
/// the API server serves them, a PersistentVolume `pvc-<claim uid>` (hostPath). Deleting the
/// claim deletes the directory and the volume (reclaim policy Delete).
enum ClaimBinder {
  static func run(_ ctx: KubeletContext) async {
    while !Task.isCancelled {
      do {
        let (items, rv) = try await ctx.store.list(
          KubeletResources.claims, namespace: nil, labelSelector: nil, fieldSelector: nil)
        for c in items { await bind(c, ctx) }
        for await ev in try await ctx.store.watch(KubeletResources.claims, namespace: nil, resourceVersion: rv) {
          switch ev.type {
          case .added, .modified: await bind(ev.object, ctx)
          case .deleted: await release(ev.object, ctx)
          default: break
          }
        }
      } catch {
        ctx.logger.debug("claim watch: \(error)")
      }
      try? await Task.sleep(for: .seconds(1))
    }
  }

  static func bind(_ claim: JSONValue, _ ctx: KubeletContext) async {
    guard claim["status"]["phase"].stringValue != "Bound", claim["metadata"]["deletionTimestamp"].isNull,
      let name = claim["metadata"]["name"].stringValue, let uid = claim["metadata"]["uid"].stringValue
    else { return }
    let ns = claim["metadata"]["namespace"].stringValue ?? "default"
    let dir = PodLayout.claimDir(dataDirectory: ctx.configuration.dataDirectory, namespace: ns, claim: name)
    do {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
    } catch {
      ctx.logger.warning("cannot create the directory for claim \(ns)/\(name): \(error)")
      return
    }
    let storage = claim["spec"]["resources"]["requests"]["storage"].stringValue ?? "1Gi"
    let modes = claim["spec"]["accessModes"].arrayValue ?? ["ReadWriteOnce"]
    let pvName = "pvc-\(uid)"
    var pv: JSONValue = ["apiVersion": "v1", "kind": "PersistentVolume"]
    pv["metadata"] = [
      "name": .string(pvName), "annotations": ["pv.kubernetes.io/provisioned-by": "gra.dev/local-kubelet"],
    ]
    pv["spec"] = [
      "capacity": ["storage": .string(storage)], "accessModes": .array(modes),
      "persistentVolumeReclaimPolicy": "Delete", "hostPath": ["path": .string(dir.path), "type": ""],
      "storageClassName": .string(claim["spec"]["storageClassName"].stringValue ?? "standard"),
      "claimRef": [
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": .string(ns), "name": .string(name),
        "uid": .string(uid),
      ],
    ]
    let hasVolume: Bool
    if let created = try? await ctx.store.create(KubeletResources.volumes, namespace: nil, object: pv) {
      var withStatus = created
      withStatus["status"] = ["phase": "Bound"]
      _ = try? await ctx.store.updateStatus(KubeletResources.volumes, namespace: nil, object: withStatus)
      hasVolume = true
    } else {
      hasVolume = (try? await ctx.store.get(KubeletResources.volumes, namespace: nil, name: pvName)) != nil
    }
    guard var current = try? await ctx.store.get(KubeletResources.claims, namespace: ns, name: name) else { return }
    if hasVolume, current["spec"]["volumeName"].stringValue == nil {
      current["spec"]["volumeName"] = .string(pvName)
      var annotations = current["metadata"]["annotations"].objectValue ?? [:]
      annotations["pv.kubernetes.io/bind-completed"] = "yes"
      annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
      current["metadata"]["annotations"] = .object(annotations)
      if let updated = try? await ctx.store.update(KubeletResources.claims, namespace: ns, object: current) {
        current = updated
      }
    }
    current["status"] = ["phase": "Bound", "accessModes": .array(modes), "capacity": ["storage": .string(storage)]]
    _ = try? await ctx.store.updateStatus(KubeletResources.claims, namespace: ns, object: current)
  }

  static func release(_ claim: JSONValue, _ ctx: KubeletContext) async {
    guard let name = claim["metadata"]["name"].stringValue, let uid = claim["metadata"]["uid"].stringValue else {
      return
    }
    let ns = claim["metadata"]["namespace"].stringValue ?? "default"
    try? FileManager.default.removeItem(
      at: PodLayout.claimDir(dataDirectory: ctx.configuration.dataDirectory, namespace: ns, claim: name))
    try? await ctx.store.delete(KubeletResources.volumes, namespace: nil, name: "pvc-\(uid)", gracePeriodSeconds: 0)
  }
}
