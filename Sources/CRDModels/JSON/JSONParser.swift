/// Why a byte sequence is not JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Byte offset of the problem in the input.
  public var offset: Int
  public var reason: String
  public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
  /// Parses JSON text (RFC 8259) straight into a ``JSONValue``.
  ///
  /// This is the decoding path for every payload gra reads: it finds each value's type from
  /// its first byte instead of asking a `Decoder` for each type in turn. Integers that fit in
  /// 64 bits become `.int`, every other number `.double` (as Go's unstructured decoding does);
  /// invalid UTF-8 and lone surrogates become U+FFFD (as Go's `encoding/json` does); a
  /// duplicate object key keeps its last value; nesting deeper than 512 is refused.
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
    let parsed: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
      Result { () throws(JSONParseError) in try parse(buffer: buffer) }
    }
    if let parsed { return try parsed.get() }
    return try Array(bytes).withUnsafeBufferPointer { buffer in
      Result { () throws(JSONParseError) in try parse(buffer: buffer) }
    }.get()
  }

  /// Parses JSON text given as a string.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    var text = text
    return try text.withUTF8 { buffer in Result { () throws(JSONParseError) in try parse(buffer: buffer) } }.get()
  }

  private static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes: buffer)
    parser.skipWhitespace()
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.index == buffer.count else { throw parser.error("unexpected data after the top-level value") }
    return value
  }
}

private struct JSONParser {
  static let maximumDepth = 512

  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
    JSONParseError(offset: offset ?? index, reason: reason)
  }

  var atEnd: Bool { index >= bytes.count }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
      default: return
      }
    }
  }

  mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
    guard index < bytes.count, bytes[index] == byte else {
      throw error(atEnd ? "unexpected end of input, expected \(what)" : "expected \(what)")
    }
    index += 1
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
    guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("unexpected character '\(Self.printable(bytes[index]))'")
    }
  }

  static func printable(_ byte: UInt8) -> String {
    (32..<127).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
  }

  mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
    index += 1
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error(atEnd ? "unexpected end of input, expected an object key" : "expected a string as object key")
      }
      let key = try string()
      skipWhitespace()
      try expect(UInt8(ascii: ":"), "':' after an object key")
      skipWhitespace()
      members[key] = try value(depth: depth)
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '}'") }
      switch bytes[index] {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "}"):
        index += 1
        return .object(members)
      default: throw error("expected ',' or '}' after an object member")
      }
    }
  }

  mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try value(depth: depth))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input, expected ',' or ']'") }
      switch bytes[index] {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "]"):
        index += 1
        return .array(elements)
      default: throw error("expected ',' or ']' after an array element")
      }
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let start = index
    for byte in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
      guard index < bytes.count, bytes[index] == byte else {
        throw error("invalid literal, expected \(word)", at: start)
      }
      index += 1
    }
  }

  mutating func digits() -> Int {
    let start = index
    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
    return index - start
  }

  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, exactly: no leading zeros, no
  /// bare `.5` or `5.`, no `+1`.
  mutating func number() throws(JSONParseError) -> JSONValue {
    let start = index
    let negative = bytes[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
      throw error("a number needs a digit after '-'")
    }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        throw error("a number must not have leading zeros", at: start)
      }
    } else {
      _ = digits()
    }
    let integerEnd = index
    var isInteger = true
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      isInteger = false
      index += 1
      guard digits() > 0 else { throw error("a number needs a digit after '.'") }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      isInteger = false
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard digits() > 0 else { throw error("a number needs a digit in its exponent") }
    }
    if isInteger, let int = Self.int64(bytes, from: negative ? start + 1 : start, to: integerEnd, negative: negative) {
      return .int(int)
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let double = Double(text), double.isFinite else { throw error("number \(text) is out of range", at: start) }
    return .double(double)
  }

  /// The integer in `bytes[from..<to]` (digits only), or nil when it does not fit in Int64.
  static func int64(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, negative: Bool) -> Int64? {
    guard to - from <= 19 else { return nil }
    var magnitude: UInt64 = 0
    for i in from..<to { magnitude = magnitude &* 10 &+ UInt64(bytes[i] &- UInt8(ascii: "0")) }
    if negative {
      return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
    }
    return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("a \\u escape needs four hex digits") }
    var code: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[index]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
      default: throw error("a \\u escape needs four hex digits")
      }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }

  mutating func string() throws(JSONParseError) -> String {
    index += 1
    let start = index
    while index < bytes.count {
      let c = bytes[index]
      if c == UInt8(ascii: "\"") {
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        index += 1
        return s
      }
      if c == UInt8(ascii: "\\") { break }
      if c < 0x20 { throw error("control character \\x\(String(c, radix: 16)) must be escaped in a string") }
      index += 1
    }
    guard index < bytes.count else { throw error("unterminated string", at: start - 1) }
    var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
    while true {
      guard index < bytes.count else { throw error("unterminated string", at: start - 1) }
      let c = bytes[index]
      switch c {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: utf8, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { throw error("unterminated string", at: start - 1) }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): utf8.append(contentsOf: String(Character(try unicodeEscape())).utf8)
        default: throw error("invalid escape '\\\(Self.printable(escape))'", at: index - 2)
        }
      default:
        if c < 0x20 { throw error("control character \\x\(String(c, radix: 16)) must be escaped in a string") }
        utf8.append(c)
        index += 1
      }
    }
  }

  /// The scalar of a `\uXXXX` escape (after the `u`), joining a surrogate pair; a lone
  /// surrogate is U+FFFD.
  mutating func unicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
    let code = try hex4()
    if (0xD800..<0xDC00).contains(code), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
      bytes[index + 1] == UInt8(ascii: "u")
    {
      let mark = index
      index += 2
      let low = try hex4()
      if (0xDC00..<0xE000).contains(low) {
        return Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
      }
      index = mark
    }
    return Unicode.Scalar(code) ?? "\u{FFFD}"
  }
}
