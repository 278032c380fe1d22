import Foundation

/// The `Host gra-NAME` entries `kubectl gra config-ssh` keeps in an ssh config file, inside
/// one marked block so that re-running it replaces its own entries and nothing else.
struct SSHConfigBlock: Equatable {
  static let begin = "# BEGIN kubectl gra config-ssh (managed: entries here are rewritten by kubectl gra config-ssh)"
  static let end = "# END kubectl gra config-ssh"

  /// One host entry: its alias and its option lines (without indentation).
  struct Entry: Equatable {
    var host: String
    var options: [(String, String)]

    static func == (a: Entry, b: Entry) -> Bool {
      a.host == b.host && a.options.map { "\($0.0) \($0.1)" } == b.options.map { "\($0.0) \($0.1)" }
    }

    var text: String {
      (["Host \(host)"] + options.map { "  \($0.0) \($0.1)" }).joined(separator: "\n")
    }
  }

  var entries: [Entry] = []

  /// The entry for a runner: `ssh gra-NAME` then goes through `ProxyCommand`. Host keys are
  /// not pinned: a runner's pod gets new ones when it is replaced, and the tunnel itself is
  /// authenticated by the Kubernetes API connection.
  static func entry(host: String, user: String, proxyCommand: [String], identityFile: String?) -> Entry {
    var o: [(String, String)] = [
      ("HostName", host), ("User", user), ("ProxyCommand", proxyCommand.map(quote).joined(separator: " ")),
      ("StrictHostKeyChecking", "no"), ("UserKnownHostsFile", "/dev/null"), ("LogLevel", "ERROR"),
      ("ServerAliveInterval", "30"),
    ]
    if let identityFile {
      o.append(("IdentityFile", quote(identityFile)))
      o.append(("IdentitiesOnly", "yes"))
    }
    return Entry(host: host, options: o)
  }

  /// Quotes a word for ssh_config when needed (ssh splits on spaces, honours double quotes).
  static func quote(_ s: String) -> String {
    guard s.isEmpty || s.contains(where: { " \t\"'\\#".contains($0) }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// Splits a config file into the text before the block, the block, and the text after.
  static func parse(_ file: String) -> (before: String, block: SSHConfigBlock, after: String) {
    let lines = file.components(separatedBy: "\n")
    guard let b = lines.firstIndex(of: begin), let e = lines[b...].firstIndex(of: end) else {
      return (file, SSHConfigBlock(), "")
    }
    var block = SSHConfigBlock()
    for line in lines[(b + 1)..<e] {
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.isEmpty || t.hasPrefix("#") { continue }
      let parts = t.split(separator: " ", maxSplits: 1).map(String.init)
      if parts[0] == "Host" {
        block.entries.append(Entry(host: parts.count > 1 ? parts[1] : "", options: []))
      } else if !block.entries.isEmpty {
        block.entries[block.entries.count - 1].options.append((parts[0], parts.count > 1 ? parts[1] : ""))
      }
    }
    return (lines[..<b].joined(separator: "\n"), block, lines[(e + 1)...].joined(separator: "\n"))
  }

  /// Adds or replaces entries by host.
  mutating func upsert(_ new: [Entry]) {
    for n in new {
      if let i = entries.firstIndex(where: { $0.host == n.host }) { entries[i] = n } else { entries.append(n) }
    }
  }

  mutating func remove(hosts: Set<String>) { entries.removeAll { hosts.contains($0.host) } }

  /// The whole file with this block in place (appended when it was not there; dropped when
  /// it has no entries). ssh uses the first value it finds, so the block goes where it was.
  func render(before: String, after: String) -> String {
    var head = before
    if entries.isEmpty {
      var out = head
      if !after.isEmpty { out += (out.isEmpty || out.hasSuffix("\n") ? "" : "\n") + after }
      return out
    }
    if !head.isEmpty && !head.hasSuffix("\n") { head += "\n" }
    if !head.isEmpty && !head.hasSuffix("\n\n") { head += "\n" }
    let body = ([Self.begin] + entries.map(\.text) + [Self.end]).joined(separator: "\n") + "\n"
    return head + body + after
  }
}
