import Foundation

/// Encodes `Encodable` types into a ``JSONValue``, the counterpart of ``JSONValueDecoder``.
///
/// With ``JSONValue/serialized()`` it writes exactly what `JSONEncoder` writes with
/// `[.sortedKeys, .withoutEscapingSlashes]` and default strategies (`Date` as seconds since
/// 2001, `Data` as base64, non-finite numbers refused); a ``JSONValue`` inside the encoded type
/// is taken as it is.
public struct JSONValueEncoder: Sendable {
  public var userInfo: [CodingUserInfoKey: any Sendable]

  public init(userInfo: [CodingUserInfoKey: any Sendable] = [:]) { self.userInfo = userInfo }

  public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
    // A value that encodes nothing is `{}`.
    try TreeEncoder(key: nil, parent: nil, userInfo: userInfo).json(value, key: nil)
  }
}

/// A ``JSONValue`` being encoded: ``JSONValue``'s own `encode(to:)` hands itself over whole.
protocol JSONValueEncoding: Encoder {
  func store(_ value: JSONValue)
}

/// What one position of the tree holds while encoding: a finished value, an object or array
/// that containers still write into, or a super encoder still in use.
enum EncodingSlot {
  case value(JSONValue)
  case object(ObjectBox)
  case array(ArrayBox)
  case encoder(TreeEncoder)

  var finished: JSONValue {
    switch self {
    case .value(let v): v
    case .object(let box): box.finished
    case .array(let box): box.finished
    case .encoder(let encoder): encoder.result ?? .object([:])
    }
  }
}

/// An object being encoded: finished members, and the few (nested containers, super encoders)
/// still open, so that finishing an object without them copies nothing.
final class ObjectBox {
  private var members: [String: JSONValue] = [:]
  private var open: [String: EncodingSlot] = [:]

  func set(_ key: String, _ value: JSONValue) {
    members[key] = value
    if !open.isEmpty { open[key] = nil }
  }

  func set(_ key: String, open slot: EncodingSlot) {
    open[key] = slot
    members[key] = nil
  }

  var finished: JSONValue {
    if open.isEmpty { return .object(members) }
    return .object(members.merging(open.mapValues(\.finished)) { _, new in new })
  }
}

/// An array being encoded; `open` holds the positions of still-open nested containers.
final class ArrayBox {
  private var elements: [JSONValue] = []
  private var open: [Int: EncodingSlot] = [:]

  var count: Int { elements.count }

  func append(_ value: JSONValue) { elements.append(value) }

  func append(open slot: EncodingSlot) {
    open[elements.count] = slot
    elements.append(.null)
  }

  var finished: JSONValue {
    guard !open.isEmpty else { return .array(elements) }
    var out = elements
    for (i, slot) in open { out[i] = slot.finished }
    return .array(out)
  }
}

/// The `Encoder` for one value of the tree. Its coding path is built from the parent chain only
/// when asked for.
final class TreeEncoder: Encoder, JSONValueEncoding, SingleValueEncodingContainer, CodingPathNode {
  let key: (any CodingKey)?
  let parent: TreeEncoder?
  let userInfo: [CodingUserInfoKey: Any]
  var slot: EncodingSlot?

  init(key: (any CodingKey)?, parent: TreeEncoder?, userInfo: [CodingUserInfoKey: Any]) {
    self.key = key
    self.parent = parent
    self.userInfo = userInfo
  }

  convenience init(key: any CodingKey, parent: TreeEncoder, slot: EncodingSlot) {
    self.init(key: key, parent: parent, userInfo: parent.userInfo)
    self.slot = slot
  }

  var result: JSONValue? { slot?.finished }

  func store(_ value: JSONValue) { slot = .value(value) }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object(let box) = slot { return KeyedEncodingContainer(KeyedTreeEncoder(encoder: self, box: box)) }
    let box = ObjectBox()
    slot = .object(box)
    return KeyedEncodingContainer(KeyedTreeEncoder(encoder: self, box: box))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array(let box) = slot { return UnkeyedTreeEncoder(encoder: self, box: box) }
    let box = ArrayBox()
    slot = .array(box)
    return UnkeyedTreeEncoder(encoder: self, box: box)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { self }

  /// The JSON of `value`, a child of this encoder at `key`.
  func json<T: Encodable>(_ value: T, key: (any CodingKey)?) throws -> JSONValue {
    if T.self == JSONValue.self { return value as! JSONValue }
    if T.self == String.self { return .string(value as! String) }
    if T.self == Date.self { return try double((value as! Date).timeIntervalSinceReferenceDate, key) }
    if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
    if T.self == URL.self { return .string((value as! URL).absoluteString) }
    let child = key.map { TreeEncoder(key: $0, parent: self, userInfo: userInfo) } ?? self
    try value.encode(to: child)
    return child.result ?? .object([:])
  }

  func double(_ d: Double, _ key: (any CodingKey)?) throws -> JSONValue {
    guard d.isFinite else {
      throw EncodingError.invalidValue(
        d,
        .init(
          codingPath: codingPath + (key.map { [$0] } ?? []),
          debugDescription: "Unable to encode Double.\(d) directly in JSON."))
    }
    return .double(d)
  }

  static func integer<I: FixedWidthInteger>(_ i: I) -> JSONValue {
    if let exact = Int64(exactly: i) { return .int(exact) }
    return .double(Double(i))
  }

  // MARK: SingleValueEncodingContainer

