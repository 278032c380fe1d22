import CRDModels
import Foundation
import MCP

/// A successful tool result: text for the model to read, and the same facts as JSON
/// (`structuredContent`) for programs.
struct ToolOutput: Sendable {
  var text: String
  var structured: JSONValue?
  var isError = false

  init(_ text: String, structured: JSONValue? = nil, isError: Bool = false) {
    self.text = text
    self.structured = structured
    self.isError = isError
  }

  var result: CallTool.Result {
    CallTool.Result(
      content: [.text(text: text, annotations: nil, _meta: nil)],
      structuredContent: structured.map(Self.value), isError: isError)
  }

  static func failure(_ f: ToolFailure) -> CallTool.Result {
    CallTool.Result(content: [.text(text: f.message, annotations: nil, _meta: nil)], isError: true)
  }

  /// The project's JSON value as the SDK's.
  static func value(_ v: JSONValue) -> Value {
    switch v {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(Int(i))
    case .double(let d): return .double(d)
    case .string(let s): return .string(s)
    case .array(let a): return .array(a.map(value))
    case .object(let o): return .object(o.mapValues(value))
    }
  }
}
