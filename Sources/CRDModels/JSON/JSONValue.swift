import Foundation

/// Any JSON value, kept exactly as it arrived.
///
/// Used wherever gra must carry data it does not model (unknown fields, `managedFields`,
/// patches, and the local API server's untyped object store). Integers and floating point
/// numbers are kept apart so that `generation: 3` is never written back as `3.0`.
public enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])
}

extension JSONValue: Codable {
  /// Takes the value whole from a ``JSONValueDecoder``. From any other decoder (`JSONDecoder`,
  /// a YAML decoder) it has to find the value's type by trying each in turn, each miss a thrown
  /// error: correct, but slow; gra's own payloads never take that path.
  public init(from decoder: any Decoder) throws {
    if let tree = decoder as? any JSONValueDecoding {
      self = tree.jsonValue
      return
    }
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let o = try? c.decode([String: JSONValue].self) {
      self = .object(o)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int64.self) {
      self = .int(i)
    } else {
      self = .double(try c.decode(Double.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    if let tree = encoder as? any JSONValueEncoding {
      tree.store(self)
      return
    }
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .int(let i): try c.encode(i)
    case .double(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
  public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
  public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  public var intValue: Int64? {
    switch self {
    case .int(let i): i
    case .double(let d) where d == d.rounded() && abs(d) < 9.0e15: Int64(d)
    default: nil
    }
  }
  public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
  public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
  public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
  public var isNull: Bool { if case .null = self { true } else { false } }

  /// Member lookup on objects; `.null` for anything else or a missing key.
  public subscript(key: String) -> JSONValue {
    get { objectValue?[key] ?? .null }
    set {
      var o = objectValue ?? [:]
      o[key] = newValue
      self = .object(o)
    }
  }

  /// Element lookup on arrays; `.null` for anything else or an index out of range.
  public subscript(index: Int) -> JSONValue {
    guard let a = arrayValue, a.indices.contains(index) else { return .null }
    return a[index]
  }

  /// The value at a path of object keys, or nil when any step is missing.
  public func value(at path: [String]) -> JSONValue? {
    var cur = self
    for k in path {
      guard let next = cur.objectValue?[k] else { return nil }
      cur = next
    }
    return cur
  }

  /// Decodes any `Decodable` from this value.
  public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
    try JSONValueDecoder().decode(T.self, from: self)
  }

  /// Encodes any `Encodable` into a `JSONValue`.
  public init<T: Encodable>(encoding value: T) throws {
    self = try JSONValueEncoder().encode(value)
  }
}

/// How gra reads and writes every Kubernetes payload: ``JSONValue/parse(_:)`` with
/// ``JSONValueDecoder``, ``JSONValueEncoder`` with ``JSONValue/serialized()``. The output is
/// what `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` writes.
public enum KubeJSON {
  public static func encode<T: Encodable>(_ value: T) throws -> Data { Data(try encodeBytes(value)) }

  public static func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
    try JSONValueEncoder().encode(value).serialized()
  }

  /// Decodes `type` from JSON text; text that is not JSON is a `DecodingError.dataCorrupted`
  /// (as from `JSONDecoder`) whose underlying error says where and why.
  public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
    let value: JSONValue
    do { value = try JSONValue.parse(bytes) } catch {
      throw DecodingError.dataCorrupted(
        .init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
    }
    if T.self == JSONValue.self { return value as! T }
    return try JSONValueDecoder().decode(T.self, from: value)
  }
}
