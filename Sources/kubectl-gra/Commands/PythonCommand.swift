import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// The seeds' execPython / runScript / runModule helpers as one command.
struct PythonCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "python", abstract: "Run Python in a Runner: code, a local script, or a module.",
    discussion: """
      Runs through the exec bridge (runners/exec) like exec; --direct uses pods/exec. A local
      file is sent on stdin (python3 -), so it needs no copy first. Exits with Python's exit
      code; -o json prints {"exitCode", "stdout", "stderr", ...}.
      Examples:
        kubectl gra python demo -c 'import sys; print(sys.version)'
        kubectl gra python demo train.py -- --epochs 3      # a local file, sent on stdin
        kubectl gra python demo -m gradienttracer --help
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Option(name: .short, help: "Code to run.") var code: String?
  @Option(name: .short, help: "A module to run (python -m).") var module: String?
  @Argument(help: "A local .py file to run in the runner.") var script: String?
  @Option(name: [.short, .customLong("workdir")], help: "Working directory (absolute) in the runner.") var workdir:
    String?
  @Option(help: "Stop Python after this long, e.g. 90s or 10m (default: the runner's exec timeout).") var timeout:
    String?
  @Flag(help: "Use pods/exec on the runner's pod instead of the exec bridge.") var direct = false
  @Argument(parsing: .postTerminator, help: "Arguments for the program, after --.") var args: [String] = []

  func validate() throws {
    let given = [code != nil, module != nil, script != nil].filter { $0 }.count
    guard given == 1 else { throw ValidationError("give exactly one of -c CODE, -m MODULE or a FILE.py") }
    if let workdir, !workdir.hasPrefix("/") {
      throw ValidationError("--workdir \"\(workdir)\": must be an absolute path")
    }
  }

  /// The command line run in the pod, and the bytes sent on its stdin.
  func invocation() throws -> ([String], [UInt8]?) {
    if let code { return (["python3", "-c", code] + args, nil) }
    if let module { return (["python3", "-m", module] + args, nil) }
    let path = (script! as NSString).expandingTildeInPath
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError(.usage, "\(script!): cannot read the file")
    }
    return (["python3", "-"] + args, Array(data))
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let (command, input) = try invocation()
    let run = RemoteRun(runner: name, namespace: namespace, command: command, json: global.output == .json)
    let seconds = try timeout.map { try Int(parseTimeout($0).components.seconds) }
    var text: String?
    if let input {
      guard let t = String(validating: input, as: UTF8.self) else {
        throw CLIError(.usage, "\(script ?? "the script") is not UTF-8 text")
      }
      text = t
    }
    let executor = try await ExecutorChoice.make(direct: direct, runner: name, client: client, namespace: namespace)
    try await run.run { out, err in
      try await executor.run(
        command, stdin: text, workingDir: workdir, timeoutSeconds: seconds, stdout: out, stderr: err)
    }
  }
}
