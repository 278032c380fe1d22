import CRDModels
import Foundation
import KubeClient

/// TracerJob tools: start a batch run and wait for it, its status, its log, its artifacts.
struct TracerJobTools: Sendable {
  let client: KubernetesClient
  let limits: MCPLimits

  private func api(_ ns: String) -> Api<TracerJob> { client.api(TracerJob.self, namespace: ns) }

  private func call<T>(
    _ permission: Permission, _ subject: Subject?, _ body: () async throws -> T
  )
    async throws -> T
  {
    do { return try await body() } catch {
      throw ToolFailure.from(error, needs: permission, subject: subject)
    }
  }

  func run(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: [
      "name", "namespace", "runner", "module", "script", "command", "args", "setup", "image", "env",
      "workingDir",
      "timeoutSeconds", "backoffLimit", "artifacts", "waitSeconds",
    ])
    let name = try a.name("name", required: false)
    let runner = try a.name("runner", required: false)
    var spec = TracerJobSpec(
      runnerRef: runner.map { LocalObjectReference(name: $0) }, image: try a.string("image"),
      module: try a.string("module"),
      script: try a.string("script"), command: try a.strings("command"),
      args: try a.strings("args"),
      workingDir: try a.string("workingDir"), setup: try a.strings("setup"))
    let given = [spec.module != nil, spec.script != nil, spec.command != nil].filter { $0 }.count
    guard given <= 1 else {
      throw ToolFailure(
        "give at most one of module, script or command (none runs the default module \(GraDefaults.tracerModule))"
      )
    }
    if let env = try a.stringMap("env") {
      spec.env = env.sorted { $0.key < $1.key }.map { EnvVar(name: $0.key, value: $0.value) }
    }
    if let t = try a.optionalInt("timeoutSeconds", min: 1, max: 7 * 24 * 3600) {
      spec.timeoutSeconds = Int64(t)
    }
    if let b = try a.optionalInt("backoffLimit", min: 0, max: 10) { spec.backoffLimit = Int32(b) }
    if let paths = try a.strings("artifacts"), !paths.isEmpty {
      spec.artifacts = ArtifactsSpec(paths: paths)
    }
    let wait = try a.int(
      "waitSeconds", default: limits.jobWaitDefaultSeconds, min: 0, max: limits.jobWaitMaxSeconds)

