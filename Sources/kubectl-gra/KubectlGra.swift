import ArgumentParser

/// `kubectl gra`: the kubectl plugin for gra runners and tracer jobs.
@main
struct KubectlGra: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kubectl-gra",
    abstract: "Drive gra Runners and TracerJobs (run as `kubectl gra`).",
    discussion: "Most commands are not implemented yet; see the README's table of what works today."
  )
}
