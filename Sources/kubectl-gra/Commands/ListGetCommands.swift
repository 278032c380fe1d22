import ArgumentParser
import CRDModels
import KubeClient

struct ListCommand: RunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List Runners.",
    discussion: """
      Examples:
        kubectl gra list
        kubectl gra list -A -o wide
        kubectl gra list -l team=ml -o json
      """, aliases: ["ls"])

  @OptionGroup var global: GlobalOptions
  @Flag(name: [.short, .customLong("all-namespaces")], help: "List across all namespaces.") var allNamespaces = false
  @Option(name: [.short, .customLong("selector")], help: "Label selector, e.g. team=ml.") var selector: String?

  func execute(client: KubernetesClient, namespace: String) async throws {
    let api = allNamespaces ? client.allNamespaces(Runner.self) : client.api(Runner.self, namespace: namespace)
    let list = try await api.listAll(ListParams(labelSelector: selector))
    let runners = list.items.sorted {
      ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "")
    }
    if runners.isEmpty, global.output == .table || global.output == .wide {
      progress(allNamespaces ? "No runners found." : "No runners found in \(namespace) namespace.")
    }
    let pods =
      global.output == .wide
      ? await RunnerImage.pods(of: runners, namespace: allNamespaces ? nil : namespace, client: client) : [:]
    write(try RunnerPrinter.print(runners, format: global.output, allNamespaces: allNamespaces, pods: pods))
  }
}

struct GetCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "get", abstract: "Show one Runner.",
    discussion: """
      Examples:
        kubectl gra get demo
        kubectl gra get demo -o yaml
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String

  func execute(client: KubernetesClient, namespace: String) async throws {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    var pods: [String: Pod] = [:]
    if global.output == .wide, let pod = await RunnerImage.pod(of: runner, client: client) {
      pods[RunnerImage.key(runner)] = pod
    }
    write(try RunnerPrinter.print([runner], format: global.output, pods: pods))
  }
}
