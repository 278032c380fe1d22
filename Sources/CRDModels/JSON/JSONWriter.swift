extension JSONValue {
  /// This value as compact JSON text, byte for byte what `JSONEncoder` writes with
  /// `[.sortedKeys, .withoutEscapingSlashes]`: keys sorted by their UTF-8 bytes, `1.0` written
  /// `1`, `"`, `\` and control characters escaped, nothing else. Non-finite doubles, which JSON
  /// cannot carry, are written `null`.
  public func serialized() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(into: &out)
    return out
  }

  /// This value as compact JSON text in a `String`.
  public func serializedString() -> String { String(decoding: serialized(), as: UTF8.self) }

  /// Appends this value's JSON text to `out`.
  public func write(into out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: JSONWriter.null)
    case .bool(let b): out.append(contentsOf: b ? JSONWriter.true : JSONWriter.false)
    case .int(let i): JSONWriter.write(i, into: &out)
    case .double(let d): JSONWriter.write(d, into: &out)
    case .string(let s): JSONWriter.write(s, into: &out)
    case .array(let elements):
      out.append(UInt8(ascii: "["))
      var first = true
      for element in elements {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        element.write(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      var first = true
      for (key, value) in JSONWriter.sorted(members) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        JSONWriter.write(key, into: &out)
        out.append(UInt8(ascii: ":"))
        value.write(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }
}

/// The pieces of ``JSONValue/write(into:)``.
enum JSONWriter {
  static let null: [UInt8] = Array("null".utf8)
  static let `true`: [UInt8] = Array("true".utf8)
  static let `false`: [UInt8] = Array("false".utf8)
  static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  static func sorted(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
    members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
  }

  static func write(_ int: Int64, into out: inout [UInt8]) {
    if int >= 0 && int < 10 {
      out.append(UInt8(ascii: "0") + UInt8(int))
    } else {
      out.append(contentsOf: String(int).utf8)  // a small string: no allocation
    }
  }

  static func write(_ double: Double, into out: inout [UInt8]) {
    guard double.isFinite else {
      out.append(contentsOf: null)
      return
    }
    // Swift's shortest round-trip spelling, which is Foundation's, less its trailing ".0".
    var text = double.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    out.append(contentsOf: text.utf8)
  }

  static func write(_ string: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var string = string
    string.withUTF8 { bytes in
      var runStart = 0
      for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
      {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
        runStart = i + 1
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
          out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
          out.append(hexDigits[Int(byte >> 4)])
          out.append(hexDigits[Int(byte & 0xF)])
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }
    out.append(UInt8(ascii: "\""))
  }
}
