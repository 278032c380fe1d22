import ArgumentParser
import CRDModels
import Foundation
import KubeClient

struct ExecCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec", abstract: "Run a command in a Runner and exit with its exit code.",
    discussion: """
      Goes through the exec bridge (runners/exec): you need `create` on runners/exec (API
      groups exec.gra.dev and gra.dev), not on pods/exec. Output is streamed as it is produced.
      With -i, standard input is read to its end and sent with the command (text, up to about
      1 MiB). -t gives the command a terminal over the bridge's WebSocket (the API server must
      pass the upgrade through to the bridge). --direct uses pods/exec on the runner's pod
      instead: stdin streams there, binary too.
      Exits with the command's exit code (128+N when signal N killed it); 5 when --timeout
      stopped it; 1 when it could not run (runner suspended or not ready, output limit reached).
      With -o json, prints {"exitCode", "stdout", "stderr", ...} once the command ended.
      Examples:
        kubectl gra exec demo -- python -c 'print(6*7)'
        echo 'print(1)' | kubectl gra exec -i demo -- python -
        kubectl gra exec demo -e MODE=fast -w /workspace/src --timeout 10m -- make test
        kubectl gra exec demo -o json -- ls /workspace
        kubectl gra exec -it demo -- bash
        kubectl gra exec demo --detach -- python train.py      # prints an exec id
        kubectl gra exec demo --attach 3f2a9c --offset 0       # its output, then its exit code
        kubectl gra exec demo --kill 3f2a9c --signal INT
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Flag(name: [.customShort("i"), .customLong("stdin")], help: "Pass standard input to the command.") var stdin = false
  @Flag(name: [.short, .customLong("tty")], help: "Give the command a terminal.") var tty = false
  @Flag(help: "Use pods/exec on the runner's pod instead of the exec bridge.") var direct = false
  @Option(name: [.short, .customLong("env")], help: "An environment variable KEY=VALUE (repeatable).") var env:
    [String] = []
  @Option(name: [.short, .customLong("workdir")], help: "Working directory (absolute) in the runner.") var workdir:
    String?
  @Option(help: "Stop the command after this long, e.g. 90s or 10m (default: the runner's exec timeout).") var timeout:
    String?
  @Flag(help: "Start a durable exec that keeps running without this client; prints its id.") var detach = false
  @Option(help: "Follow the output of durable exec ID until it ends, and exit with its code.") var attach: String?
  @Option(help: "With --attach: start at this byte of the output.") var offset = 0
  @Option(help: "Signal durable exec ID (with --signal, default TERM).") var kill: String?
  @Option(help: "With --kill: TERM, INT, KILL, HUP...") var signal: String?
  @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

  func validate() throws {
    if attach != nil || kill != nil {
      guard command.isEmpty, !detach, !(attach != nil && kill != nil) else {
        throw ValidationError("--attach ID and --kill ID take no command and go alone")
      }
      return
    }
    guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. exec demo -- python -V") }
    if detach && (tty || stdin || direct) {
      throw ValidationError("--detach runs through the bridge without stdin or a terminal")
    }
    for e in env where !e.contains("=") || e.hasPrefix("=") {
      throw ValidationError("--env \"\(e)\": use KEY=VALUE")
    }
    if let workdir, !workdir.hasPrefix("/") {
      throw ValidationError("--workdir \"\(workdir)\": must be an absolute path")
    }
  }

  /// The command line with `env` applied through env(1), as the bridge request has no
  /// separate field for it here.
  var commandLine: [String] { env.isEmpty ? command : ["env"] + env + command }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let seconds = try timeout.map { try Int(parseTimeout($0).components.seconds) }
    let run = RemoteRun(runner: name, namespace: namespace, command: command, json: global.output == .json)
    if detach || attach != nil || kill != nil {
      try await durable(BridgeExecClient(client: client), namespace: namespace, seconds: seconds, run: run)
      return
    }
    var resize: AsyncStream<TerminalSize>?
    var terminal: TerminalMode?
    if tty {
      let (s, c) = AsyncStream<TerminalSize>.makeStream()
      if let size = TerminalMode.size() { c.yield(TerminalSize(width: size.width, height: size.height)) }
      resize = s
      terminal = TerminalMode(raw: stdin)
    }
    defer { terminal?.restore() }
    if direct {
      let input = stdin ? Self.streamStandardInput() : nil
      let executor = try await DirectExecutor.forRunner(name, client: client, namespace: namespace)
      try await run.run { out, err in
        try await executor.runBytes(
          commandLine, stdin: input, workingDir: workdir, timeoutSeconds: seconds, resize: resize, stdout: out,
          stderr: err)
      }
      return
    }
    let bridge = BridgeExecClient(client: client)
    if tty {
      // A terminal needs the bridge's WebSocket (stdin streams there); it has no working
      // directory field, so env -C sets it.
      let input = stdin ? Self.streamStandardInput() : nil
      let line = workdir.map { ["env", "-C", $0] + commandLine } ?? commandLine
      let options = BridgeStreamOptions(command: line, stdin: stdin, tty: true, timeoutSeconds: seconds)
      try await run.run { out, err in
        try await bridge.stream(
          namespace: namespace, runner: name, options, stdin: input, resize: resize, stdout: out, stderr: err)
      }
      return
    }
    var text: String?
    if stdin {
      let data = FileHandle.standardInput.readDataToEndOfFile()
      guard let t = String(validating: Array(data), as: UTF8.self) else {
        throw CLIError(
          .usage, "standard input is not UTF-8 text; the exec bridge takes text stdin (use --direct for binary input)")
      }
      text = t
    }
    let executor = BridgeExecutor(bridge: bridge, namespace: namespace, runner: name)
    try await run.run { out, err in
      try await executor.run(
        commandLine, stdin: text, workingDir: workdir, timeoutSeconds: seconds, stdout: out, stderr: err)
    }
  }

  /// `--detach`, `--attach ID`, `--kill ID`: durable execs on the bridge.
  func durable(_ bridge: BridgeExecClient, namespace: String, seconds: Int?, run: RemoteRun) async throws {
    if let id = kill {
      let v = try await bridge.cancel(namespace: namespace, runner: name, id: id, signal: signal)
      write(global.output == .json ? try RunnerPrinter.json(v) : "exec \(id) signalled (\(signal ?? "TERM"))\n")
      return
    }
    if let id = attach {
      try await run.run { out, err in
        try await bridge.attach(
          namespace: namespace, runner: name, id: id, offset: offset, follow: true, stdout: out, stderr: err)
          ?? .lost(message: "the exec bridge stopped following exec \(id) before it ended; attach again")
      }
      return
    }
    let started = try await bridge.start(
      namespace: namespace, runner: name,
      BridgeExecRequest(command: commandLine, workingDir: workdir, timeoutSeconds: seconds))
    if global.output == .json {
      write(try RunnerPrinter.json(started.object))
    } else {
      write("\(started.id)\n")
      progress("follow it with: kubectl gra exec \(name) --attach \(started.id)")
    }
  }

  /// Standard input as it arrives (a thread blocks on the reads, not the cooperative pool).
  static func streamStandardInput() -> AsyncStream<[UInt8]> {
    let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
    Thread.detachNewThread {
      while true {
        let data = FileHandle.standardInput.availableData
        if data.isEmpty { break }
        continuation.yield(Array(data))
      }
      continuation.finish()
    }
    return stream
  }
}

struct LogsCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs", abstract: "Print a Runner's log (its pod's).",
    discussion: """
      Examples:
        kubectl gra logs demo
        kubectl gra logs demo -f --tail 20
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Flag(name: [.short, .long], help: "Follow the log.") var follow = false
  @Option(help: "Lines from the end to show.") var tail: Int?

  func execute(client: KubernetesClient, namespace: String) async throws {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    guard let pod = runner.status?.podName else {
      throw CLIError(.failed, "runner \"\(name)\" has no pod (phase \(runner.status?.phase?.rawValue ?? "Pending"))")
    }
    var options = LogOptions()
    options.follow = follow
    options.tailLines = tail
    for try await chunk in client.logs(namespace: namespace, pod: pod, options) {
      FileHandle.standardOutput.write(Data(chunk))
    }
  }
}

/// Finding the pod behind a runner, with errors that say what to do.
enum RunnerPods {
  static func readyPod(_ name: String, client: KubernetesClient, namespace: String) async throws -> String {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    if runner.spec?.suspend == true {
      throw CLIError(.failed, "runner \"\(name)\" is suspended; run `kubectl gra resume \(name)` first")
    }
    guard let pod = runner.status?.podName,
      runner.status?.conditions?[type: GraConditions.ready]?.status == .true
    else {
      let ready = runner.status?.conditions?[type: GraConditions.ready]
      throw CLIError(
        .failed,
        "runner \"\(name)\" is not ready (\(runner.status?.phase?.rawValue ?? "Pending")\(ready.map { ": \($0.reason) \($0.message)" } ?? "")); try `kubectl gra wait \(name)`"
      )
    }
    return pod
  }
}
