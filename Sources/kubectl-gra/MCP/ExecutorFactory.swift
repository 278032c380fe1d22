import KubeClient

/// Makes the ``RunnerExecutor`` for one runner. `kubectl gra mcp` always uses the exec bridge
/// (`runners/exec` through the API server, as the caller); tests pass a fake.
typealias ExecutorFactory = @Sendable (_ namespace: String, _ runner: String) -> any RunnerExecutor

enum ExecutorFactories {
  static func bridge(_ client: KubernetesClient) -> ExecutorFactory {
    let bridge = BridgeExecClient(client: client)
    return { namespace, runner in
      BridgeExecutor(bridge: bridge, namespace: namespace, runner: runner)
    }
  }
}

/// A finished command: how it ended and everything it wrote (the bridge bounds that by the
/// runner's `spec.exec.outputLimitBytes`, 10 MiB by default).
struct RunnerExecResult: Sendable, Equatable {
  var end: BridgeExecEnd
  var stdout: [UInt8] = []
  var stderr: [UInt8] = []
}

/// What the MCP tools run: the bridge request's fields, with `env` applied with `env(1)`
/// since ``RunnerExecutor`` has no environment of its own.
struct ExecSpec: Sendable, Equatable {
  var command: [String]
  var stdin: String?
  var env: [String: String]?
  var workingDir: String?
  var timeoutSeconds: Int?

  var commandLine: [String] {
    guard let env, !env.isEmpty else { return command }
    return ["env"] + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command
  }
}

extension RunnerExecutor {
  func run(_ spec: ExecSpec) async throws -> RunnerExecResult {
    let out = try await collect(
      spec.commandLine, stdin: spec.stdin, workingDir: spec.workingDir,
      timeoutSeconds: spec.timeoutSeconds)
    return RunnerExecResult(end: out.end, stdout: out.stdout, stderr: out.stderr)
  }
}
