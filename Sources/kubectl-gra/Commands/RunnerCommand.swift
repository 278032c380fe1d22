import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// Shared plumbing of the runner commands: connect, run, turn any error into the documented
/// exit code and message (JSON with `-o json`).
protocol RunnerCommand: AsyncParsableCommand {
  var global: GlobalOptions { get }
  func execute(client: KubernetesClient, namespace: String) async throws
}

extension RunnerCommand {
  func run() async throws {
    let client: KubernetesClient
    let namespace: String
    do {
      (client, namespace) = try global.connect()
    } catch {
      CLIError(error).exit(output: global.output)
    }
    do {
      try await execute(client: client, namespace: namespace)
      try? await client.shutdown()
    } catch let exit as ExitCode {
      try? await client.shutdown()
      throw exit
    } catch {
      try? await client.shutdown()
      var e = CLIError(error)
      let notFoundKind = (error as? KubeError).flatMap { $0.isNotFound ? ($0.status?.details?.kind ?? "") : nil }
      if e.kind == .notFound, let name = (self as? any NamedRunnerCommand)?.name,
        notFoundKind == "runners" || notFoundKind == ""
      {
        e.message = "runner \"\(name)\" not found in namespace \"\(namespace)\""
      }
      if e.kind == .notFound, let name = (self as? any NamedJobCommand)?.name,
        notFoundKind == "tracerjobs" || notFoundKind == ""
      {
        e.message = "tracerjob \"\(name)\" not found in namespace \"\(namespace)\""
      }
      e.exit(output: global.output)
    }
  }
}

/// A command about one named runner.
protocol NamedRunnerCommand: RunnerCommand {
  var name: String { get }
}

func write(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}

func progress(_ text: String) {
  if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
