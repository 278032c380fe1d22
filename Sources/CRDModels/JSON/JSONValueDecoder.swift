import Foundation

/// Decodes `Decodable` types from a parsed ``JSONValue``.
///
/// With ``JSONValue/parse(_:)`` this replaces `JSONDecoder` for every Kubernetes payload, and
/// it does what `JSONDecoder` cannot: a ``JSONValue`` inside the decoded type (an unknown
/// field, the ``RawJSON`` an object keeps for writing back) is handed over as it is instead of
/// being rebuilt by trial decoding. Numbers, strings, errors and coding paths follow
/// `JSONDecoder`'s default strategies: `Date` as seconds since 2001, `Data` as base64, integers
/// from any number that is exactly an integer.
public struct JSONValueDecoder: Sendable {
  public var userInfo: [CodingUserInfoKey: any Sendable]

  public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) { self.userInfo = userInfo }

  public func decode<T: Decodable>(_ type: T.Type = T.self, from value: JSONValue) throws -> T {
    try TreeDecoder(value: value, key: nil, parent: nil, userInfo: userInfo).decode(T.self)
  }
}

/// A ``JSONValue`` being decoded; ``JSONValue``'s own `init(from:)` takes it whole.
protocol JSONValueDecoding: Decoder {
  var jsonValue: JSONValue { get }
}

/// The `Decoder` for one value of the tree. Its coding path is built from the parent chain only
/// when an error asks for it.
final class TreeDecoder: Decoder, JSONValueDecoding, SingleValueDecodingContainer, CodingPathNode {
  let jsonValue: JSONValue
  let key: (any CodingKey)?
  let parent: TreeDecoder?
  let userInfo: [CodingUserInfoKey: Any]

  init(value: JSONValue, key: (any CodingKey)?, parent: TreeDecoder?, userInfo: [CodingUserInfoKey: Any]) {
    self.jsonValue = value
    self.key = key
    self.parent = parent
    self.userInfo = userInfo
  }

  func path(_ key: (any CodingKey)?) -> [any CodingKey] { key.map { codingPath + [$0] } ?? codingPath }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = jsonValue else { throw mismatch([String: Any].self, jsonValue, nil) }
    return KeyedDecodingContainer(KeyedTreeContainer<Key>(decoder: self, members: members))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = jsonValue else { throw mismatch([Any].self, jsonValue, nil) }
    return UnkeyedTreeContainer(decoder: self, elements: elements)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

  // MARK: Values

  func child(_ value: JSONValue, _ key: (any CodingKey)?) -> TreeDecoder {
    TreeDecoder(value: value, key: key, parent: self, userInfo: userInfo)
  }

  func mismatch(_ type: Any.Type, _ value: JSONValue, _ key: (any CodingKey)?) -> DecodingError {
    if value.isNull {
      return .valueNotFound(
        type, .init(codingPath: path(key), debugDescription: "Expected \(type) value but found null instead."))
    }
    return .typeMismatch(
      type,
      .init(codingPath: path(key), debugDescription: "Expected to decode \(type) but found \(value.kindName) instead."))
  }

  func corrupted(_ key: (any CodingKey)?, _ message: String) -> DecodingError {
    .dataCorrupted(.init(codingPath: path(key), debugDescription: message))
  }

