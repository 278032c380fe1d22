import CRDModels
import Foundation
import Yams

/// YAML request bodies (`application/apply-patch+yaml`, `application/yaml`) and manifests.
enum YAMLBody {
  static func decode(_ bytes: [UInt8]) throws -> JSONValue {
    let text = String(decoding: bytes, as: UTF8.self)
    if let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" {
      if let v = try? JSONValue.parse(bytes) { return v }
    }
    do {
      guard let node = try Yams.compose(yaml: text) else { return .null }
      return convert(node)
    } catch {
      throw APIErrors.badRequest("error converting YAML to JSON: \(error)")
    }
  }

  /// Every document of a multi-document YAML file.
  static func documents(_ text: String) throws -> [JSONValue] {
    var out: [JSONValue] = []
    for node in try Yams.compose_all(yaml: text) {
      let v = convert(node)
      if !v.isNull { out.append(v) }
    }
    return out
  }

  static func convert(_ node: Node) -> JSONValue {
    switch node {
    case .scalar(let s):
      if s.style == .doubleQuoted || s.style == .singleQuoted || s.style == .literal || s.style == .folded {
        return .string(s.string)
      }
      switch s.tag.description {
      case Tag.Name.str.rawValue: return .string(s.string)
      default: break
      }
      let v = s.string
      if v == "~" || v == "null" || v == "Null" || v == "NULL" || v.isEmpty { return .null }
      if v == "true" || v == "True" || v == "TRUE" { return .bool(true) }
      if v == "false" || v == "False" || v == "FALSE" { return .bool(false) }
      if let i = Int64(v) { return .int(i) }
      if v.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
        let d = Double(v)
      {
        return .double(d)
      }
      return .string(v)
    case .mapping(let m):
      var o: [String: JSONValue] = [:]
      for (k, v) in m { o[k.string ?? ""] = convert(v) }
      return .object(o)
    case .sequence(let s):
      return .array(s.map(convert))
    case .alias:
      return .null
    }
  }
}
