/// An OpenAPI v3 schema, restricted to what a **structural** CRD schema may contain.
///
/// Swift has no reflection that could derive a schema from a type, so each gra type describes
/// itself (``SchemaDescribed``) with the builders below, and a test checks that the schema and
/// the type's JSON agree key for key. Descriptions double as the API reference (`docs/api.md`).
public struct JSONSchema: Sendable, Equatable {
  public enum Kind: String, Sendable { case object, array, string, integer, number, boolean }

  public var type: Kind?
  public var description: String?
  public var format: String?
  public var properties: [String: JSONSchema] = [:]
  public var required: [String] = []
  /// Zero or one element (arrays keep the recursion `Sendable` and finite in size).
  private var itemsStorage: [JSONSchema] = []
  private var additionalPropertiesStorage: [JSONSchema] = []
  public var enumValues: [String]?
  public var minimum: Int64?
  public var maximum: Int64?
  public var minLength: Int?
  public var maxLength: Int?
  public var minItems: Int?
  public var maxItems: Int?
  public var pattern: String?
  public var defaultValue: JSONValue?
  /// `x-kubernetes-int-or-string: true` with `anyOf: [{type: integer}, {type: string}]`.
  public var intOrString = false
  /// `x-kubernetes-preserve-unknown-fields: true`: the server keeps any content here.
  public var preserveUnknownFields = false
  /// `x-kubernetes-list-type` (`atomic`, `set`, `map`) and, for `map`, its keys.
  public var listType: String?
  public var listMapKeys: [String]?
  /// Value-only validations that structural schemas allow (`oneOf`, `not` with `required`).
  public var oneOfRequired: [[String]]?
  public var notAnyOfRequired: [[String]]?
  /// A line for the API reference only (not emitted into the CRD): how gra checks or defaults it.
  public var docNote: String?

  public init(type: Kind? = nil, description: String? = nil) {
    self.type = type
    self.description = description
  }

  public var items: JSONSchema? {
    get { itemsStorage.first }
    set { itemsStorage = newValue.map { [$0] } ?? [] }
  }
  public var additionalProperties: JSONSchema? {
    get { additionalPropertiesStorage.first }
    set { additionalPropertiesStorage = newValue.map { [$0] } ?? [] }
  }
}

/// A type whose JSON form has an OpenAPI schema.
public protocol SchemaDescribed {
  static var openAPISchema: JSONSchema { get }
}

// MARK: Builders

extension JSONSchema {
  /// An object whose properties are filled in by `build`, one statement per property.
  public static func object(
    _ description: String, required: [String] = [], _ build: (inout [String: JSONSchema]) -> Void
  ) -> JSONSchema {
    var s = JSONSchema(type: .object, description: description)
    build(&s.properties)
    s.required = required
    return s
  }

  public static func string(
    _ description: String, enum values: [String]? = nil, pattern: String? = nil,
    format: String? = nil,
    minLength: Int? = nil, maxLength: Int? = nil, default value: String? = nil
  ) -> JSONSchema {
    var s = JSONSchema(type: .string, description: description)
    s.enumValues = values
    s.pattern = pattern
    s.format = format
    s.minLength = minLength
    s.maxLength = maxLength
    s.defaultValue = value.map { .string($0) }
    return s
  }

  /// A string restricted to the raw values of a Swift enum.
  public static func `enum`<E: CaseIterable & RawRepresentable>(
    _ type: E.Type, _ description: String, default value: E? = nil
  ) -> JSONSchema where E.RawValue == String {
    .string(description, enum: E.allCases.map(\.rawValue), default: value?.rawValue)
  }

  public static func int32(
    _ description: String, minimum: Int64? = nil, maximum: Int64? = nil, default value: Int64? = nil
  ) -> JSONSchema {
    var s = JSONSchema(type: .integer, description: description)
    s.format = "int32"
    s.minimum = minimum
    s.maximum = maximum
    s.defaultValue = value.map { .int($0) }
    return s
  }

  public static func int64(
    _ description: String, minimum: Int64? = nil, maximum: Int64? = nil, default value: Int64? = nil
  ) -> JSONSchema {
    var s = int32(description, minimum: minimum, maximum: maximum, default: value)
    s.format = "int64"
    return s
  }

