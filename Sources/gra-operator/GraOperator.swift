import ArgumentParser

/// The `gra-operator` executable: the operator itself, the local cluster, and generators.
@main
struct GraOperator: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gra-operator",
    abstract: "The gra Kubernetes operator: Runners and TracerJobs for Python workloads.",
    subcommands: [RunCommand.self, LocalCommand.self, CRDsCommand.self, APIDocsCommand.self]
  )
}