  func value<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ key: (any CodingKey)?) throws -> T {
    if T.self == JSONValue.self { return value as! T }
    if T.self == String.self { return try string(value, key) as! T }
    if T.self == Date.self {
      return Date(timeIntervalSinceReferenceDate: try floating(Double.self, value, key)) as! T
    }
    if T.self == Data.self {
      guard let data = Data(base64Encoded: try string(value, key)) else {
        throw corrupted(key, "Encountered Data is not valid Base64.")
      }
      return data as! T
    }
    if T.self == URL.self {
      guard let url = URL(string: try string(value, key)) else { throw corrupted(key, "Invalid URL string.") }
      return url as! T
    }
    // Labels, annotations, selectors, args: taken straight from the tree, without a decoder
    // and a container per element.
    if T.self == [String: String].self { return try stringMap(value, key) as! T }
    if T.self == [String].self { return try stringArray(value, key) as! T }
    return try T(from: key == nil ? self : child(value, key))
  }

  func stringMap(_ value: JSONValue, _ key: (any CodingKey)?) throws -> [String: String] {
    guard case .object(let members) = value else {
      return try child(value, key).decodeElementwise([String: String].self)
    }
    var out = [String: String](minimumCapacity: members.count)
    for (k, v) in members {
      guard case .string(let s) = v else { return try child(value, key).decodeElementwise([String: String].self) }
      out[k] = s
    }
    return out
  }

  func stringArray(_ value: JSONValue, _ key: (any CodingKey)?) throws -> [String] {
    guard case .array(let elements) = value else { return try child(value, key).decodeElementwise([String].self) }
    var out: [String] = []
    out.reserveCapacity(elements.count)
    for e in elements {
      guard case .string(let s) = e else { return try child(value, key).decodeElementwise([String].self) }
      out.append(s)
    }
    return out
  }

  /// The standard library's decoding, container by container: used only for a value that does
  /// not fit, to throw the error (type, coding path) it throws there.
  func decodeElementwise<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

  func string(_ value: JSONValue, _ key: (any CodingKey)?) throws -> String {
    guard case .string(let s) = value else { throw mismatch(String.self, value, key) }
    return s
  }

  func bool(_ value: JSONValue, _ key: (any CodingKey)?) throws -> Bool {
    guard case .bool(let b) = value else { throw mismatch(Bool.self, value, key) }
    return b
  }

  func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, _ key: (any CodingKey)?) throws -> I {
    switch value {
    case .int(let i):
      guard let exact = I(exactly: i) else { throw corrupted(key, "Number \(i) is not representable in \(I.self).") }
      return exact
    case .double(let d):
      guard let exact = I(exactly: d) else { throw corrupted(key, "Number \(d) is not representable in \(I.self).") }
      return exact
    default: throw mismatch(I.self, value, key)
    }
  }

  func floating<F: BinaryFloatingPoint>(_ type: F.Type, _ value: JSONValue, _ key: (any CodingKey)?) throws -> F {
    switch value {
    case .int(let i): return F(i)
    case .double(let d): return F(d)
    default: throw mismatch(F.self, value, key)
    }
  }

  // MARK: SingleValueDecodingContainer

  func decodeNil() -> Bool { jsonValue.isNull }
  func decode(_: Bool.Type) throws -> Bool { try bool(jsonValue, nil) }
  func decode(_: String.Type) throws -> String { try string(jsonValue, nil) }
  func decode(_: Double.Type) throws -> Double { try floating(Double.self, jsonValue, nil) }
  func decode(_: Float.Type) throws -> Float { try floating(Float.self, jsonValue, nil) }
  func decode(_: Int.Type) throws -> Int { try integer(Int.self, jsonValue, nil) }
  func decode(_: Int8.Type) throws -> Int8 { try integer(Int8.self, jsonValue, nil) }
  func decode(_: Int16.Type) throws -> Int16 { try integer(Int16.self, jsonValue, nil) }
  func decode(_: Int32.Type) throws -> Int32 { try integer(Int32.self, jsonValue, nil) }
  func decode(_: Int64.Type) throws -> Int64 { try integer(Int64.self, jsonValue, nil) }
  func decode(_: UInt.Type) throws -> UInt { try integer(UInt.self, jsonValue, nil) }
  func decode(_: UInt8.Type) throws -> UInt8 { try integer(UInt8.self, jsonValue, nil) }
  func decode(_: UInt16.Type) throws -> UInt16 { try integer(UInt16.self, jsonValue, nil) }
  func decode(_: UInt32.Type) throws -> UInt32 { try integer(UInt32.self, jsonValue, nil) }
  func decode(_: UInt64.Type) throws -> UInt64 { try integer(UInt64.self, jsonValue, nil) }
  func decode<T: Decodable>(_: T.Type) throws -> T { try value(T.self, jsonValue, nil) }
}

/// A coding-path element for an array index, spelled as `JSONDecoder` spells it.
struct IndexKey: CodingKey {
  let intValue: Int?
  var stringValue: String { "Index \(intValue ?? 0)" }
  init(_ index: Int) { intValue = index }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { self.intValue = intValue }
}

/// The key of `superDecoder()`/`superEncoder()`.
struct SuperKey: CodingKey {
  var stringValue: String { "super" }
  var intValue: Int? { nil }
  init() {}
  init?(stringValue: String) { guard stringValue == "super" else { return nil } }
  init?(intValue: Int) { nil }
}

