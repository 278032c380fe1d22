import ArgumentParser

/// `gra-bench`: the benchmarks whose figures are recorded in BENCHMARKS.md.
@main
struct GraBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gra-bench", abstract: "Measure gra on the local cluster; figures go to BENCHMARKS.md.",
    subcommands: [Runtime.self, ExecBridge.self])

  struct Runtime: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Controller runtime: time to synced, memory per cached object, no-op reconciles per second.")
    @Option(help: "How many objects.") var objects = 10_000
    func run() async throws {
      let rows = try await ControllerRuntimeBenchmark(objects: objects).run()
      for (k, v) in rows { print("| \(k) | \(v) |") }
    }
  }

  struct ExecBridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "exec-bridge",
      abstract: "Exec bridge vs direct pods/exec: latency of `true`, throughput of a large stdout.")
    @Option(help: "Runs of `true` per path.") var iterations = 50
    @Option(help: "Size of the large stdout, in MiB.") var megabytes = 100
    func run() async throws {
      let rows = try await ExecBridgeBenchmark(iterations: iterations, megabytes: megabytes).run()
      for (k, v) in rows { print("| \(k) | \(v) |") }
    }
  }
}
