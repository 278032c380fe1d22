import CRDModels
import Foundation
import KubeClient

/// Runs commands in a Runner; `kubectl gra exec`, `python`, `cp` and `results` (and the MCP
/// server) go through it, so each works over either path:
///
/// - ``BridgeExecutor``: the exec bridge (`runners/exec`), the default. Needs `create` on
///   `runners/exec`; stdin is text (the bridge carries it as a JSON string).
/// - ``DirectExecutor``: `pods/exec` on the runner's pod (`--direct`). Needs `create` on
///   `pods/exec`; stdin can be binary and can stream.
protocol RunnerExecutor: Sendable {
  func run(
    _ command: [String], stdin: String?, workingDir: String?, timeoutSeconds: Int?,
    stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
  ) async throws -> BridgeExecEnd
}

extension RunnerExecutor {
  /// Runs a command and collects its output.
  func collect(
    _ command: [String], stdin: String? = nil, workingDir: String? = nil, timeoutSeconds: Int? = nil
  )
    async throws -> BridgeExecOutput
  {
    let out = OutputCollector()
    let err = OutputCollector()
    let end = try await run(
      command, stdin: stdin, workingDir: workingDir, timeoutSeconds: timeoutSeconds,
      stdout: { await out.add($0) }, stderr: { await err.add($0) })
    return BridgeExecOutput(end: end, stdout: await out.bytes, stderr: await err.bytes)
  }
}

/// Through the exec bridge.
struct BridgeExecutor: RunnerExecutor {
  let bridge: BridgeExecClient
  let namespace: String
  let runner: String

  func run(
    _ command: [String], stdin: String?, workingDir: String?, timeoutSeconds: Int?,
    stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
  ) async throws -> BridgeExecEnd {
    let request = BridgeExecRequest(
      command: command, stdin: stdin, workingDir: workingDir, timeoutSeconds: timeoutSeconds)
    return try await bridge.exec(namespace: namespace, runner: runner, request, stdout: stdout, stderr: stderr)
  }
}

/// Straight to `pods/exec` on the runner's (ready) pod. A working directory is set with
/// `env -C`, as the bridge does; a timeout is enforced on this side.
struct DirectExecutor: RunnerExecutor {
  let client: KubernetesClient
  let namespace: String
  let pod: String

  /// Resolves the runner's pod; errors say what to do when it is suspended or not ready.
  static func forRunner(_ name: String, client: KubernetesClient, namespace: String) async throws -> DirectExecutor {
    DirectExecutor(
      client: client, namespace: namespace,
      pod: try await RunnerPods.readyPod(name, client: client, namespace: namespace))
  }

  func run(
    _ command: [String], stdin: String?, workingDir: String?, timeoutSeconds: Int?,
    stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
  ) async throws -> BridgeExecEnd {
    try await runBytes(
      command, stdin: stdin.map { Self.once(Array($0.utf8)) }, workingDir: workingDir, timeoutSeconds: timeoutSeconds,
      stdout: stdout, stderr: stderr)
  }

  /// With streaming (possibly binary) stdin and, with `resize`, a terminal of that size.
  func runBytes(
    _ command: [String], stdin: AsyncStream<[UInt8]>?, workingDir: String?, timeoutSeconds: Int?,
    resize: AsyncStream<TerminalSize>? = nil,
    stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
  ) async throws -> BridgeExecEnd {
    let full = workingDir.map { ["env", "-C", $0] + command } ?? command
    let options = ExecOptions(command: full, stdin: stdin != nil, tty: resize != nil)
    let client = self.client
    let namespace = self.namespace
    let pod = self.pod
    return try await withThrowingTaskGroup(of: BridgeExecEnd?.self) { group in
      group.addTask {
        .exited(
          try await client.exec(
            namespace: namespace, pod: pod, options, stdin: stdin, resize: resize, stdout: stdout, stderr: stderr))
      }
      if let timeoutSeconds {
        group.addTask {
          try? await Task.sleep(for: .seconds(timeoutSeconds))
          return Task.isCancelled
            ? nil : .timedOut(message: "the command ran longer than its timeout of \(timeoutSeconds)s and was stopped")
        }
      }
      let first = try await group.next() ?? nil
      group.cancelAll()
      return first ?? .lost(message: "the exec ended without a result")
    }
  }

  static func once(_ bytes: [UInt8]) -> AsyncStream<[UInt8]> {
    let (s, c) = AsyncStream<[UInt8]>.makeStream()
    c.yield(bytes)
    c.finish()
    return s
  }
}

actor OutputCollector {
  var bytes: [UInt8] = []
  func add(_ b: ArraySlice<UInt8>) { bytes += b }
}

/// How `exec`-like commands pick their path: `--direct` or the bridge.
enum ExecutorChoice {
  static func make(
    direct: Bool, runner: String, client: KubernetesClient, namespace: String
  ) async throws -> any RunnerExecutor {
    if direct { return try await DirectExecutor.forRunner(runner, client: client, namespace: namespace) }
    return BridgeExecutor(bridge: BridgeExecClient(client: client), namespace: namespace, runner: runner)
  }
}

extension BridgeExecEnd {
  /// The plugin's exit for a command that did not exit by itself (nil when it did: use its
  /// ``shellExitCode``).
  var cliError: CLIError? {
    switch self {
    case .exited, .signaled: return nil
    case .timedOut(let m): return CLIError(.timedOut, m)
    case .outputLimitReached(let m), .lost(let m): return CLIError(.failed, m)
    case .notRun(_, let m): return CLIError(.failed, m)
    }
  }
}
