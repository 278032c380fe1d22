import CRDModels
import Foundation

/// Prints TracerJobs in every `-o` format.
enum JobPrinter {
  static func print(
    _ jobs: [TracerJob], format: OutputFormat, allNamespaces: Bool = false, now: Date = Date()
  ) throws -> String {
    switch format {
    case .name:
      return jobs.map { "tracerjob.gra.dev/\($0.metadata.name ?? "")\n" }.joined()
    case .json:
      if jobs.count == 1 { return try RunnerPrinter.json(jobs[0]) }
      return try RunnerPrinter.json(ObjectList(apiVersion: "v1", kind: "List", items: jobs))
    case .yaml:
      let value =
        jobs.count == 1
        ? try JSONValue(encoding: jobs[0])
        : try JSONValue(encoding: ObjectList(apiVersion: "v1", kind: "List", items: jobs))
      return try YAMLOutput.render(value)
    case .table, .wide:
      var headers = ["NAME", "PHASE", "ATTEMPTS", "EXIT", "DURATION", "AGE"]
      if allNamespaces { headers.insert("NAMESPACE", at: 0) }
      if format == .wide { headers += ["RUNNER", "POD", "REASON"] }
      var table = TablePrinter(headers: headers)
      for j in jobs {
        let s = j.status
        var row = [
          j.metadata.name ?? "", s?.phase?.rawValue ?? "Pending", s?.attempts.map(String.init) ?? "0",
          s?.exitCode.map(String.init) ?? "", s?.duration ?? "",
          RunnerPrinter.age(j.metadata.creationTimestamp, now: now),
        ]
        if allNamespaces { row.insert(j.metadata.namespace ?? "", at: 0) }
        if format == .wide { row += [j.spec?.runnerRef?.name ?? "", s?.podName ?? "", s?.reason ?? ""] }
        table.add(row)
      }
      return jobs.isEmpty ? "" : table.render()
    }
  }

  /// A `kubectl describe`-like view: spec summary, status, attempts, artifacts, conditions.
  static func describe(_ j: TracerJob) -> String {
    let s = j.status
    let spec = j.spec ?? TracerJobSpec()
    let what: String
    if let m = spec.module {
      what = "python -m \(m)"
    } else if let sc = spec.script {
      what = sc.contains("\n") ? "inline script (\(sc.split(separator: "\n").count) lines)" : "python \(sc)"
    } else if let c = spec.command {
      what = c.joined(separator: " ")
    } else {
      what = "python -m \(GraDefaults.tracerModule)"
    }
    var out = """
      Name:        \(j.metadata.name ?? "")
      Namespace:   \(j.metadata.namespace ?? "")
      Runs:        \(what)\((spec.args ?? []).isEmpty ? "" : " " + (spec.args ?? []).joined(separator: " "))
      Runner:      \(spec.runnerRef?.name ?? "<none>")
      Phase:       \(s?.phase?.rawValue ?? "Pending")
      Attempts:    \(s?.attempts ?? 0)
      Exit code:   \(s?.exitCode.map(String.init) ?? "<none>")
      Reason:      \(s?.reason ?? "<none>")
      Duration:    \(s?.duration ?? "<none>")

      """
    if let m = s?.message, !m.isEmpty {
      out +=
        "Message:\n"
        + m.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
    if let attempts = s?.attemptStatuses, !attempts.isEmpty {
      var t = TablePrinter(headers: ["  Attempt", "Pod", "Exit", "Reason", "Action"])
      for a in attempts {
        t.add([
          "  \(a.attempt)", a.podName ?? "", a.exitCode.map(String.init) ?? "", a.reason ?? "",
          a.action?.rawValue ?? "",
        ])
      }
      out += "Attempts:\n" + t.render()
    }
    if let arts = s?.artifacts, !arts.isEmpty {
      var t = TablePrinter(headers: ["  Path", "Size", "Sha256", "Location"])
      for a in arts { t.add(["  " + a.path, String(a.size), String(a.sha256.prefix(16)), a.location ?? ""]) }
      out += "Artifacts:\n" + t.render()
    }
    out += "Conditions:\n"
    if let cs = s?.conditions, !cs.isEmpty {
      var t = TablePrinter(headers: ["  Type", "Status", "Reason", "Message"])
      for c in cs { t.add(["  " + c.type, c.status.rawValue, c.reason, c.message]) }
      out += t.render()
    } else {
      out += "  <none>\n"
    }
    return out
  }
}
