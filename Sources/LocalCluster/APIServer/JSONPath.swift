import CRDModels

/// The subset of kubectl JSONPath that printer columns use: `.a.b`, `['a.b']`, `[0]`, `[*]`,
/// and filters `[?(@.type=="Ready")]` (also `!=`), with or without surrounding `{}`.
enum JSONPath {
  enum Step {
    case key(String)
    case index(Int)
    case all
    case filter(path: [String], op: String, value: String)
  }

  static func parse(_ expr: String) -> [Step] {
    var s = Substring(expr.trimmingCharacters(in: .whitespaces))
    if s.hasPrefix("{") && s.hasSuffix("}") { s = s.dropFirst().dropLast() }
    if s.hasPrefix("$") { s = s.dropFirst() }
    var steps: [Step] = []
    var i = s.startIndex
    while i < s.endIndex {
      let c = s[i]
      if c == "." {
        i = s.index(after: i)
        var key = ""
        while i < s.endIndex, s[i] != ".", s[i] != "[" {
          key.append(s[i])
          i = s.index(after: i)
        }
        if !key.isEmpty { steps.append(key == "*" ? .all : .key(key)) }
      } else if c == "[" {
        guard let close = s[i...].firstIndex(of: "]") else { break }
        var inner = String(s[s.index(after: i)..<close])
        // A filter may contain ']' inside quotes; find the real end for filters.
        var end = close
        if inner.hasPrefix("?(") {
          if let r = s[i...].range(of: ")]") {
            end = s.index(before: r.upperBound)
            inner = String(s[s.index(after: i)..<end])
          }
        }
        i = s.index(after: end)
        if inner == "*" {
          steps.append(.all)
        } else if let n = Int(inner) {
          steps.append(.index(n))
        } else if inner.hasPrefix("'") || inner.hasPrefix("\"") {
          steps.append(.key(String(inner.dropFirst().dropLast())))
        } else if inner.hasPrefix("?(") && inner.hasSuffix(")") {
          let body = inner.dropFirst(2).dropLast()
          let op = body.contains("!=") ? "!=" : "=="
          let parts = body.components(separatedBy: op)
          guard parts.count == 2 else { continue }
          var lhs = parts[0].trimmingCharacters(in: .whitespaces)
          if lhs.hasPrefix("@") { lhs.removeFirst() }
          let path = lhs.split(separator: ".").map(String.init)
          var rhs = parts[1].trimmingCharacters(in: .whitespaces)
          if (rhs.hasPrefix("\"") && rhs.hasSuffix("\"")) || (rhs.hasPrefix("'") && rhs.hasSuffix("'")) {
            rhs = String(rhs.dropFirst().dropLast())
          }
          steps.append(.filter(path: path, op: op, value: rhs))
        }
      } else {
        i = s.index(after: i)
      }
    }
    return steps
  }

  static func scalarString(_ v: JSONValue) -> String? {
    switch v {
    case .string(let s): s
    case .int(let i): String(i)
    case .bool(let b): b ? "true" : "false"
    case .double(let d): String(d)
    default: nil
    }
  }

  static func evaluate(_ expr: String, _ root: JSONValue) -> [JSONValue] {
    var cur = [root]
    for step in parse(expr) {
      var next: [JSONValue] = []
      for v in cur {
        switch step {
        case .key(let k): if let x = v.objectValue?[k] { next.append(x) }
        case .index(let n):
          if let a = v.arrayValue {
            let idx = n < 0 ? a.count + n : n
            if idx >= 0 && idx < a.count { next.append(a[idx]) }
          }
        case .all:
          if let a = v.arrayValue {
            next.append(contentsOf: a)
          } else if let o = v.objectValue {
            next.append(contentsOf: o.keys.sorted().map { o[$0]! })
          }
        case .filter(let path, let op, let value):
          for e in v.arrayValue ?? [] {
            let got = e.value(at: path).flatMap(scalarString)
            if (got == value) == (op == "==") && got != nil { next.append(e) }
          }
        }
      }
      cur = next
    }
    return cur
  }
}