    let jobName = name ?? Self.generatedName()
    let job = TracerJob(metadata: ObjectMeta(name: jobName, namespace: namespace), spec: spec)
    let errors = job.withDefaults().validate()
    guard errors.isEmpty else {
      throw ToolFailure(
        "invalid tracer job: \(errors.map { "\($0)" }.joined(separator: "; ")); fix the arguments and retry"
      )
    }
    let created = try await call(.tracerJobs("create", namespace), .tracerJob(jobName, namespace)) {
      try await api(namespace).create(job)
    }
    if wait == 0 {
      return ToolOutput(
        "tracer job \(jobName) created; call wait_tracer_job or get_tracer_job to follow it",
        structured: Self.summary(created))
    }
    return try await waitFinished(jobName, namespace: namespace, seconds: wait)
  }

  func get(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace"])
    let name = try a.name("name")!
    let job = try await call(.tracerJobs("get", namespace), .tracerJob(name, namespace)) {
      try await api(namespace).get(name)
    }
    return ToolOutput(Self.describe(job), structured: Self.summary(job))
  }

  func wait(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace", "waitSeconds"])
    let name = try a.name("name")!
    let wait = try a.int(
      "waitSeconds", default: limits.jobWaitDefaultSeconds, min: 1, max: limits.jobWaitMaxSeconds)
    return try await waitFinished(name, namespace: namespace, seconds: wait)
  }

  /// Polls until the job succeeds or fails, or `seconds` pass (then it says it is still
  /// running, which is not an error).
  func waitFinished(_ name: String, namespace: String, seconds: Int) async throws -> ToolOutput {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var last = ""
    while true {
      let job = try await call(.tracerJobs("get", namespace), .tracerJob(name, namespace)) {
        try await api(namespace).get(name)
      }
      let now = Self.state(job)
      if now != last {
        await ToolProgress.report("tracer job \(name): \(now)")
        last = now
      }
      let phase = job.status?.phase
      if phase == .succeeded || phase == .failed {
        return ToolOutput(
          Self.describe(job), structured: Self.summary(job), isError: phase == .failed)
      }
      if ContinuousClock.now >= deadline {
        return ToolOutput(
          Self.describe(job)
            + "still \(phase?.rawValue ?? "Pending") after \(seconds)s; call wait_tracer_job to keep waiting",
          structured: Self.summary(job))
      }
      try await Task.sleep(for: limits.pollInterval)
    }
  }

  func logs(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace", "attempt", "tailLines"])
    let name = try a.name("name")!
    let tail = try a.int(
      "tailLines", default: limits.logTailDefaultLines, min: 1, max: limits.logTailMaxLines)
    let job = try await call(.tracerJobs("get", namespace), .tracerJob(name, namespace)) {
      try await api(namespace).get(name)
    }
    let attempts = job.status?.attemptStatuses ?? []
    let attempt = try a.optionalInt("attempt", min: 1, max: 1000)
    let pod: String?
    if let attempt {
      guard let s = attempts.first(where: { Int($0.attempt) == attempt }) else {
        throw ToolFailure(
          "tracer job \(name) has no attempt \(attempt) (attempts so far: \(job.status?.attempts ?? 0))"
        )
      }
      pod = s.podName ?? "\(name)-\(attempt)"
    } else {
      pod = job.status?.podName
    }
    guard let pod else {
      throw ToolFailure(
        "tracer job \(name) has not started a pod yet (\(Self.state(job))); call wait_tracer_job, then ask again"
      )
    }
    var options = LogOptions()
    options.tailLines = tail
    options.limitBytes = limits.logMaxBytes
    let text: String
    do {
      text = try await client.logText(namespace: namespace, pod: pod, options)
    } catch let e as KubeError where e.isNotFound {
      var hint = "the pod \(pod) is gone (deleted with its job's TTL or by hand)"
      if let runner = job.spec?.runnerRef?.name {
        hint +=
          "; the attempt's full log is run.log in runner \(runner)'s workspace under .gra/artifacts/\(name)/: read it with read_file"
      } else if let message = job.status?.message, !message.isEmpty {
        hint += "; the end of its log, kept in the job's status:\n\(message)"
      }
      throw ToolFailure(hint)
    } catch {
      throw ToolFailure.from(error, needs: .podLogs(namespace))
    }
    return ToolOutput(
      "log of \(pod) (last \(tail) lines at most):\n" + text,
      structured: ["pod": .string(pod), "log": .string(text)])
  }

  func delete(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["name", "namespace"])
    let name = try a.name("name")!
    _ = try await call(.tracerJobs("delete", namespace), .tracerJob(name, namespace)) {
      try await api(namespace).delete(name, DeleteParams(propagationPolicy: .background))
    }
    return ToolOutput(
      "tracer job \(name) deleted, with its pods",
      structured: ["name": .string(name), "deleted": true])
  }

  /// `mcp-` and five characters from Kubernetes' generateName alphabet (no vowels, no 0/1/3).
  static func generatedName() -> String {
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    return "mcp-" + String((0..<5).map { _ in alphabet.randomElement()! })
  }

  static func state(_ j: TracerJob) -> String {
    let s = j.status
    var out = "phase \(s?.phase?.rawValue ?? "Pending")"
    if let a = s?.attempts, a > 0 { out += ", attempt \(a)" }
    if let c = s?.exitCode { out += ", exit code \(c)" }
    if let r = s?.reason, !r.isEmpty { out += ", reason \(r)" }
    return out
  }

  /// Where an artifact can be read from: `workspace:PATH` locations are files in the job's
  /// runner, readable with read_file.
  static func readHint(_ artifact: ArtifactRecord, job: TracerJob) -> String? {
    guard let location = artifact.location, location.hasPrefix("workspace:"),
      let runner = job.spec?.runnerRef?.name
    else { return nil }
    return "read_file runner=\(runner) path=\(location.dropFirst("workspace:".count))"
  }

  static func describe(_ j: TracerJob) -> String {
    var out =
      "tracer job \(j.metadata.name ?? "") in namespace \(j.metadata.namespace ?? ""): \(state(j))\n"
    if let d = j.status?.duration { out += "duration: \(d)\n" }
    if let runner = j.spec?.runnerRef?.name { out += "runner: \(runner)\n" }
    if let m = j.status?.message, !m.isEmpty { out += "message:\n\(m)\n" }
    let artifacts = j.status?.artifacts ?? []
    if !artifacts.isEmpty {
      out += "artifacts:\n"
      for a in artifacts {
        out += "  \(a.path) (\(a.size) bytes, sha256 \(a.sha256))"
        out += a.location.map { " at \($0)" } ?? ""
        out += readHint(a, job: j).map { "; \($0)" } ?? ""
        out += "\n"
      }
    }
    switch j.status?.phase {
    case .succeeded?, .failed?:
      out += "call tracer_job_logs for its log\n"
    default: break
    }
    return out
  }

  static func summary(_ j: TracerJob) -> JSONValue {
    let s = j.status
    var v: JSONValue = [
      "name": .string(j.metadata.name ?? ""), "namespace": .string(j.metadata.namespace ?? ""),
    ]
    v["phase"] = .string(s?.phase?.rawValue ?? "Pending")
    if let x = s?.attempts { v["attempts"] = .int(Int64(x)) }
    if let x = s?.exitCode { v["exitCode"] = .int(Int64(x)) }
    if let x = s?.reason { v["reason"] = .string(x) }
    if let x = s?.message { v["message"] = .string(x) }
    if let x = s?.duration { v["duration"] = .string(x) }
    if let x = s?.podName { v["podName"] = .string(x) }
    if let r = j.spec?.runnerRef?.name { v["runner"] = .string(r) }
    v["artifacts"] = .array(
      (s?.artifacts ?? []).map { a in
        var o: JSONValue = [
          "path": .string(a.path), "size": .int(a.size), "sha256": .string(a.sha256),
        ]
        if let l = a.location { o["location"] = .string(l) }
        if let l = a.location, l.hasPrefix("workspace:") {
          o["workspacePath"] = .string(String(l.dropFirst("workspace:".count)))
        }
        return o
      })
    return v
  }
}
