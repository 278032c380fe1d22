/// Prints rows the way `kubectl get` does: upper-case headers, columns padded to the widest
/// cell plus three spaces, no trailing spaces, `<none>` for empty cells.
struct TablePrinter: Sendable {
  var headers: [String]
  var rows: [[String]] = []

  init(headers: [String]) { self.headers = headers.map { $0.uppercased() } }

  mutating func add(_ row: [String]) { rows.append(row.map { $0.isEmpty ? "<none>" : $0 }) }

  func render() -> String {
    let all = [headers] + rows
    let widths = headers.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
    return all.map { row in
      var line = ""
      for (i, cell) in row.enumerated() {
        if i == row.count - 1 {
          line += cell
        } else {
          line += cell + String(repeating: " ", count: widths[i] - cell.count + 3)
        }
      }
      return line
    }.joined(separator: "\n") + "\n"
  }
}

/// Ages as kubectl prints them: `45s`, `12m`, `3h4m`, `2d3h`, `400d`.
enum HumanDuration {
  static func format(seconds: Int) -> String {
    let s = max(0, seconds)
    switch s {
    case ..<120: return "\(s)s"
    case ..<600: return "\(s / 60)m\(s % 60 == 0 ? "" : "\(s % 60)s")"
    case ..<(3600 * 3): return "\(s / 60)m"
    case ..<(3600 * 8):
      let h = s / 3600
      let m = (s % 3600) / 60
      return m == 0 ? "\(h)h" : "\(h)h\(m)m"
    case ..<(86400 * 2): return "\(s / 3600)h"
    case ..<(86400 * 8):
      let d = s / 86400
      let h = (s % 86400) / 3600
      return h == 0 ? "\(d)d" : "\(d)d\(h)h"
    case ..<(86400 * 365 * 2): return "\(s / 86400)d"
    case ..<(86400 * 365 * 8):
      let y = s / (86400 * 365)
      let d = (s % (86400 * 365)) / 86400
      return d == 0 ? "\(y)y" : "\(y)y\(d)d"
    default: return "\(s / (86400 * 365))y"
    }
  }
}
