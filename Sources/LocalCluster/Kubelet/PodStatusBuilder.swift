import CRDModels
import Foundation

/// Computes a pod's `status` from the kubelet's view of its containers, as the real kubelet's
/// `getPhase` and `generateAPIPodStatus` do. Pure: no I/O, no clock (the time is passed in).
enum PodStatusBuilder {
  static func restartPolicy(_ pod: JSONValue) -> String { pod["spec"]["restartPolicy"].stringValue ?? "Always" }

  /// All init containers ran to completion with exit code 0.
  static func initialized(_ s: PodRuntimeSnapshot) -> Bool {
    s.initContainers.allSatisfy { $0.termination?.exitCode == 0 }
  }

  /// The pod phase: Pending until the init containers succeeded, Running while a container
  /// runs or will be restarted, Succeeded when all exited 0, Failed when one failed for good.
  static func phase(pod: JSONValue, snapshot s: PodRuntimeSnapshot, stopped finished: Bool = false) -> String {
    if s.failure != nil { return "Failed" }
    let policy = restartPolicy(pod)
    for c in s.initContainers {
      if let t = c.termination, t.exitCode != 0, policy == "Never" { return "Failed" }
    }
    if !initialized(s) { return finished ? "Failed" : "Pending" }
    var running = 0
    var waiting = 0
    var stopped = 0
    var succeeded = 0
    for c in s.containers {
      switch c.state {
      case .running: running += 1
      case .terminated(let t):
        stopped += 1
        if t.exitCode == 0 { succeeded += 1 }
      case .waiting:
        if let t = c.lastTermination {
          stopped += 1
          if t.exitCode == 0 { succeeded += 1 }
        } else {
          waiting += 1
        }
      }
    }
    if finished && running == 0 {
      // Stopped for good (deleted or all done): a terminal phase, as kubelet ≥ 1.27 reports it.
      return stopped > 0 && stopped == succeeded && waiting == 0 ? "Succeeded" : "Failed"
    }
    if waiting > 0 { return "Pending" }
    if running > 0 { return "Running" }
    if stopped > 0 {
      if policy == "Always" { return "Running" }
      if stopped == succeeded { return "Succeeded" }
      if policy == "Never" { return "Failed" }
      return "Running"
    }
    return "Pending"
  }

  static func condition(
    _ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil, old: [JSONValue], now: Date
  ) -> JSONValue {
    let status = ok ? "True" : "False"
    var c: JSONValue = ["type": .string(type), "status": .string(status), "lastProbeTime": .null]
    let previous = old.first { $0["type"].stringValue == type }
    if let previous, previous["status"].stringValue == status, let t = previous["lastTransitionTime"].stringValue {
      c["lastTransitionTime"] = .string(t)
    } else {
      c["lastTransitionTime"] = .string(Time(now).description)
    }
    if let reason { c["reason"] = .string(reason) }
    if let message { c["message"] = .string(message) }
    return c
  }

  /// Guaranteed, Burstable or BestEffort, from the containers' requests and limits.
  static func qosClass(_ pod: JSONValue) -> String {
    let containers = (pod["spec"]["containers"].arrayValue ?? []) + (pod["spec"]["initContainers"].arrayValue ?? [])
    var any = false
    var guaranteed = true
    for c in containers {
      let req = c["resources"]["requests"].objectValue ?? [:]
      let lim = c["resources"]["limits"].objectValue ?? [:]
      if !req.isEmpty || !lim.isEmpty { any = true }
      for r in ["cpu", "memory"] {
        guard let l = lim[r] else {
          guaranteed = false
          continue
        }
        if let q = req[r], q != l { guaranteed = false }
      }
    }
    if !any { return "BestEffort" }
    return guaranteed ? "Guaranteed" : "Burstable"
  }

  /// The pod's full `status`.
  static func build(pod: JSONValue, snapshot s: PodRuntimeSnapshot, finished: Bool = false, now: Date) -> JSONValue {
    let old = pod["status"]["conditions"].arrayValue ?? []
    let phase = phase(pod: pod, snapshot: s, stopped: finished)
    var status: JSONValue = ["phase": .string(phase), "qosClass": .string(qosClass(pod))]
    status["hostIP"] = "127.0.0.1"
    status["hostIPs"] = [["ip": "127.0.0.1"]]
    if s.sandboxReady || s.containers.contains(where: { $0.containerID != nil }) {
      status["podIP"] = "127.0.0.1"
      status["podIPs"] = [["ip": "127.0.0.1"]]
    }
    if let start = s.startTime { status["startTime"] = .string(Time(start).description) }
    if let f = s.failure {
      status["reason"] = .string(f.reason)
      status["message"] = .string(f.message)
    } else if let p = s.pendingMessage {
      status["reason"] = .string(p.reason)
      status["message"] = .string(p.message)
    }

    var conditions: [JSONValue] = []
    conditions.append(condition("PodReadyToStartContainers", s.sandboxReady, old: old, now: now))
    let pendingInit = s.initContainers.filter { $0.termination?.exitCode != 0 }.map(\.name)
    if pendingInit.isEmpty {
      conditions.append(condition("Initialized", true, old: old, now: now))
    } else {
      conditions.append(
        condition(
          "Initialized", false, reason: "ContainersNotInitialized",
          message: "containers with incomplete status: [\(pendingInit.joined(separator: " "))]", old: old, now: now))
    }
    let unready = s.containers.filter { !$0.ready }.map(\.name)
    for type in ["Ready", "ContainersReady"] {
      if phase == "Succeeded" || (phase == "Failed" && finished && unready.count == s.containers.count) {
        conditions.append(condition(type, false, reason: "PodCompleted", old: old, now: now))
      } else if unready.isEmpty {
        conditions.append(condition(type, true, old: old, now: now))
      } else {
        conditions.append(
          condition(
            type, false, reason: "ContainersNotReady",
            message: "containers with unready status: [\(unready.joined(separator: " "))]", old: old, now: now))
      }
    }
    if let scheduled = old.first(where: { $0["type"].stringValue == "PodScheduled" }) {
      conditions.append(scheduled)
    } else {
      conditions.append(condition("PodScheduled", true, old: old, now: now))
    }
    status["conditions"] = .array(conditions)
    if !s.initContainers.isEmpty { status["initContainerStatuses"] = .array(s.initContainers.map(\.json)) }
    status["containerStatuses"] = .array(s.containers.map(\.json))
    return status
  }

  /// The status without the fields that change on every call, to decide whether to write.
  static func comparable(_ status: JSONValue) -> JSONValue {
    var s = status
    if var conds = s["conditions"].arrayValue {
      for i in conds.indices { conds[i]["lastTransitionTime"] = .null }
      s["conditions"] = .array(conds)
    }
    return s
  }
}
