import CRDModels
import Foundation

/// A CRD's `openAPIV3Schema`, read into the parts the API server acts on: the structure
/// (`type`, `properties`, `additionalProperties`, `items`), the value validations and the
/// Kubernetes extensions (`x-kubernetes-preserve-unknown-fields`, `-embedded-resource`,
/// `-int-or-string`).
///
/// What the API server does with it, here as pure functions:
/// - `prune(_:)` drops fields the schema does not declare (reporting their paths, which
///   `fieldValidation=Strict` turns into errors);
/// - `pruneNonNullableNullsWithoutDefaults(_:)` and `applyDefaults(_:)`;
/// - `validate(_:)` returns `KubeFieldError`s with the apiserver's paths and messages;
/// - `StructuralSchema.structuralErrors(of:at:)` is the CRD registration check.
///
/// Parsing never fails: unknown keywords are ignored and wrong-typed ones read as absent; run
/// `structuralErrors` at registration to reject what the API server rejects.
public final class StructuralSchema: Sendable {
  public let type: String?
  public let format: String?
  public let properties: [String: StructuralSchema]
  /// `additionalProperties` as a schema (`true` reads as an empty schema that keeps anything).
  public let additionalProperties: StructuralSchema?
  /// `additionalProperties: false` was written.
  public let additionalPropertiesFalse: Bool
  public let items: StructuralSchema?
  public let required: [String]
  public let enumValues: [JSONValue]?
  public let defaultValue: JSONValue?
  public let nullable: Bool
  public let minimum: Double?
  public let maximum: Double?
  public let exclusiveMinimum: Bool
  public let exclusiveMaximum: Bool
  public let multipleOf: Double?
  public let minLength: Int64?
  public let maxLength: Int64?
  public let minItems: Int64?
  public let maxItems: Int64?
  public let minProperties: Int64?
  public let maxProperties: Int64?
  public let uniqueItems: Bool
  public let pattern: String?
  /// `pattern`, compiled once (nil when absent or not a valid expression).
  let patternRegex: NSRegularExpression?
  public let allOf: [StructuralSchema]
  public let anyOf: [StructuralSchema]
  public let oneOf: [StructuralSchema]
  public let not: StructuralSchema?
  public let preserveUnknownFields: Bool
  public let embeddedResource: Bool
  public let intOrString: Bool
  /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
  public let listType: String?
  /// `x-kubernetes-list-map-keys` of a `map` list.
  public let listMapKeys: [String]
  /// The schema as written, for the registration check and for serving OpenAPI.
  public let json: JSONValue

  public init(json: JSONValue) {
    let o = json.objectValue ?? [:]
    self.json = json
    type = o["type"]?.stringValue
    format = o["format"]?.stringValue
    var props: [String: StructuralSchema] = [:]
    for (k, v) in o["properties"]?.objectValue ?? [:] { props[k] = StructuralSchema(json: v) }
    properties = props
    switch o["additionalProperties"] {
    case .object?:
      additionalProperties = StructuralSchema(json: o["additionalProperties"]!)
      additionalPropertiesFalse = false
    case .bool(true)?:
      additionalProperties = StructuralSchema(json: ["x-kubernetes-preserve-unknown-fields": true])
      additionalPropertiesFalse = false
    case .bool(false)?:
      additionalProperties = nil
      additionalPropertiesFalse = true
    default:
      additionalProperties = nil
      additionalPropertiesFalse = false
    }
    items = o["items"].flatMap { $0.objectValue != nil ? StructuralSchema(json: $0) : nil }
    required = (o["required"]?.arrayValue ?? []).compactMap(\.stringValue)
    enumValues = o["enum"]?.arrayValue
    defaultValue = o["default"]
    nullable = o["nullable"]?.boolValue ?? false
    minimum = StructuralSchema.number(o["minimum"])
    maximum = StructuralSchema.number(o["maximum"])
    exclusiveMinimum = o["exclusiveMinimum"]?.boolValue ?? false
    exclusiveMaximum = o["exclusiveMaximum"]?.boolValue ?? false
    multipleOf = StructuralSchema.number(o["multipleOf"])
    minLength = o["minLength"]?.intValue
    maxLength = o["maxLength"]?.intValue
    minItems = o["minItems"]?.intValue
    maxItems = o["maxItems"]?.intValue
    minProperties = o["minProperties"]?.intValue
    maxProperties = o["maxProperties"]?.intValue
    uniqueItems = o["uniqueItems"]?.boolValue ?? false
    pattern = o["pattern"]?.stringValue
    patternRegex = pattern.flatMap { try? NSRegularExpression(pattern: $0) }
    allOf = (o["allOf"]?.arrayValue ?? []).map(StructuralSchema.init(json:))
    anyOf = (o["anyOf"]?.arrayValue ?? []).map(StructuralSchema.init(json:))
    oneOf = (o["oneOf"]?.arrayValue ?? []).map(StructuralSchema.init(json:))
    not = o["not"].flatMap { $0.objectValue != nil ? StructuralSchema(json: $0) : nil }
    preserveUnknownFields = o["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
    embeddedResource = o["x-kubernetes-embedded-resource"]?.boolValue ?? false
    intOrString = o["x-kubernetes-int-or-string"]?.boolValue ?? false
    listType = o["x-kubernetes-list-type"]?.stringValue
    listMapKeys = (o["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue)
  }

  static func number(_ v: JSONValue?) -> Double? {
    switch v {
    case .int(let i)?: Double(i)
    case .double(let d)?: d
    default: nil
    }
  }

  /// The schema of member `key` of an object validated by this schema, if declared.
  public func schema(forMember key: String) -> StructuralSchema? {
    properties[key] ?? additionalProperties
  }
}
