import CRDModels
import Foundation
import Yams

/// Prints Runners in every `-o` format.
enum RunnerPrinter {
  /// `pods` (keyed by ``RunnerImage/key(_:)``) give `-o wide` the image each Runner's pod runs.
  static func print(
    _ runners: [Runner], format: OutputFormat, allNamespaces: Bool = false, now: Date = Date(),
    pods: [String: Pod] = [:]
  ) throws
    -> String
  {
    switch format {
    case .name:
      return runners.map { "runner.gra.dev/\($0.metadata.name ?? "")\n" }.joined()
    case .json:
      if runners.count == 1 { return try json(runners[0]) }
      return try json(ObjectList(apiVersion: "v1", kind: "List", items: runners))
    case .yaml:
      let value =
        runners.count == 1
        ? try JSONValue(encoding: runners[0])
        : try JSONValue(encoding: ObjectList(apiVersion: "v1", kind: "List", items: runners))
      return try YAMLOutput.render(value)
    case .table, .wide:
      var headers = ["NAME", "PHASE", "READY", "IDLE", "AGE"]
      if allNamespaces { headers.insert("NAMESPACE", at: 0) }
      if format == .wide { headers += ["POD", "NODE", "IMAGE", "SSH"] }
      var table = TablePrinter(headers: headers)
      for r in runners {
        var row = [
          r.metadata.name ?? "", r.status?.phase?.rawValue ?? "Pending", condition(r, GraConditions.ready),
          condition(r, GraConditions.idle), age(r.metadata.creationTimestamp, now: now),
        ]
        if allNamespaces { row.insert(r.metadata.namespace ?? "", at: 0) }
        if format == .wide {
          let ssh = r.status?.ssh.flatMap { s in s.host.map { "\($0):\(s.port.map(String.init) ?? "22")" } } ?? ""
          row += [
            r.status?.podName ?? "", r.status?.nodeName ?? "", RunnerImage.shown(r, pod: pods[RunnerImage.key(r)]), ssh,
          ]
        }
        table.add(row)
      }
      return runners.isEmpty ? "" : table.render()
    }
  }

  static func condition(_ r: Runner, _ type: String) -> String {
    r.status?.conditions?[type: type]?.status.rawValue ?? ""
  }

  static func age(_ t: Time?, now: Date) -> String {
    guard let t else { return "" }
    return HumanDuration.format(seconds: Int(now.timeIntervalSince(t.date)))
  }

  static func json<T: Encodable>(_ v: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try e.encode(v), as: UTF8.self) + "\n"
  }
}

/// YAML output, with keys sorted as kubectl's are.
enum YAMLOutput {
  static func render(_ value: JSONValue) throws -> String {
    try Yams.serialize(node: node(value), sortKeys: true)
  }

  /// Strings YAML would read back as a number, time, bool or null (`"1"`, `"2024-01-01T00:00:00Z"`,
  /// `"true"`, `"~"`) are
  /// quoted, as kubectl quotes them.
  static func looksLikeAnotherType(_ s: String) -> Bool {
    if s.isEmpty || s.first!.isNumber || Double(s) != nil { return true }
    return ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(s.lowercased())
  }

  static func node(_ v: JSONValue) -> Node {
    switch v {
    case .null: return Node("null", Tag(.null))
    case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
    case .int(let i): return Node(String(i), Tag(.int))
    case .double(let d): return Node(String(d), Tag(.float))
    case .string(let s): return Node(s, Tag(.str), looksLikeAnotherType(s) ? .doubleQuoted : .any)
    case .array(let a): return Node(a.map(node))
    case .object(let o): return Node(o.sorted { $0.key < $1.key }.map { (Node($0.key), node($0.value)) })
    }
  }
}
