import MCP

/// JSON Schema fragments for tool inputs, built in small steps (large literals are slow to
/// type-check).
enum Schema {
  static func object(_ properties: [(String, Value)], required: [String] = []) -> Value {
    var props: [String: Value] = [:]
    for (name, schema) in properties { props[name] = schema }
    var o: [String: Value] = [
      "type": "object", "properties": .object(props), "additionalProperties": false,
    ]
    if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
    return .object(o)
  }

  static func string(
    _ description: String, pattern: String? = nil, maxLength: Int? = nil,
    oneOf values: [String]? = nil, default def: String? = nil
  ) -> Value {
    var o: [String: Value] = ["type": "string", "description": .string(description)]
    if let pattern { o["pattern"] = .string(pattern) }
    if let maxLength { o["maxLength"] = .int(maxLength) }
    if let values { o["enum"] = .array(values.map { .string($0) }) }
    if let def { o["default"] = .string(def) }
    return .object(o)
  }

  static func integer(
    _ description: String, minimum: Int? = nil, maximum: Int? = nil, default def: Int? = nil
  ) -> Value {
    var o: [String: Value] = ["type": "integer", "description": .string(description)]
    if let minimum { o["minimum"] = .int(minimum) }
    if let maximum { o["maximum"] = .int(maximum) }
    if let def { o["default"] = .int(def) }
    return .object(o)
  }

  static func boolean(_ description: String, default def: Bool) -> Value {
    .object(["type": "boolean", "description": .string(description), "default": .bool(def)])
  }

  static func strings(_ description: String, minItems: Int? = nil) -> Value {
    var o: [String: Value] = [
      "type": "array", "items": ["type": "string"], "description": .string(description),
    ]
    if let minItems { o["minItems"] = .int(minItems) }
    return .object(o)
  }

  static func stringMap(_ description: String) -> Value {
    .object([
      "type": "object", "additionalProperties": ["type": "string"],
      "description": .string(description),
    ])
  }

  /// A Kubernetes object name (DNS-1123 label, as Runners and TracerJobs need).
  static func name(_ description: String) -> Value {
    string(description, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63)
  }

  static let namespace = string(
    "Kubernetes namespace (default: the kubeconfig context's namespace).")
}
