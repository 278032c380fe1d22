import CRDModels
import Foundation
import KubeClient

/// `exec` and `run_python`: a command in a runner through the exec bridge, its output cut to
/// ``MCPLimits/returnedOutputBytes`` per stream with the full output left in the workspace.
struct ExecTools: Sendable {
  let executors: ExecutorFactory
  let files: WorkspaceFiles
  let limits: MCPLimits

  func exec(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: [
      "runner", "namespace", "command", "stdin", "workingDir", "env", "timeoutSeconds",
    ])
    let runner = try a.name("runner")!
    guard let command = try a.strings("command"), let program = command.first, !program.isEmpty
    else {
      throw ToolFailure.invalidArgument(
        "command",
        "give the program and its arguments as an array, e.g. [\"ls\", \"-la\"]; for a shell pipeline use [\"sh\", \"-c\", \"...\"]"
      )
    }
    let request = ExecSpec(
      command: command, stdin: try a.string("stdin"), env: try a.stringMap("env"),
      workingDir: try workingDir(a),
      timeoutSeconds: try a.int(
        "timeoutSeconds", default: limits.execDefaultTimeoutSeconds, min: 1,
        max: limits.execMaxTimeoutSeconds))
    return try await run(request, runner: runner, namespace: namespace)
  }

  func runPython(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: [
      "runner", "namespace", "code", "args", "workingDir", "env", "timeoutSeconds",
    ])
    let runner = try a.name("runner")!
    let code = try a.requiredString("code")
    let request = ExecSpec(
      command: ["python3", "-"] + (try a.strings("args") ?? []), stdin: code,
      env: try a.stringMap("env"),
      workingDir: try workingDir(a),
      timeoutSeconds: try a.int(
        "timeoutSeconds", default: limits.execDefaultTimeoutSeconds, min: 1,
        max: limits.execMaxTimeoutSeconds))
    return try await run(request, runner: runner, namespace: namespace)
  }

  private func workingDir(_ a: ToolArguments) throws -> String? {
    guard let dir = try a.string("workingDir") else { return nil }
    guard dir.hasPrefix("/") else {
      throw ToolFailure.invalidArgument(
        "workingDir", "must be an absolute path, e.g. /workspace/project")
    }
    return dir
  }

  func run(_ request: ExecSpec, runner: String, namespace: String) async throws -> ToolOutput {
    let result: RunnerExecResult
    do {
      result = try await executors(namespace, runner).run(request)
    } catch {
      throw ToolFailure.from(
        error, needs: .runnerExec(namespace), subject: .runner(runner, namespace))
    }
    if case .notRun = result.end { throw ExecOutcomeText.failure(result.end, runner: runner) }
    return await render(result, runner: runner, namespace: namespace)
  }

  /// The result text: how it ended, then stdout and stderr (cut, with the full streams saved
  /// to `.gra/mcp/` in the workspace when they are longer than the limit).
  func render(_ result: RunnerExecResult, runner: String, namespace: String) async -> ToolOutput {
    let stamp = Self.outputFileStem()
    var saved: [String: String] = [:]
    var notes: [String] = []
    for (stream, bytes) in [("stdout", result.stdout), ("stderr", result.stderr)]
    where bytes.count > limits.returnedOutputBytes {
      do {
        let (path, _) = try await files.write(
          namespace: namespace, runner: runner, path: ".gra/mcp/\(stamp).\(stream)", bytes: bytes,
          append: false, keeping: (Self.outputFilePrefix, limits.savedOutputsKept))
        saved[stream] = path
      } catch {
        notes.append("the full \(stream) could not be saved in the workspace: \(error)")
      }
    }
    let out = OutputTruncation.truncate(
      result.stdout, limit: limits.returnedOutputBytes, stream: "stdout",
      fullOutputPath: saved["stdout"])
    let err = OutputTruncation.truncate(
      result.stderr, limit: limits.returnedOutputBytes, stream: "stderr",
      fullOutputPath: saved["stderr"])

    var text: String
    var structured: JSONValue = [:]
    switch result.end {
    case .exited(let code):
      text = "exit code: \(code)\n"
      structured["exitCode"] = .int(Int64(code))
    case .signaled(let signal):
      text = "killed by \(signal) (exit code \(result.end.shellExitCode ?? 128))\n"
      structured["exitCode"] = .int(Int64(result.end.shellExitCode ?? 128))
      structured["signal"] = .string(signal)
    default:
      text = "error: \(ExecOutcomeText.failure(result.end, runner: runner).message)\n"
      structured["error"] = .string(result.end.description)
    }
    text +=
      out.text.isEmpty
      ? "stdout: (empty)\n" : "stdout:\n\(out.text)\(out.text.hasSuffix("\n") ? "" : "\n")"
    text +=
      err.text.isEmpty
      ? "stderr: (empty)\n" : "stderr:\n\(err.text)\(err.text.hasSuffix("\n") ? "" : "\n")"
    for note in notes { text += "note: \(note)\n" }
    structured["stdout"] = .string(out.text)
    structured["stderr"] = .string(err.text)
    structured["stdoutBytes"] = .int(Int64(result.stdout.count))
    structured["stderrBytes"] = .int(Int64(result.stderr.count))
    structured["truncated"] = .bool(out.truncated || err.truncated)
    if !saved.isEmpty { structured["fullOutput"] = .object(saved.mapValues { .string($0) }) }
    return ToolOutput(text, structured: structured, isError: !ExecOutcomeText.finished(result.end))
  }

  /// `exec-20261121T211500Z-1a2b3c`: sortable, and unique enough for one workspace.
  static func outputFileStem(now: Date = Date()) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
    return "\(outputFilePrefix)\(f.string(from: now))-\(suffix)"
  }

  /// Saved streams are `exec-…`; only those are pruned.
  static let outputFilePrefix = "exec-"
}