struct KeyedTreeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let decoder: TreeDecoder
  let members: [String: JSONValue]

  var codingPath: [any CodingKey] { decoder.codingPath }
  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  func member(_ key: Key) throws -> JSONValue {
    guard let value = members[key.stringValue] else {
      throw DecodingError.keyNotFound(
        key,
        .init(codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\").")
      )
    }
    return value
  }

  func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }
  func decode(_: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(member(key), key) }
  func decode(_: String.Type, forKey key: Key) throws -> String { try decoder.string(member(key), key) }
  func decode(_: Double.Type, forKey key: Key) throws -> Double { try decoder.floating(Double.self, member(key), key) }
  func decode(_: Float.Type, forKey key: Key) throws -> Float { try decoder.floating(Float.self, member(key), key) }
  func decode(_: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(Int.self, member(key), key) }
  func decode(_: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(Int8.self, member(key), key) }
  func decode(_: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(Int16.self, member(key), key) }
  func decode(_: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(Int32.self, member(key), key) }
  func decode(_: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(Int64.self, member(key), key) }
  func decode(_: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(UInt.self, member(key), key) }
  func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(UInt8.self, member(key), key) }
  func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(UInt16.self, member(key), key) }
  func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(UInt32.self, member(key), key) }
  func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(UInt64.self, member(key), key) }
  func decode<T: Decodable>(_: T.Type, forKey key: Key) throws -> T { try decoder.value(T.self, member(key), key) }

  func decodeIfPresent(_: String.Type, forKey key: Key) throws -> String? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.string(value, key)
  }

  // Optional scalars without a decoder of their own for each (the generic path makes one).
  func decodeIfPresent(_: Bool.Type, forKey key: Key) throws -> Bool? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.bool(value, key)
  }

  func decodeIfPresent(_: Int.Type, forKey key: Key) throws -> Int? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.integer(Int.self, value, key)
  }

  func decodeIfPresent(_: Int32.Type, forKey key: Key) throws -> Int32? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.integer(Int32.self, value, key)
  }

  func decodeIfPresent(_: Int64.Type, forKey key: Key) throws -> Int64? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.integer(Int64.self, value, key)
  }

  func decodeIfPresent(_: Double.Type, forKey key: Key) throws -> Double? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.floating(Double.self, value, key)
  }

  func decodeIfPresent<T: Decodable>(_: T.Type, forKey key: Key) throws -> T? {
    guard let value = members[key.stringValue], !value.isNull else { return nil }
    return try decoder.value(T.self, value, key)
  }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  ) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try decoder.child(member(key), key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try decoder.child(member(key), key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder { decoder.child(members["super"] ?? .null, SuperKey()) }
  func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(members[key.stringValue] ?? .null, key) }
}

struct UnkeyedTreeContainer: UnkeyedDecodingContainer {
  let decoder: TreeDecoder
  let elements: [JSONValue]
  var currentIndex = 0

  init(decoder: TreeDecoder, elements: [JSONValue]) {
    self.decoder = decoder
    self.elements = elements
  }

  var codingPath: [any CodingKey] { decoder.codingPath }
  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  /// The next element and its key; advances only when `read` succeeds.
  mutating func next<T>(_ type: T.Type, _ read: (TreeDecoder, JSONValue, IndexKey) throws -> T) throws -> T {
    let key = IndexKey(currentIndex)
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        type, .init(codingPath: codingPath + [key], debugDescription: "Unkeyed container is at end."))
    }
    let value = try read(decoder, elements[currentIndex], key)
    currentIndex += 1
    return value
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        Any?.self,
        .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
    }
    guard elements[currentIndex].isNull else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode(_: Bool.Type) throws -> Bool { try next(Bool.self) { try $0.bool($1, $2) } }
  mutating func decode(_: String.Type) throws -> String { try next(String.self) { try $0.string($1, $2) } }
  mutating func decode(_: Double.Type) throws -> Double {
    try next(Double.self) { try $0.floating(Double.self, $1, $2) }
  }
  mutating func decode(_: Float.Type) throws -> Float { try next(Float.self) { try $0.floating(Float.self, $1, $2) } }
  mutating func decode(_: Int.Type) throws -> Int { try next(Int.self) { try $0.integer(Int.self, $1, $2) } }
  mutating func decode(_: Int8.Type) throws -> Int8 { try next(Int8.self) { try $0.integer(Int8.self, $1, $2) } }
  mutating func decode(_: Int16.Type) throws -> Int16 { try next(Int16.self) { try $0.integer(Int16.self, $1, $2) } }
  mutating func decode(_: Int32.Type) throws -> Int32 { try next(Int32.self) { try $0.integer(Int32.self, $1, $2) } }
  mutating func decode(_: Int64.Type) throws -> Int64 { try next(Int64.self) { try $0.integer(Int64.self, $1, $2) } }
  mutating func decode(_: UInt.Type) throws -> UInt { try next(UInt.self) { try $0.integer(UInt.self, $1, $2) } }
  mutating func decode(_: UInt8.Type) throws -> UInt8 { try next(UInt8.self) { try $0.integer(UInt8.self, $1, $2) } }
  mutating func decode(_: UInt16.Type) throws -> UInt16 {
    try next(UInt16.self) { try $0.integer(UInt16.self, $1, $2) }
  }
  mutating func decode(_: UInt32.Type) throws -> UInt32 {
    try next(UInt32.self) { try $0.integer(UInt32.self, $1, $2) }
  }
  mutating func decode(_: UInt64.Type) throws -> UInt64 {
    try next(UInt64.self) { try $0.integer(UInt64.self, $1, $2) }
  }
  mutating func decode<T: Decodable>(_: T.Type) throws -> T { try next(T.self) { try $0.value(T.self, $1, $2) } }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type
  ) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try next(KeyedDecodingContainer<NestedKey>.self) { try $0.child($1, $2).container(keyedBy: type) }
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try next((any UnkeyedDecodingContainer).self) { try $0.child($1, $2).unkeyedContainer() }
  }

  mutating func superDecoder() throws -> any Decoder {
    try next((any Decoder).self) { $0.child($1, $2) }
  }
}

extension JSONValue {
  /// How an error message names this kind of value.
  var kindName: String {
    switch self {
    case .null: "null"
    case .bool: "a bool"
    case .int, .double: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}
