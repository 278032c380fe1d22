import CRDModels

/// An RFC 6901 JSON Pointer such as `/metadata/labels/app.kubernetes.io~1name`.
///
/// `~1` decodes to `/` and `~0` to `~` (in that order, as RFC 6901 §4 requires). The empty
/// string is the whole document.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
  /// The decoded reference tokens.
  public var tokens: [String]

  public init(tokens: [String]) { self.tokens = tokens }

  /// Parses a pointer; nil when it is neither empty nor starts with `/`.
  public init?(_ string: String) {
    if string.isEmpty {
      tokens = []
      return
    }
    guard string.hasPrefix("/") else { return nil }
    tokens = string.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
      JSONPointer.unescape(String($0))
    }
  }

  public var description: String {
    tokens.map { "/" + JSONPointer.escape($0) }.joined()
  }

  public static func escape(_ token: String) -> String {
    token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }

  public static func unescape(_ token: String) -> String {
    token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
  }

  /// The value the pointer refers to in `document`, or nil when it does not exist.
  public func resolve(in document: JSONValue) -> JSONValue? {
    var current = document
    for token in tokens {
      switch current {
      case .object(let o):
        guard let next = o[token] else { return nil }
        current = next
      case .array(let a):
        guard let i = Int(token), i >= 0, i < a.count else { return nil }
        current = a[i]
      default:
        return nil
      }
    }
    return current
  }
}
