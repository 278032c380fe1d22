import CRDModels
import Foundation

/// A one-node kube-scheduler: binds pending pods (no `spec.nodeName`, scheduler
/// `default-scheduler`) to the local node when they fit, else leaves them Pending with
/// `PodScheduled=False`, reason `Unschedulable`, and a `FailedScheduling` event, retrying when
/// pods go away and every ``KubeletConfiguration/unschedulableRetryInterval``.
actor LocalScheduler {
  let ctx: KubeletContext
  private var pods: [String: JSONValue] = [:]
  private var unschedulable: Set<String> = []
  private var lastEvent: [String: (message: String, at: Date)] = [:]

  init(context: KubeletContext) { self.ctx = context }

  var nodeName: String { ctx.configuration.nodeName }

  func observe(_ pod: JSONValue) {
    guard let uid = pod["metadata"]["uid"].stringValue else { return }
    let old = pods[uid]
    pods[uid] = pod
    let phase = pod["status"]["phase"].stringValue
    if phase == "Succeeded" || phase == "Failed", old?["status"]["phase"] != pod["status"]["phase"],
      !unschedulable.isEmpty
    {
      Task { await self.retry() }
    }
  }

  func forget(uid: String) {
    pods[uid] = nil
    lastEvent[uid] = nil
    let wasBound = unschedulable.remove(uid) == nil
    if wasBound, !unschedulable.isEmpty { Task { await self.retry() } }
  }

  func retryLoop() async {
    while !Task.isCancelled {
      try? await Task.sleep(for: ctx.configuration.unschedulableRetryInterval)
      await retry()
    }
  }

  func retry() async {
    for uid in unschedulable {
      if let p = pods[uid] { await schedule(p) }
    }
  }

  func schedule(_ pod: JSONValue) async {
    guard let uid = pod["metadata"]["uid"].stringValue,
      (pod["spec"]["nodeName"].stringValue ?? "").isEmpty,
      pod["metadata"]["deletionTimestamp"].isNull,
      (pod["spec"]["schedulerName"].stringValue ?? "default-scheduler") == "default-scheduler"
    else { return }
    let phase = pod["status"]["phase"].stringValue
    if phase == "Succeeded" || phase == "Failed" { return }
    let ns = pod["metadata"]["namespace"].stringValue ?? "default"
    let name = pod["metadata"]["name"].stringValue ?? ""

    var message: String?
    for v in pod["spec"]["volumes"].arrayValue ?? [] {
      guard let claim = v["persistentVolumeClaim"]["claimName"].stringValue else { continue }
      if (try? await ctx.store.get(KubeletResources.claims, namespace: ns, name: claim)) == nil {
        message = SchedulerFit.missingClaimMessage(claim)
        break
      }
    }
    if message == nil {
      var node = (try? await ctx.store.get(KubeletResources.nodes, namespace: nil, name: nodeName)) ?? .null
      if node.isNull { node = NodeObject.object(ctx.configuration, now: Date()) }
      let labels = (node["metadata"]["labels"].objectValue ?? [:]).compactMapValues(\.stringValue)
      let allocatable = (node["status"]["allocatable"].objectValue ?? [:]).compactMapValues(\.stringValue)
      let bound = pods.values.filter {
        $0["spec"]["nodeName"].stringValue == nodeName && $0["metadata"]["uid"].stringValue != uid
      }
      let reasons = SchedulerFit.reasons(pod: pod, nodeLabels: labels, allocatable: allocatable, boundPods: bound)
      if !reasons.isEmpty { message = SchedulerFit.message(reasons: reasons) }
    }

    if let message {
      unschedulable.insert(uid)
      await markUnschedulable(pod: pod, uid: uid, message: message)
      return
    }
    unschedulable.remove(uid)
    do {
      var current = try await ctx.store.get(KubeletResources.pods, namespace: ns, name: name)
      guard current["metadata"]["uid"].stringValue == uid, (current["spec"]["nodeName"].stringValue ?? "").isEmpty
      else { return }
      current["spec"]["nodeName"] = .string(nodeName)
      var bound = try await ctx.store.update(KubeletResources.pods, namespace: ns, object: current)
      pods[uid] = bound
      var status = bound["status"].objectValue ?? [:]
      var conditions = (status["conditions"]?.arrayValue ?? []).filter { $0["type"].stringValue != "PodScheduled" }
      conditions.append([
        "type": "PodScheduled", "status": "True", "lastProbeTime": .null,
        "lastTransitionTime": .string(Time.now().description),
      ])
      status["conditions"] = .array(conditions)
      if status["phase"] == nil { status["phase"] = "Pending" }
      bound["status"] = .object(status)
      _ = try? await ctx.store.updateStatus(KubeletResources.pods, namespace: ns, object: bound)
      await ctx.events.record(
        bound, reason: "Scheduled", message: "Successfully assigned \(ns)/\(name) to \(nodeName)",
        component: "default-scheduler")
    } catch {
      ctx.logger.warning("cannot bind pod \(ns)/\(name): \(error)")
    }
  }

  private func markUnschedulable(pod: JSONValue, uid: String, message: String) async {
    let ns = pod["metadata"]["namespace"].stringValue ?? "default"
    let name = pod["metadata"]["name"].stringValue ?? ""
    let existing = (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "PodScheduled" }
    if existing?["status"].stringValue != "False" || existing?["message"].stringValue != message {
      if var current = try? await ctx.store.get(KubeletResources.pods, namespace: ns, name: name) {
        var conditions = (current["status"]["conditions"].arrayValue ?? []).filter {
          $0["type"].stringValue != "PodScheduled"
        }
        conditions.append([
          "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
          "lastProbeTime": .null, "lastTransitionTime": .string(Time.now().description),
        ])
        current["status"]["conditions"] = .array(conditions)
        current["status"]["phase"] = "Pending"
        if let written = try? await ctx.store.updateStatus(KubeletResources.pods, namespace: ns, object: current) {
          pods[uid] = written
        }
      }
    }
    let last = lastEvent[uid]
    if last?.message != message || Date().timeIntervalSince(last!.at) > 60 {
      lastEvent[uid] = (message, Date())
      await ctx.events.record(
        pod, type: "Warning", reason: "FailedScheduling", message: message, component: "default-scheduler")
    }
  }
}
