import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// `kubectl gra completion SHELL`: shell completion scripts.
struct CompletionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "completion", abstract: "Print a shell completion script (bash, zsh, fish, or kubectl-plugin).",
    discussion: """
      bash, zsh and fish complete the `kubectl-gra` command itself. `kubectl-plugin` prints
      the `kubectl_complete-gra` helper with which kubectl (1.26+) completes `kubectl gra …`
      (subcommands, runner and tracer job names); put it on the PATH next to kubectl-gra.
      Examples:
        source <(kubectl gra completion bash)
        kubectl gra completion zsh > "${fpath[1]}/_kubectl-gra"
        kubectl gra completion kubectl-plugin > ~/bin/kubectl_complete-gra && chmod +x ~/bin/kubectl_complete-gra
      """)
  @Argument(help: "bash, zsh, fish or kubectl-plugin.") var shell: String

  func validate() throws {
    guard ["bash", "zsh", "fish", "kubectl-plugin"].contains(shell) else {
      throw ValidationError("shell \"\(shell)\": use bash, zsh, fish or kubectl-plugin")
    }
  }

  func run() throws {
    switch shell {
    case "kubectl-plugin": write(Self.kubectlPluginScript)
    default:
      let script = KubectlGra.completionScript(for: CompletionShell(rawValue: shell)!)
      write(script.hasSuffix("\n") ? script : script + "\n")
    }
  }

  static let kubectlPluginScript = """
    #!/bin/sh
    # kubectl_complete-gra: lets kubectl complete `kubectl gra …` (kubectl 1.26+ runs this with
    # the words typed after `kubectl gra`).
    exec kubectl-gra __complete "$@"

    """
}

/// The hidden `__complete` protocol kubectl's plugin completion speaks (Cobra's): the words
/// typed so far, the last one being completed; answers one candidate per line and then
/// `:DIRECTIVE` (4 = do not complete file names).
struct CompleteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "__complete", shouldDisplay: false)
  @Argument(parsing: .captureForPassthrough) var words: [String] = []

  static let runnerCommands: Set<String> = [
    "get", "delete", "suspend", "resume", "wait", "describe", "exec", "python", "logs", "ssh", "ssh-proxy",
    "config-ssh",
  ]
  static let jobCommands: Set<String> = ["get", "describe", "logs", "wait", "delete"]

  /// What kind of name the last word is, if any: `(runner|job, prefix)`; or the static candidates.
  enum Want: Equatable {
    case candidates([String])
    case runners(String)
    case jobs(String)
    case nothing
  }

  static func want(_ words: [String], subcommands: [String]) -> Want {
    guard let current = words.last else { return .candidates(subcommands) }
    let before = Array(words.dropLast()).filter { !$0.hasPrefix("-") }
    if current.hasPrefix("-") || words.dropLast().contains("--") { return .nothing }
    switch before.count {
    case 0: return .candidates(subcommands.filter { $0.hasPrefix(current) })
    case 1:
      if before[0] == "jobs" {
        return .candidates(["list", "get", "describe", "logs", "wait", "delete"].filter { $0.hasPrefix(current) })
      }
      if before[0] == "results" { return .jobs(current) }
      if runnerCommands.contains(before[0]) { return .runners(current) }
      if before[0] == "cp" { return .runners(current) }
      if before[0] == "completion" {
        return .candidates(["bash", "zsh", "fish", "kubectl-plugin"].filter { $0.hasPrefix(current) })
      }
      return .nothing
    case 2:
      if before[0] == "jobs", jobCommands.contains(before[1]) { return .jobs(current) }
      if before[0] == "cp" { return .runners(current) }
      return .nothing
    default: return .nothing
    }
  }

  func run() async throws {
    let subs = KubectlGra.configuration.subcommands.map { $0.configuration.commandName ?? "" }
      .filter { !$0.isEmpty && !$0.hasPrefix("_") }
    var out: [String] = []
    switch Self.want(words, subcommands: subs) {
    case .candidates(let c): out = c
    case .nothing: break
    case .runners(let prefix), .jobs(let prefix):
      let wantJobs = Self.want(words, subcommands: subs) == .jobs(prefix)
      if var config = try? ClientConfiguration.load() {
        config.requestTimeout = .seconds(3)
        if let client = try? KubernetesClient(configuration: config, logger: .quiet) {
          let names: [String]
          if wantJobs {
            names = (try? await client.api(TracerJob.self).list().items.compactMap(\.metadata.name)) ?? []
          } else {
            names = (try? await client.api(Runner.self).list().items.compactMap(\.metadata.name)) ?? []
          }
          try? await client.shutdown()
          out = names.filter { $0.hasPrefix(prefix) }.map { words.first == "cp" ? $0 + ":" : $0 }
        }
      }
    }
    write(out.map { $0 + "\n" }.joined() + ":4\n")
  }
}
