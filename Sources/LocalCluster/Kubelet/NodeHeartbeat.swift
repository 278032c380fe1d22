import CRDModels
import Foundation

/// Registers the Node and keeps it fresh: status (conditions with heartbeat times) every
/// ``KubeletConfiguration/nodeStatusReportInterval``, and the node Lease in `kube-node-lease`
/// every ``KubeletConfiguration/leaseRenewInterval`` (as kubelet ≥ 1.17 does).
enum NodeHeartbeat {
  static func register(_ ctx: KubeletContext) async throws {
    let node = NodeObject.object(ctx.configuration, now: Date())
    do {
      let created = try await ctx.store.create(KubeletResources.nodes, namespace: nil, object: node)
      // Status may be dropped on create when nodes have a status subresource.
      var withStatus = created
      withStatus["status"] = node["status"]
      _ = try? await ctx.store.updateStatus(KubeletResources.nodes, namespace: nil, object: withStatus)
    } catch let s as Status where s.code == 409 {
      try await writeStatus(ctx, since: Date())
    }
  }

  static func writeStatus(_ ctx: KubeletContext, since: Date?) async throws {
    var current = try await ctx.store.get(KubeletResources.nodes, namespace: nil, name: ctx.configuration.nodeName)
    let previousSince = current["status"]["conditions"].arrayValue?
      .first { $0["type"].stringValue == "Ready" && $0["status"].stringValue == "True" }?["lastTransitionTime"]
      .stringValue.flatMap(RFC3339.parse)
    current["status"] = NodeObject.status(ctx.configuration, now: Date(), since: since ?? previousSince ?? Date())
    _ = try await ctx.store.updateStatus(KubeletResources.nodes, namespace: nil, object: current)
  }

  static func run(_ ctx: KubeletContext) async {
    while !Task.isCancelled {
      try? await Task.sleep(for: ctx.configuration.nodeStatusReportInterval)
      if Task.isCancelled { return }
      do {
        try await writeStatus(ctx, since: nil)
      } catch let s as Status where s.code == 404 {
        try? await register(ctx)
      } catch {
        ctx.logger.warning("node status update failed: \(error)")
      }
    }
  }

  static func renewLease(_ ctx: KubeletContext) async {
    let ns = "kube-node-lease"
    let name = ctx.configuration.nodeName
    var namespaceReady = false
    while !Task.isCancelled {
      if !namespaceReady {
        if (try? await ctx.store.get(KubeletResources.namespaces, namespace: nil, name: ns)) == nil {
          _ = try? await ctx.store.create(
            KubeletResources.namespaces, namespace: nil,
            object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        namespaceReady = true
      }
      let now = MicroTime.now().description
      if var lease = try? await ctx.store.get(KubeletResources.leases, namespace: ns, name: name) {
        lease["spec"]["renewTime"] = .string(now)
        lease["spec"]["holderIdentity"] = .string(name)
        _ = try? await ctx.store.update(KubeletResources.leases, namespace: ns, object: lease)
      } else {
        var lease: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease"]
        lease["metadata"] = ["name": .string(name), "namespace": .string(ns)]
        lease["spec"] = [
          "holderIdentity": .string(name), "leaseDurationSeconds": 40, "renewTime": .string(now),
        ]
        _ = try? await ctx.store.create(KubeletResources.leases, namespace: ns, object: lease)
      }
      try? await Task.sleep(for: ctx.configuration.leaseRenewInterval)
    }
  }
}
