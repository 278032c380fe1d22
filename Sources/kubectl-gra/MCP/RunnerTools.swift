import CRDModels
import Foundation
import KubeClient

/// The runner lifecycle tools, through the API server with the caller's own credentials.
struct RunnerTools: Sendable {
  let client: KubernetesClient
  let limits: MCPLimits

  private func api(_ ns: String) -> Api<Runner> { client.api(Runner.self, namespace: ns) }

  private func call<T>(
    _ permission: Permission, _ subject: Subject?, _ body: () async throws -> T
  )
    async throws -> T
  {
    do { return try await body() } catch {
      throw ToolFailure.from(error, needs: permission, subject: subject)
    }
  }

  func list(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["namespace", "labelSelector"])
    let runners = try await call(.runners("list", namespace), nil) {
      try await api(namespace).listAll(ListParams(labelSelector: try a.string("labelSelector")))
        .items
    }.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    if runners.isEmpty {
      return ToolOutput(
        "no runners in namespace \(namespace); call create_runner to make one",
        structured: ["runners": []])
    }
    let pods = await RunnerImage.pods(of: runners, namespace: namespace, client: client)
    var table = TablePrinter(headers: ["Name", "Phase", "Ready", "Suspended", "Age"])
    for r in runners {
      table.add([
        r.metadata.name ?? "", r.status?.phase?.rawValue ?? "Pending",
        RunnerPrinter.condition(r, GraConditions.ready),
        r.spec?.suspend == true ? "yes" : "no",
        RunnerPrinter.age(r.metadata.creationTimestamp, now: Date()),
      ])
    }
    return ToolOutput(
      "runners in namespace \(namespace):\n" + table.render(),
      structured: ["runners": .array(runners.map { Self.summary($0, pod: pods[RunnerImage.key($0)]) })])
  }

  func get(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace"])
    let name = try a.name("name")!
    let r = try await call(.runners("get", namespace), .runner(name, namespace)) {
      try await api(namespace).get(name)
    }
    let pod = await RunnerImage.pod(of: r, client: client)
    return ToolOutput(Self.describe(r, pod: pod), structured: Self.summary(r, pod: pod))
  }

  func create(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: [
      "name", "namespace", "image", "cpu", "memory", "gpus", "workspaceSize", "idleTimeout", "env",
      "waitReady", "timeoutSeconds",
    ])
    let name = try a.name("name")!
    var spec = RunnerSpec(image: try a.string("image"), idleTimeout: try a.string("idleTimeout"))
    var limitsMap: [String: Quantity] = [:]
    func quantity(_ key: String) throws -> Quantity? {
      guard let s = try a.string(key) else { return nil }
      do { return try Quantity(parsing: s) } catch {
        throw ToolFailure.invalidArgument(
          key, "\"\(s)\" is not a quantity (examples: 500m, 2, 4Gi)")
      }
    }
    if let q = try quantity("cpu") { limitsMap["cpu"] = q }
    if let q = try quantity("memory") { limitsMap["memory"] = q }
    if let gpus = try a.optionalInt("gpus", min: 0, max: 16), gpus > 0 {
      limitsMap["nvidia.com/gpu"] = try Quantity(parsing: String(gpus))
    }
    if !limitsMap.isEmpty {
      spec.resources = ResourceRequirements(limits: limitsMap, requests: limitsMap)
    }
    if let size = try quantity("workspaceSize") { spec.workspace = WorkspaceSpec(size: size) }
    if let env = try a.stringMap("env") {
      spec.env = env.sorted { $0.key < $1.key }.map { EnvVar(name: $0.key, value: $0.value) }
    }
    let runner = Runner(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
    let errors = runner.withDefaults().validate()
    guard errors.isEmpty else {
      throw ToolFailure(
        "invalid runner: \(errors.map { "\($0)" }.joined(separator: "; ")); fix the arguments and retry"
      )
    }
    _ = try await call(.runners("create", namespace), .runner(name, namespace)) {
      try await api(namespace).create(runner)
    }
    guard try a.bool("waitReady", default: true) else {
      return ToolOutput(
        "runner \(name) created in namespace \(namespace); call wait_runner_ready before using it",
        structured: ["name": .string(name), "created": true])
    }
    let seconds = try a.int(
      "timeoutSeconds", default: limits.waitDefaultSeconds, min: 1, max: limits.waitMaxSeconds)
    let ready = try await waitReady(name, namespace: namespace, seconds: seconds, soft: true)
    let pod = await RunnerImage.pod(of: ready.0, client: client)
    return ToolOutput(
      ready.1
        ? "runner \(name) created and ready; its workspace is \(Self.mountPath(ready.0)). Use exec, run_python and the file tools with runner \"\(name)\"."
        : "runner \(name) created but not ready after \(seconds)s (\(Self.state(ready.0))); call wait_runner_ready to keep waiting",
      structured: Self.summary(ready.0, pod: pod))
  }

  func delete(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace"])
    let name = try a.name("name")!
    _ = try await call(.runners("delete", namespace), .runner(name, namespace)) {
      try await api(namespace).delete(name, DeleteParams(propagationPolicy: .foreground))
    }
    return ToolOutput(
      "runner \(name) is being deleted: its pod goes, and its workspace too unless the Runner's workspace.reclaimPolicy is Retain",
      structured: ["name": .string(name), "deleted": true])
  }

  func setSuspended(
    _ suspend: Bool, _ a: ToolArguments, namespace: String
  ) async throws
    -> ToolOutput
  {
    try a.rejectUnknown(
      allowed: suspend
        ? ["name", "namespace"] : ["name", "namespace", "waitReady", "timeoutSeconds"])
    let name = try a.name("name")!
    let r = try await call(.runners("patch", namespace), .runner(name, namespace)) {
      try await api(namespace).patch(name, .merge(["spec": ["suspend": .bool(suspend)]]))
    }
    if suspend {
      return ToolOutput(
        "runner \(name) suspended: its pod is going away, its workspace stays; call resume_runner to use it again",
        structured: Self.summary(r))
    }
    guard try a.bool("waitReady", default: true) else {
      return ToolOutput(
        "runner \(name) resumed; call wait_runner_ready before using it",
        structured: Self.summary(r))
    }
    let seconds = try a.int(
      "timeoutSeconds", default: limits.waitDefaultSeconds, min: 1, max: limits.waitMaxSeconds)
    let (now, ready) = try await waitReady(name, namespace: namespace, seconds: seconds, soft: true)
    return ToolOutput(
      ready
        ? "runner \(name) resumed and ready"
        : "runner \(name) resumed but not ready after \(seconds)s (\(Self.state(now))); call wait_runner_ready",
      structured: Self.summary(now))
  }

  func wait(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace", "timeoutSeconds"])
    let name = try a.name("name")!
    let seconds = try a.int(
      "timeoutSeconds", default: limits.waitDefaultSeconds, min: 1, max: limits.waitMaxSeconds)
    let (r, _) = try await waitReady(name, namespace: namespace, seconds: seconds, soft: false)
    let pod = await RunnerImage.pod(of: r, client: client)
    return ToolOutput(
      "runner \(name) is ready; its workspace is \(Self.mountPath(r))", structured: Self.summary(r, pod: pod))
  }

  /// Polls until Ready=True for the current generation. Fails at once on a failed or
  /// suspended runner; at the deadline fails (or with `soft`, returns the last state).
  func waitReady(
    _ name: String, namespace: String, seconds: Int, soft: Bool
  ) async throws -> (
    Runner, Bool
  ) {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var last = ""
    while true {
      let r = try await call(.runners("get", namespace), .runner(name, namespace)) {
        try await api(namespace).get(name)
      }
      let now = Self.state(r)
      if now != last {
        await ToolProgress.report("runner \(name): \(now)")
        last = now
      }
      let ready = r.status?.conditions?[type: GraConditions.ready]
      if ready?.status == .true && r.status?.observedGeneration == r.metadata.generation {
        return (r, true)
      }
      if r.spec?.suspend == true {
        throw ToolFailure("runner \(name) is suspended; call resume_runner")
      }
      if r.status?.phase == .failed || ready?.reason == "InvalidSpec" {
        throw ToolFailure(
          "runner \(name) failed (\(Self.state(r))); fix the cause, or delete_runner and create it again"
        )
      }
      if ContinuousClock.now >= deadline {
        if soft { return (r, false) }
        throw ToolFailure(
          "runner \(name) is not ready after \(seconds)s (\(Self.state(r))); call wait_runner_ready again, or get_runner to see its conditions"
        )
      }
      try await Task.sleep(for: limits.pollInterval)
    }
  }

  static func state(_ r: Runner) -> String {
    let ready = r.status?.conditions?[type: GraConditions.ready]
    var s = "phase \(r.status?.phase?.rawValue ?? "Pending")"
    if let ready {
      s +=
        ", Ready=\(ready.status.rawValue) \(ready.reason)"
        + (ready.message.isEmpty ? "" : ": \(ready.message)")
    }
    return s
  }

  static func mountPath(_ r: Runner) -> String {
    r.spec?.workspace?.mountPath ?? GraDefaults.workspaceMountPath
  }

  /// `pod` is the Runner's pod, if known: `image` is then the image it runs (see ``RunnerImage``).
  static func summary(_ r: Runner, pod: Pod? = nil) -> JSONValue {
    var v: JSONValue = [
      "name": .string(r.metadata.name ?? ""), "namespace": .string(r.metadata.namespace ?? ""),
    ]
    v["phase"] = .string(r.status?.phase?.rawValue ?? "Pending")
    v["ready"] = .bool(r.status?.conditions?[type: GraConditions.ready]?.status == .true)
    v["suspended"] = .bool(r.spec?.suspend == true)
    v["image"] = .string(RunnerImage.shown(r, pod: pod))
    v["workspace"] = .string(mountPath(r))
    if let c = r.status?.workspaceClaim { v["workspaceClaim"] = .string(c) }
    if let t = r.status?.lastActivityTime { v["lastActivityTime"] = .string(t.description) }
    if let conditions = r.status?.conditions {
      v["conditions"] = .array(
        conditions.map {
          [
            "type": .string($0.type), "status": .string($0.status.rawValue),
            "reason": .string($0.reason), "message": .string($0.message),
          ]
        })
    }
    return v
  }

  static func describe(_ r: Runner, pod: Pod? = nil) -> String {
    var out =
      "runner \(r.metadata.name ?? "") in namespace \(r.metadata.namespace ?? ""): \(state(r))\n"
    out += "image: \(RunnerImage.shown(r, pod: pod))\nworkspace: \(mountPath(r))"
    out += r.status?.workspaceClaim.map { " (claim \($0))" } ?? ""
    out += "\nsuspended: \(r.spec?.suspend == true ? "yes" : "no")\n"
    if let t = r.status?.lastActivityTime { out += "last activity: \(t)\n" }
    for c in r.status?.conditions ?? [] {
      out +=
        "condition \(c.type)=\(c.status.rawValue) \(c.reason)\(c.message.isEmpty ? "" : ": \(c.message)")\n"
    }
    return out
  }
}
