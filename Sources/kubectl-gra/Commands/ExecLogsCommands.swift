import ArgumentParser
import CRDModels
import Foundation
import KubeClient

struct ExecCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec", abstract: "Run a command in a Runner and exit with its exit code.",
    discussion: """
      The exec bridge (runners/exec) is not served yet, so this uses pods/exec on the runner's
      pod and needs that right; --direct says so explicitly and will keep doing it.
      Examples:
        kubectl gra exec demo -- python -c 'print(6*7)'
        echo 'print(1)' | kubectl gra exec -i demo -- python -
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Flag(name: [.short, .customLong("stdin")], help: "Pass standard input to the command.") var stdin = false
  @Flag(help: "Use pods/exec on the runner's pod instead of the exec bridge.") var direct = false
  @Argument(parsing: .postTerminator, help: "The command, after --.") var command: [String] = []

  func validate() throws {
    guard !command.isEmpty else { throw ValidationError("give the command after --, e.g. exec demo -- python -V") }
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let pod = try await RunnerPods.readyPod(name, client: client, namespace: namespace)
    var input: AsyncStream<[UInt8]>?
    if stdin {
      let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
      Thread.detachNewThread {
        while true {
          let data = FileHandle.standardInput.availableData
          if data.isEmpty { break }
          continuation.yield(Array(data))
        }
        continuation.finish()
      }
      input = stream
    }
    let code = try await client.exec(
      namespace: namespace, pod: pod, ExecOptions(command: command, stdin: stdin), stdin: input,
      stdout: { FileHandle.standardOutput.write(Data($0)) }, stderr: { FileHandle.standardError.write(Data($0)) })
    if code != 0 { throw ExitCode(code) }
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
        "runner \"\(name)\" is not ready (\(runner.status?.phase?.rawValue ?? "Pending")\(ready.map { ": \($0.reason) \($0.message)" } ?? "")); try `kubectl gra wait \(name)`")
    }
    return pod
  }
}
