import ArgumentParser
import CRDModels
import Foundation
import KubeClient

struct DescribeCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "describe", abstract: "Show a Runner's status, conditions and recent events.",
    discussion: "Example:\n  kubectl gra describe demo")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String

  func execute(client: KubernetesClient, namespace: String) async throws {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    // Events are filtered here rather than with an involvedObject field selector, which not
    // every API server (nor the local one) supports.
    let events = try await client.api(CoreEvent.self, namespace: namespace).listAll().items
      .filter { $0.involvedObject?.uid == runner.metadata.uid }
      .sorted {
        ($0.lastTimestamp ?? $0.firstTimestamp ?? Time(Date.distantPast))
          < ($1.lastTimestamp ?? $1.firstTimestamp ?? Time(Date.distantPast))
      }
    if global.output == .json {
      var v = try JSONValue(encoding: runner)
      v["events"] = .array(try events.map { try JSONValue(encoding: $0) })
      write(try RunnerPrinter.json(v))
      return
    }
    let pod = await RunnerImage.pod(of: runner, client: client)
    write(Self.render(runner, events: events, now: Date(), pod: pod))
  }

  /// `pod` is the Runner's pod, if any: its image is the one shown.
  static func render(_ r: Runner, events: [CoreEvent], now: Date, pod: Pod? = nil) -> String {
    let s = r.status
    var out = """
      Name:           \(r.metadata.name ?? "")
      Namespace:      \(r.metadata.namespace ?? "")
      Image:          \(RunnerImage.shown(r, pod: pod))
      Phase:          \(s?.phase?.rawValue ?? "Pending")
      Suspended:      \(r.spec?.suspend == true ? "yes" : "no")
      Pod:            \(s?.podName ?? "<none>")\(s?.nodeName.map { " on \($0)" } ?? "")
      Pod IP:         \(s?.podIP ?? "<none>")
      Workspace:      \(s?.workspaceClaim ?? "<none>")
      SSH:            \(s?.ssh?.command ?? s?.ssh?.host ?? "<none>")
      Restarts:       \(s?.restartCount ?? 0)
      Last activity:  \(s?.lastActivityTime?.description ?? "<none>")

      """
    out += "Conditions:\n"
    var table = TablePrinter(headers: ["  Type", "Status", "Reason", "Message"])
    for c in s?.conditions ?? [] { table.add(["  " + c.type, c.status.rawValue, c.reason, c.message]) }
    out += (s?.conditions?.isEmpty ?? true) ? "  <none>\n" : table.render()
    out += "Events:\n"
    if events.isEmpty { return out + "  <none>\n" }
    var ev = TablePrinter(headers: ["  Type", "Reason", "Age", "From", "Message"])
    for e in events.suffix(20) {
      let age = RunnerPrinter.age(e.lastTimestamp ?? e.firstTimestamp, now: now)
      let count = (e.count ?? 1) > 1 ? " (x\(e.count!))" : ""
      ev.add([
        "  " + (e.type ?? "Normal"), e.reason ?? "", age + count, e.source?.component ?? e.reportingComponent ?? "",
        e.message ?? "",
      ])
    }
    return out + ev.render()
  }
}
