import ArgumentParser
import CRDModels
import Foundation
import KubeClient

struct DeleteCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete", abstract: "Delete a Runner (its workspace too, unless reclaimPolicy is Retain).",
    discussion: """
      Examples:
        kubectl gra delete demo
        kubectl gra delete demo --wait --timeout 2m
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Flag(help: "Wait until the runner is gone.") var wait = false
  @Option(help: "How long --wait waits, e.g. 90s or 2m.") var timeout = "60s"

  func execute(client: KubernetesClient, namespace: String) async throws {
    let api = client.api(Runner.self, namespace: namespace)
    _ = try await api.delete(name, DeleteParams(propagationPolicy: .foreground))
    if wait {
      let limit = try parseTimeout(timeout)
      let deadline = ContinuousClock.now + limit
      while try await api.getIfExists(name) != nil {
        guard ContinuousClock.now < deadline else {
          throw CLIError(.timedOut, "runner \"\(name)\" still exists after \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(250))
      }
    }
    if global.output == .json {
      write(#"{"kind":"Runner","name":"\#(name)","namespace":"\#(namespace)","deleted":true}"# + "\n")
    } else {
      write("runner.gra.dev/\(name) deleted\n")
    }
  }
}

struct SuspendCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "suspend", abstract: "Suspend a Runner: its pod goes away, its workspace stays.",
    discussion: "Example:\n  kubectl gra suspend demo")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  func execute(client: KubernetesClient, namespace: String) async throws {
    try await setSuspend(true, name: name, client: client, namespace: namespace, output: global.output)
  }
}

struct ResumeCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume", abstract: "Resume a suspended Runner.", discussion: "Example:\n  kubectl gra resume demo")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  func execute(client: KubernetesClient, namespace: String) async throws {
    try await setSuspend(false, name: name, client: client, namespace: namespace, output: global.output)
  }
}

private func setSuspend(
  _ suspend: Bool, name: String, client: KubernetesClient, namespace: String, output: OutputFormat
)
  async throws
{
  let runner = try await client.api(Runner.self, namespace: namespace)
    .patch(name, .merge(["spec": ["suspend": .bool(suspend)]]))
  switch output {
  case .table, .wide: write("runner.gra.dev/\(name) \(suspend ? "suspended" : "resumed")\n")
  default: write(try RunnerPrinter.print([runner], format: output))
  }
}

struct WaitCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "wait", abstract: "Wait for a Runner to be ready.",
    discussion: """
      Exits 0 once the Ready condition is True, 1 if the runner fails, 5 on timeout.
      Example:
        kubectl gra wait demo --for=ready --timeout=5m
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Option(name: .customLong("for"), help: "What to wait for: ready.") var condition = "ready"
  @Option(help: "How long to wait, e.g. 90s or 5m.") var timeout = "300s"

  func execute(client: KubernetesClient, namespace: String) async throws {
    guard condition.lowercased() == "ready" || condition.lowercased() == "condition=ready" else {
      throw CLIError(.usage, "--for \"\(condition)\": only ready is supported")
    }
    let limit = try parseTimeout(timeout)
    let deadline = ContinuousClock.now + limit
    let api = client.api(Runner.self, namespace: namespace)
    var last = ""
    while true {
      let r = try await api.get(name)
      let ready = r.status?.conditions?[type: GraConditions.ready]
      let generationSeen = r.status?.observedGeneration == r.metadata.generation
      if ready?.status == .true && generationSeen {
        write(
          global.output == .json
            ? try RunnerPrinter.print([r], format: .json) : "runner.gra.dev/\(name) condition met\n")
        return
      }
      if r.status?.phase == .failed {
        throw CLIError(
          .failed, "runner \"\(name)\" failed: \(ready?.message ?? r.status?.message ?? "see kubectl gra describe")")
      }
      let now = "\(r.status?.phase?.rawValue ?? "Pending"): \(ready?.reason ?? "waiting")"
      if now != last {
        progress("runner \(name): \(now)")
        last = now
      }
      guard ContinuousClock.now < deadline else {
        throw CLIError(
          .timedOut, "runner \"\(name)\" not ready after \(timeout) (\(now)\(ready.map { ": \($0.message)" } ?? ""))")
      }
      try await Task.sleep(for: .milliseconds(500))
    }
  }
}

/// `90s`, `5m`, `1h30m` (Go durations) or plain seconds.
func parseTimeout(_ s: String, flag: String = "--timeout") throws -> Duration {
  if let seconds = Int(s), seconds >= 0 { return .seconds(seconds) }
  do {
    let d = try GoDuration(parsing: s)
    guard d.nanoseconds >= 0 else { throw CLIError(.usage, "\(flag) \"\(s)\": must not be negative") }
    return .nanoseconds(d.nanoseconds)
  } catch {
    throw CLIError(.usage, "\(flag) \"\(s)\": use a duration like 90s, 5m or 1h")
  }
}
