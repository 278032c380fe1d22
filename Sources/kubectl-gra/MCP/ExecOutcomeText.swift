import KubeClient

/// What an agent is told about how a command ended, with the next step when it did not run
/// to completion.
enum ExecOutcomeText {
  /// The tool error for a command that never started (suspended or not ready runner) or whose
  /// end is unknown.
  static func failure(_ end: BridgeExecEnd, runner: String) -> ToolFailure {
    switch end {
    case .notRun("RunnerSuspended", _):
      return ToolFailure(
        "runner \(runner) is suspended; call resume_runner (it waits until the runner is ready), then retry"
      )
    case .notRun("RunnerNotReady", let message):
      return ToolFailure(
        "runner \(runner) is not ready yet (\(message)); call wait_runner_ready, then retry")
    case .notRun(let reason, let message):
      return ToolFailure("the command was not run (\(reason)): \(message)")
    case .timedOut(let message):
      return ToolFailure(
        "\(message); pass a larger timeoutSeconds, or run long work as a tracer job (run_tracer_job)"
      )
    case .outputLimitReached(let message):
      return ToolFailure(
        "\(message) (the runner's spec.exec.outputLimitBytes); redirect the output to a file in the workspace (e.g. `cmd > out.log 2>&1`) and read it with read_file"
      )
    case .lost(let message):
      return ToolFailure(
        "the outcome of the command is unknown: \(message); check its effects (e.g. list_directory) before running it again"
      )
    case .exited(let code):
      return ToolFailure("the command exited with code \(code)")
    case .signaled(let signal):
      return ToolFailure("the command was killed by \(signal)")
    }
  }

  /// Whether the command ran to an end of its own (an exit code or a signal).
  static func finished(_ end: BridgeExecEnd) -> Bool {
    switch end {
    case .exited, .signaled: return true
    default: return false
    }
  }
}
