import CRDModels

/// The scheduler's filter for the single local node: node selector, resource requests
/// against what the node's other pods already requested, pod count, and claims that must exist.
enum SchedulerFit {
  /// A pod's effective requests in milli-units: the larger of the containers' sum and the
  /// largest init container, per resource.
  static func requests(_ pod: JSONValue) -> [String: Int64] {
    var sum: [String: Int64] = [:]
    for c in pod["spec"]["containers"].arrayValue ?? [] {
      for (k, v) in requests(ofContainer: c) { sum[k, default: 0] += v }
    }
    for c in pod["spec"]["initContainers"].arrayValue ?? [] {
      for (k, v) in requests(ofContainer: c) { sum[k] = max(sum[k] ?? 0, v) }
    }
    return sum
  }

  /// Requests of one container; limits stand in for missing requests, as API defaulting does.
  static func requests(ofContainer c: JSONValue) -> [String: Int64] {
    var out: [String: Int64] = [:]
    for (k, v) in c["resources"]["limits"].objectValue ?? [:] {
      if let q = v.stringValue.flatMap(Quantity.milliValue(of:)) ?? v.intValue.map({ $0 * 1000 }) { out[k] = q }
    }
    for (k, v) in c["resources"]["requests"].objectValue ?? [:] {
      if let q = v.stringValue.flatMap(Quantity.milliValue(of:)) ?? v.intValue.map({ $0 * 1000 }) { out[k] = q }
    }
    return out
  }

  /// Why the pod does not fit (each a reason as the scheduler words it), empty when it fits.
  static func reasons(
    pod: JSONValue, nodeLabels: [String: String], allocatable: [String: String], boundPods: [JSONValue]
  )
    -> [String]
  {
    var reasons: [String] = []
    for (k, v) in pod["spec"]["nodeSelector"].objectValue ?? [:] where nodeLabels[k] != v.stringValue {
      reasons.append("node(s) didn't match Pod's node affinity/selector")
      break
    }
    let active = boundPods.filter {
      let phase = $0["status"]["phase"].stringValue
      return phase != "Succeeded" && phase != "Failed"
    }
    if let maxPods = allocatable["pods"].flatMap(Quantity.milliValue(of:)), Int64(active.count + 1) * 1000 > maxPods {
      reasons.append("Too many pods")
    }
    var used: [String: Int64] = [:]
    for p in active {
      for (k, v) in requests(p) { used[k, default: 0] += v }
    }
    for (resource, want) in requests(pod).sorted(by: { $0.key < $1.key }) where want > 0 {
      let have = allocatable[resource].flatMap(Quantity.milliValue(of:)) ?? 0
      if want + (used[resource] ?? 0) > have { reasons.append("Insufficient \(resource)") }
    }
    return reasons
  }

  /// `0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: …`, as kube-scheduler 1.32 says it.
  static func message(reasons: [String]) -> String {
    let parts = reasons.sorted().map { "1 \($0)" }.joined(separator: ", ")
    let preemption =
      reasons.contains { $0.hasPrefix("Insufficient") || $0 == "Too many pods" }
      ? "1 No preemption victims found for incoming pod."
      : "1 Preemption is not helpful for scheduling."
    return "0/1 nodes are available: \(parts). preemption: 0/1 nodes are available: \(preemption)"
  }

  static func missingClaimMessage(_ claim: String) -> String {
    "0/1 nodes are available: persistentvolumeclaim \"\(claim)\" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
  }
}

extension Quantity {
  /// Go's `MilliValue()` of a quantity string, nil when it does not parse.
  static func milliValue(of s: String) -> Int64? { try? Quantity(parsing: s).milliValue }
}
