import Foundation
import KubeClient
import Logging
import MCP

/// Dispatches tool calls to their handlers and turns every failure into a tool error.
struct GraToolbox: Sendable {
  let defaultNamespace: String
  let limits: MCPLimits
  let runners: RunnerTools
  let jobs: TracerJobTools
  let exec: ExecTools
  let files: FileTools
  let logger: Logger
  let inFlight = InFlightCalls()

  init(
    client: KubernetesClient, executors: @escaping ExecutorFactory, defaultNamespace: String,
    limits: MCPLimits, logger: Logger
  ) {
    self.defaultNamespace = defaultNamespace
    self.limits = limits
    self.logger = logger
    let workspace = WorkspaceFiles(executors: executors, limits: limits)
    runners = RunnerTools(client: client, limits: limits)
    jobs = TracerJobTools(client: client, limits: limits)
    exec = ExecTools(executors: executors, files: workspace, limits: limits)
    files = FileTools(files: workspace, limits: limits)
  }

  var tools: [Tool] { ToolCatalog.tools(limits) }

  func call(_ name: String, _ arguments: [String: Value]?) async -> CallTool.Result {
    await inFlight.begin()
    defer { Task { await inFlight.end() } }
    let started = ContinuousClock.now
    let a = ToolArguments(arguments)
    do {
      let namespace = try a.name("namespace", required: false) ?? defaultNamespace
      let out = try await dispatch(name, a, namespace: namespace)
      logger.info(
        "tool call",
        metadata: [
          "tool": "\(name)", "namespace": "\(namespace)", "isError": "\(out.isError)",
          "duration": "\(ContinuousClock.now - started)",
        ])
      return out.result
    } catch let f as ToolFailure {
      logger.info(
        "tool call failed",
        metadata: [
          "tool": "\(name)", "error": "\(f.message)",
          "duration": "\(ContinuousClock.now - started)",
        ])
      return ToolOutput.failure(f)
    } catch is CancellationError {
      return ToolOutput.failure(ToolFailure("cancelled"))
    } catch {
      logger.warning("tool call failed", metadata: ["tool": "\(name)", "error": "\(error)"])
      return ToolOutput.failure(ToolFailure("\(error)"))
    }
  }

  private func dispatch(
    _ name: String, _ a: ToolArguments, namespace: String
  ) async throws
    -> ToolOutput
  {
    switch name {
    case "list_runners": return try await runners.list(a, namespace: namespace)
    case "get_runner": return try await runners.get(a, namespace: namespace)
    case "create_runner": return try await runners.create(a, namespace: namespace)
    case "delete_runner": return try await runners.delete(a, namespace: namespace)
    case "suspend_runner": return try await runners.setSuspended(true, a, namespace: namespace)
    case "resume_runner": return try await runners.setSuspended(false, a, namespace: namespace)
    case "wait_runner_ready": return try await runners.wait(a, namespace: namespace)
    case "exec": return try await exec.exec(a, namespace: namespace)
    case "run_python": return try await exec.runPython(a, namespace: namespace)
    case "read_file": return try await files.read(a, namespace: namespace)
    case "write_file": return try await files.write(a, namespace: namespace)
    case "list_directory": return try await files.list(a, namespace: namespace)
    case "run_tracer_job": return try await jobs.run(a, namespace: namespace)
    case "wait_tracer_job": return try await jobs.wait(a, namespace: namespace)
    case "get_tracer_job": return try await jobs.get(a, namespace: namespace)
    case "tracer_job_logs": return try await jobs.logs(a, namespace: namespace)
    case "delete_tracer_job": return try await jobs.delete(a, namespace: namespace)
    default:
      throw ToolFailure(
        "no tool named \"\(name)\"; the tools are: \(tools.map(\.name).joined(separator: ", "))")
    }
  }
}