  public static func boolean(_ description: String, default value: Bool? = nil) -> JSONSchema {
    var s = JSONSchema(type: .boolean, description: description)
    s.defaultValue = value.map { .bool($0) }
    return s
  }

  /// A ``Quantity``: an integer or a string such as `500m` or `10Gi`.
  public static func quantity(_ description: String, default value: String? = nil) -> JSONSchema {
    var s = JSONSchema(description: description)
    s.intOrString = true
    s.pattern = Quantity.schemaPattern
    s.defaultValue = value.map { .string($0) }
    return s
  }

  public static func array(
    _ items: JSONSchema, _ description: String, minItems: Int? = nil, maxItems: Int? = nil,
    listType: String? = nil,
    mapKeys: [String]? = nil
  ) -> JSONSchema {
    var s = JSONSchema(type: .array, description: description)
    s.items = items
    s.minItems = minItems
    s.maxItems = maxItems
    s.listType = listType
    s.listMapKeys = mapKeys
    return s
  }

  /// A JSON object used as a map from strings to `values`.
  public static func map(_ values: JSONSchema, _ description: String) -> JSONSchema {
    var s = JSONSchema(type: .object, description: description)
    s.additionalProperties = values
    return s
  }

  /// Free-form content kept as given (`x-kubernetes-preserve-unknown-fields`).
  public static func freeForm(_ description: String) -> JSONSchema {
    var s = JSONSchema(type: .object, description: description)
    s.preserveUnknownFields = true
    return s
  }

  /// The same schema with another description (a property describes its use, not its type).
  public func describing(_ description: String) -> JSONSchema {
    var s = self
    s.description = description
    return s
  }

  /// The same schema with a default value.
  public func defaulting(_ value: JSONValue) -> JSONSchema {
    var s = self
    s.defaultValue = value
    return s
  }

  /// The same schema with a note for the API reference.
  public func noting(_ note: String) -> JSONSchema {
    var s = self
    s.docNote = note
    return s
  }
}

// MARK: JSON form

extension JSONSchema {
  /// The schema as it appears in a CRD's `openAPIV3Schema`.
  public var json: JSONValue {
    var o: [String: JSONValue] = [:]
    if let type { o["type"] = .string(type.rawValue) }
    if let description { o["description"] = .string(description) }
    if let format { o["format"] = .string(format) }
    if !properties.isEmpty {
      var p: [String: JSONValue] = [:]
      for (k, v) in properties { p[k] = v.json }
      o["properties"] = .object(p)
    }
    if !required.isEmpty { o["required"] = .array(required.sorted().map { .string($0) }) }
    if let items { o["items"] = items.json }
    if let additionalProperties { o["additionalProperties"] = additionalProperties.json }
    if let enumValues { o["enum"] = .array(enumValues.map { .string($0) }) }
    if let minimum { o["minimum"] = .int(minimum) }
    if let maximum { o["maximum"] = .int(maximum) }
    if let minLength { o["minLength"] = .int(Int64(minLength)) }
    if let maxLength { o["maxLength"] = .int(Int64(maxLength)) }
    if let minItems { o["minItems"] = .int(Int64(minItems)) }
    if let maxItems { o["maxItems"] = .int(Int64(maxItems)) }
    if let pattern { o["pattern"] = .string(pattern) }
    if let defaultValue { o["default"] = defaultValue }
    if intOrString {
      o["x-kubernetes-int-or-string"] = true
      o["anyOf"] = [["type": "integer"], ["type": "string"]]
    }
    if preserveUnknownFields { o["x-kubernetes-preserve-unknown-fields"] = true }
    if let listType { o["x-kubernetes-list-type"] = .string(listType) }
    if let listMapKeys { o["x-kubernetes-list-map-keys"] = .array(listMapKeys.map { .string($0) }) }
    if let oneOfRequired {
      o["oneOf"] = .array(oneOfRequired.map { ["required": .array($0.map { .string($0) })] })
    }
    if let notAnyOfRequired {
      o["not"] = [
        "anyOf": .array(notAnyOfRequired.map { ["required": .array($0.map { .string($0) })] })
      ]
    }
    return .object(o)
  }
}

extension Quantity {
  /// The pattern kube-openapi and controller-gen give quantities.
  public static let schemaPattern =
    #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#
}