  func encodeNil() { slot = .value(.null) }
  func encode(_ value: Bool) { slot = .value(.bool(value)) }
  func encode(_ value: String) { slot = .value(.string(value)) }
  func encode(_ value: Double) throws { slot = .value(try double(value, nil)) }
  func encode(_ value: Float) throws { slot = .value(try float(value, nil)) }
  func encode(_ value: Int) { slot = .value(.int(Int64(value))) }
  func encode(_ value: Int8) { slot = .value(.int(Int64(value))) }
  func encode(_ value: Int16) { slot = .value(.int(Int64(value))) }
  func encode(_ value: Int32) { slot = .value(.int(Int64(value))) }
  func encode(_ value: Int64) { slot = .value(.int(value)) }
  func encode(_ value: UInt) { slot = .value(Self.integer(value)) }
  func encode(_ value: UInt8) { slot = .value(.int(Int64(value))) }
  func encode(_ value: UInt16) { slot = .value(.int(Int64(value))) }
  func encode(_ value: UInt32) { slot = .value(.int(Int64(value))) }
  func encode(_ value: UInt64) { slot = .value(Self.integer(value)) }
  func encode<T: Encodable>(_ value: T) throws { slot = .value(try json(value, key: nil)) }

  /// A `Float` as the double its shortest spelling denotes, so `0.1` stays `0.1`.
  func float(_ f: Float, _ key: (any CodingKey)?) throws -> JSONValue {
    guard f.isFinite else { return try double(Double(f), key) }
    return .double(Double(f.description) ?? Double(f))
  }
}

struct KeyedTreeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let encoder: TreeEncoder
  let box: ObjectBox

  var codingPath: [any CodingKey] { encoder.codingPath }

  func set(_ value: JSONValue, _ key: Key) { box.set(key.stringValue, value) }

  mutating func encodeNil(forKey key: Key) { set(.null, key) }
  mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
  mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
  mutating func encode(_ value: Double, forKey key: Key) throws { set(try encoder.double(value, key), key) }
  mutating func encode(_ value: Float, forKey key: Key) throws { set(try encoder.float(value, key), key) }
  mutating func encode(_ value: Int, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: Int8, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: Int16, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: Int32, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: Int64, forKey key: Key) { set(.int(value), key) }
  mutating func encode(_ value: UInt, forKey key: Key) { set(TreeEncoder.integer(value), key) }
  mutating func encode(_ value: UInt8, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: UInt16, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: UInt32, forKey key: Key) { set(.int(Int64(value)), key) }
  mutating func encode(_ value: UInt64, forKey key: Key) { set(TreeEncoder.integer(value), key) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(try encoder.json(value, key: key), key) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  )
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested = ObjectBox()
    box.set(key.stringValue, open: .object(nested))
    let child = TreeEncoder(key: key, parent: encoder, slot: .object(nested))
    return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(encoder: child, box: nested))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let nested = ArrayBox()
    box.set(key.stringValue, open: .array(nested))
    let child = TreeEncoder(key: key, parent: encoder, slot: .array(nested))
    return UnkeyedTreeEncoder(encoder: child, box: nested)
  }

  mutating func superEncoder() -> any Encoder { superEncoder(key: SuperKey()) }
  mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(key: key) }

  private func superEncoder(key: any CodingKey) -> any Encoder {
    let child = TreeEncoder(key: key, parent: encoder, userInfo: encoder.userInfo)
    box.set(key.stringValue, open: .encoder(child))
    return child
  }
}

struct UnkeyedTreeEncoder: UnkeyedEncodingContainer {
  let encoder: TreeEncoder
  let box: ArrayBox

  var codingPath: [any CodingKey] { encoder.codingPath }
  var count: Int { box.count }
  var nextKey: IndexKey { IndexKey(box.count) }

  func append(_ value: JSONValue) { box.append(value) }

  mutating func encodeNil() { append(.null) }
  mutating func encode(_ value: Bool) { append(.bool(value)) }
  mutating func encode(_ value: String) { append(.string(value)) }
  mutating func encode(_ value: Double) throws { append(try encoder.double(value, nextKey)) }
  mutating func encode(_ value: Float) throws { append(try encoder.float(value, nextKey)) }
  mutating func encode(_ value: Int) { append(.int(Int64(value))) }
  mutating func encode(_ value: Int8) { append(.int(Int64(value))) }
  mutating func encode(_ value: Int16) { append(.int(Int64(value))) }
  mutating func encode(_ value: Int32) { append(.int(Int64(value))) }
  mutating func encode(_ value: Int64) { append(.int(value)) }
  mutating func encode(_ value: UInt) { append(TreeEncoder.integer(value)) }
  mutating func encode(_ value: UInt8) { append(.int(Int64(value))) }
  mutating func encode(_ value: UInt16) { append(.int(Int64(value))) }
  mutating func encode(_ value: UInt32) { append(.int(Int64(value))) }
  mutating func encode(_ value: UInt64) { append(TreeEncoder.integer(value)) }
  mutating func encode<T: Encodable>(_ value: T) throws { append(try encoder.json(value, key: nextKey)) }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type
  )
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested = ObjectBox()
    let child = TreeEncoder(key: nextKey, parent: encoder, slot: .object(nested))
    box.append(open: .object(nested))
    return KeyedEncodingContainer(KeyedTreeEncoder<NestedKey>(encoder: child, box: nested))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let nested = ArrayBox()
    let child = TreeEncoder(key: nextKey, parent: encoder, slot: .array(nested))
    box.append(open: .array(nested))
    return UnkeyedTreeEncoder(encoder: child, box: nested)
  }

  mutating func superEncoder() -> any Encoder {
    let child = TreeEncoder(key: nextKey, parent: encoder, userInfo: encoder.userInfo)
    box.append(open: .encoder(child))
    return child
  }
}
