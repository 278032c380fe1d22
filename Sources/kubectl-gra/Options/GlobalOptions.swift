import ArgumentParser
import Foundation
import KubeClient

/// The flags every `kubectl gra` command takes, spelled as kubectl spells them.
struct GlobalOptions: ParsableArguments {
  @Option(help: "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
  var kubeconfig: String?
  @Option(help: "The kubeconfig context to use.")
  var context: String?
  @Option(name: [.short, .long], help: "The namespace (default: the context's namespace).")
  var namespace: String?
  @Option(name: [.short, .customLong("output")], help: "Output format: table, wide, json, yaml, name.")
  var output: OutputFormat = .table

  /// A client for the selected cluster and the namespace to use.
  func connect() throws -> (KubernetesClient, String) {
    var environment = ProcessInfo.processInfo.environment
    if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
    let config: ClientConfiguration
    do {
      config = try ClientConfiguration.load(
        overrides: KubeconfigOverrides(context: context, namespace: namespace), environment: environment)
    } catch {
      throw CLIError(.usage, "\(error)")
    }
    let client = try KubernetesClient(configuration: config, logger: .quiet)
    return (client, namespace ?? config.namespace)
  }
}
