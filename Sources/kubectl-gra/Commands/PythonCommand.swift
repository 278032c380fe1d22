import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// The seeds' execPython / runScript / runModule helpers as one command.
struct PythonCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "python", abstract: "Run Python in a Runner: code, a local script, or a module.",
    discussion: """
      Exits with Python's exit code.
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
  @Argument(parsing: .postTerminator, help: "Arguments for the program, after --.") var args: [String] = []

  func validate() throws {
    let given = [code != nil, module != nil, script != nil].filter { $0 }.count
    guard given == 1 else { throw ValidationError("give exactly one of -c CODE, -m MODULE or a FILE.py") }
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
    let pod = try await RunnerPods.readyPod(name, client: client, namespace: namespace)
    var stdin: AsyncStream<[UInt8]>?
    if let input {
      let (s, c) = AsyncStream<[UInt8]>.makeStream()
      c.yield(input)
      c.finish()
      stdin = s
    }
    let code = try await client.exec(
      namespace: namespace, pod: pod, ExecOptions(command: command, stdin: input != nil), stdin: stdin,
      stdout: { FileHandle.standardOutput.write(Data($0)) }, stderr: { FileHandle.standardError.write(Data($0)) })
    if code != 0 { throw ExitCode(code) }
  }
}
