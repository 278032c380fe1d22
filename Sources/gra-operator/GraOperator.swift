import ArgumentParser
import Foundation

/// The `gra-operator` executable: the operator itself, the local cluster, and generators.
@main
struct GraOperator: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gra-operator",
    abstract: "The gra Kubernetes operator: Runners and TracerJobs for Python workloads.",
    subcommands: [RunCommand.self, LocalCommand.self, CRDsCommand.self, APIDocsCommand.self]
  )

  /// ArgumentParser's `main`, except that a failure is one line on stderr (`Error: what; how to
  /// fix it`) instead of the error, a help excerpt and the usage: an operator's log shows only
  /// the last lines of a crashed container, and they should be the reason. `--help` is unchanged.
  static func main() async {
    do {
      var command = try await asyncParseAsRoot(nil)
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      let code = exitCode(for: error)
      if code == .success || error is CleanExit { exit(withError: error) }
      FileHandle.standardError.write(Data(("Error: " + oneLine(for: error) + "\n").utf8))
      Foundation.exit(code.rawValue)
    }
  }

  /// The error's message on one line, with a pointer to the subcommand's help for usage errors.
  static func oneLine(for error: Error) -> String {
    if let failure = error as? CommandFailure { return failure.description }
    var text = message(for: error)
    // "Please provide one of the following:\n  - a\n  - b" → "one of: a, b".
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
    let choices = lines.filter { $0.hasPrefix("- ") }.map { String($0.dropFirst(2)) }
    text = lines.filter { !$0.hasPrefix("- ") }.joined(separator: " ")
    if !choices.isEmpty {
      text = text.replacingOccurrences(of: "Please provide one of the following:", with: "")
        .trimmingCharacters(in: .whitespaces)
      text += " (one of: " + choices.joined(separator: ", ") + ")"
    }
    if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
    // "The value 'x' is invalid for '--flag <flag>': --flag x: why" → "--flag x: why".
    if text.hasPrefix("The value '"), let r = text.range(of: ">': --") {
      text = String(text[text.index(r.upperBound, offsetBy: -2)...])
    }
    let sub = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") }
      .flatMap { name in configuration.subcommands.first { $0._commandName == name }?._commandName }
    return text + "; see 'gra-operator\(sub.map { " " + $0 } ?? "") --help'"
  }
}
