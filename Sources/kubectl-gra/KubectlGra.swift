import ArgumentParser
import Foundation

/// `kubectl gra`: the kubectl plugin for gra runners and tracer jobs.
@main
struct KubectlGra: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kubectl-gra",
    abstract: "Drive gra Runners (run as `kubectl gra`).",
    discussion: """
      Exit codes: 0 ok, 1 error, 2 bad usage, 3 not found, 4 forbidden or unauthorized,
      5 timed out; `exec`, `python` and `ssh` exit with the remote command's code, `run --wait`
      and `jobs wait` with the job's. `-o json` prints errors as
      {"error": {"reason", "message", "exitCode"}} on stdout. Commands that run something in a
      runner go through the exec bridge (runners/exec); --direct uses pods/exec. See
      docs/plugin.md.
      """,
    subcommands: [
      CreateCommand.self, ListCommand.self, GetCommand.self, DeleteCommand.self, SuspendCommand.self,
      ResumeCommand.self, WaitCommand.self, DescribeCommand.self, ExecCommand.self, PythonCommand.self,
      LogsCommand.self, CpCommand.self, RunCommand.self, JobsCommand.self, ResultsCommand.self, SSHCommand.self,
      SSHProxyCommand.self, ConfigSSHCommand.self, CompletionCommand.self, CompleteCommand.self, MCPCommand.self,
    ]
  )

  /// Runs the command; bad usage (unknown flags, invalid values) exits 2 as documented,
  /// not ArgumentParser's 64.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      if exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      exit(withError: error)
    }
  }
}
