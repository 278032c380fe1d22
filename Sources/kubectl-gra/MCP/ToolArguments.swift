import Foundation
import MCP

/// Typed, checked access to a tool call's arguments. Every problem is a ``ToolFailure`` that
/// names the argument and says what a valid value looks like, so the agent can fix its call.
struct ToolArguments: Sendable {
  let values: [String: Value]

  init(_ values: [String: Value]?) { self.values = values ?? [:] }

  func string(_ key: String) throws -> String? {
    switch values[key] {
    case nil, .null?: return nil
    case .string(let s)?: return s
    // The SDK decodes strings that look like data URLs into `.data`; give them back as written.
    case .data(let mime, let data)?:
      return "data:\(mime ?? "");base64,\(data.base64EncodedString())"
    default: throw ToolFailure.invalidArgument(key, "must be a string")
    }
  }

  func requiredString(_ key: String) throws -> String {
    guard let s = try string(key), !s.isEmpty else {
      throw ToolFailure.invalidArgument(key, "is required")
    }
    return s
  }

  /// A DNS-1123 label, as Runner and TracerJob names must be.
  func name(_ key: String, required: Bool = true) throws -> String? {
    guard let s = try (required ? requiredString(key) : string(key)) else { return nil }
    guard Self.isDNSLabel(s) else {
      throw ToolFailure.invalidArgument(
        key,
        "\"\(s)\" is not a valid name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. \"demo\")"
      )
    }
    return s
  }

  func int(_ key: String, default def: Int, min lo: Int, max hi: Int) throws -> Int {
    let n: Int
    switch values[key] {
    case nil, .null?: return def
    case .int(let i)?: n = i
    case .double(let d)? where d.rounded() == d && abs(d) < 1e15: n = Int(d)
    case .string(let s)?:
      guard let i = Int(s) else { throw ToolFailure.invalidArgument(key, "must be an integer") }
      n = i
    default: throw ToolFailure.invalidArgument(key, "must be an integer")
    }
    guard n >= lo && n <= hi else {
      throw ToolFailure.invalidArgument(key, "must be between \(lo) and \(hi), got \(n)")
    }
    return n
  }

  func optionalInt(_ key: String, min lo: Int, max hi: Int) throws -> Int? {
    if values[key] == nil || values[key] == .null { return nil }
    return try int(key, default: lo, min: lo, max: hi)
  }

  func bool(_ key: String, default def: Bool) throws -> Bool {
    switch values[key] {
    case nil, .null?: return def
    case .bool(let b)?: return b
    case .string("true")?: return true
    case .string("false")?: return false
    default: throw ToolFailure.invalidArgument(key, "must be true or false")
    }
  }

  func strings(_ key: String) throws -> [String]? {
    switch values[key] {
    case nil, .null?: return nil
    case .array(let items)?:
      return try items.map {
        guard case .string(let s) = $0 else {
          throw ToolFailure.invalidArgument(key, "must be an array of strings")
        }
        return s
      }
    default: throw ToolFailure.invalidArgument(key, "must be an array of strings")
    }
  }

  func stringMap(_ key: String) throws -> [String: String]? {
    switch values[key] {
    case nil, .null?: return nil
    case .object(let o)?:
      var out: [String: String] = [:]
      for (k, v) in o {
        switch v {
        case .string(let s): out[k] = s
        case .int(let i): out[k] = String(i)
        case .bool(let b): out[k] = String(b)
        default: throw ToolFailure.invalidArgument(key, "values must be strings (\(k))")
        }
      }
      return out
    default:
      throw ToolFailure.invalidArgument(
        key, "must be an object of string values, e.g. {\"SEED\": \"1\"}")
    }
  }

  /// Fails on arguments the tool does not know, so a misspelt option is not silently ignored.
  func rejectUnknown(allowed: Set<String>) throws {
    let unknown = values.keys.filter { !allowed.contains($0) }.sorted()
    guard unknown.isEmpty else {
      throw ToolFailure(
        "unknown argument\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")); this tool takes: \(allowed.sorted().joined(separator: ", "))"
      )
    }
  }

  static func isDNSLabel(_ s: String) -> Bool {
    guard !s.isEmpty, s.utf8.count <= 63 else { return false }
    let ok = s.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
    }
    return ok && s.first != "-" && s.last != "-"
  }
}
