import CRDModels
import Foundation

/// Fast JSON encoding and decoding of ``JSONValue`` for the wire.
///
/// `JSONDecoder` over `JSONValue` tries every type in turn and throws on each miss, which
/// dominates the cost of large lists and watch fan-out; this is a direct byte-level codec.
/// Object keys are written sorted, so output is deterministic.
enum JSONWire {
  static func encode(_ value: JSONValue) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(value, into: &out)
    return out
  }

  static func encodeString(_ value: JSONValue) -> String { String(decoding: encode(value), as: UTF8.self) }

  static func write(_ value: JSONValue, into out: inout [UInt8]) {
    switch value {
    case .null: out.append(contentsOf: [110, 117, 108, 108])
    case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .double(let d):
      if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
        out.append(contentsOf: String(Int64(d)).utf8)
      } else if d.isFinite {
        out.append(contentsOf: "\(d)".utf8)
      } else {
        out.append(contentsOf: [110, 117, 108, 108])
      }
    case .string(let s): writeString(s, into: &out)
    case .array(let a):
      out.append(91)
      for (i, v) in a.enumerated() {
        if i > 0 { out.append(44) }
        write(v, into: &out)
      }
      out.append(93)
    case .object(let o):
      out.append(123)
      for (i, k) in o.keys.sorted().enumerated() {
        if i > 0 { out.append(44) }
        writeString(k, into: &out)
        out.append(58)
        write(o[k]!, into: &out)
      }
      out.append(125)
    }
  }

  private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  static func writeString(_ s: String, into out: inout [UInt8]) {
    out.append(34)
    for b in s.utf8 {
      switch b {
      case 34: out.append(contentsOf: [92, 34])
      case 92: out.append(contentsOf: [92, 92])
      case 10: out.append(contentsOf: [92, 110])
      case 13: out.append(contentsOf: [92, 114])
      case 9: out.append(contentsOf: [92, 116])
      case 0..<32:
        out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
      default: out.append(b)
      }
    }
    out.append(34)
  }

  struct ParseError: Error, CustomStringConvertible {
    var offset: Int
    var reason: String
    var description: String { "invalid JSON at offset \(offset): \(reason)" }
  }

  static func decode(_ bytes: [UInt8]) throws -> JSONValue {
    var p = Parser(b: bytes)
    p.skipWS()
    let v = try p.value(depth: 0)
    p.skipWS()
    guard p.i == bytes.count else { throw ParseError(offset: p.i, reason: "trailing data") }
    return v
  }

  static func decode(_ string: String) throws -> JSONValue { try decode(Array(string.utf8)) }

  private struct Parser {
    let b: [UInt8]
    var i = 0

    mutating func skipWS() {
      while i < b.count, b[i] == 32 || b[i] == 10 || b[i] == 13 || b[i] == 9 { i += 1 }
    }

    func fail(_ r: String) -> ParseError { ParseError(offset: i, reason: r) }

    mutating func value(depth: Int) throws -> JSONValue {
      guard depth < 512 else { throw fail("nesting too deep") }
      guard i < b.count else { throw fail("unexpected end") }
      switch b[i] {
      case 123:
        i += 1
        var o: [String: JSONValue] = [:]
        skipWS()
        if i < b.count, b[i] == 125 {
          i += 1
          return .object(o)
        }
        while true {
          skipWS()
          guard i < b.count, b[i] == 34 else { throw fail("expected key") }
          let k = try string()
          skipWS()
          guard i < b.count, b[i] == 58 else { throw fail("expected ':'") }
          i += 1
          skipWS()
          o[k] = try value(depth: depth + 1)
          skipWS()
          guard i < b.count else { throw fail("unexpected end") }
          if b[i] == 44 {
            i += 1
            continue
          }
          if b[i] == 125 {
            i += 1
            return .object(o)
          }
          throw fail("expected ',' or '}'")
        }
      case 91:
        i += 1
        var a: [JSONValue] = []
        skipWS()
        if i < b.count, b[i] == 93 {
          i += 1
          return .array(a)
        }
        while true {
          skipWS()
          a.append(try value(depth: depth + 1))
          skipWS()
          guard i < b.count else { throw fail("unexpected end") }
          if b[i] == 44 {
            i += 1
            continue
          }
          if b[i] == 93 {
            i += 1
            return .array(a)
          }
          throw fail("expected ',' or ']'")
        }
      case 34: return .string(try string())
      case 116:
        try literal("true")
        return .bool(true)
      case 102:
        try literal("false")
        return .bool(false)
      case 110:
        try literal("null")
        return .null
      default: return try number()
      }
    }

    mutating func literal(_ s: String) throws {
      for c in s.utf8 {
        guard i < b.count, b[i] == c else { throw fail("invalid literal") }
        i += 1
      }
    }

    mutating func number() throws -> JSONValue {
      let start = i
      var isFloat = false
      if i < b.count, b[i] == 45 { i += 1 }
      while i < b.count {
        let c = b[i]
        if c >= 48 && c <= 57 {
          i += 1
        } else if c == 46 || c == 101 || c == 69 || c == 43 || c == 45 {
          isFloat = true
          i += 1
        } else {
          break
        }
      }
      guard i > start else { throw fail("unexpected character") }
      let s = String(decoding: b[start..<i], as: UTF8.self)
      if !isFloat, let v = Int64(s) { return .int(v) }
      guard let d = Double(s) else { throw ParseError(offset: start, reason: "invalid number") }
      return .double(d)
    }

    mutating func hex4() throws -> UInt32 {
      guard i + 4 <= b.count else { throw fail("bad escape") }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let c = b[i]
        v <<= 4
        switch c {
        case 48...57: v |= UInt32(c - 48)
        case 97...102: v |= UInt32(c - 87)
        case 65...70: v |= UInt32(c - 55)
        default: throw fail("bad escape")
        }
        i += 1
      }
      return v
    }

    mutating func string() throws -> String {
      i += 1
      let start = i
      // Fast path: no escapes.
      while i < b.count, b[i] != 34, b[i] != 92 { i += 1 }
      guard i < b.count else { throw fail("unterminated string") }
      if b[i] == 34 {
        let s = String(decoding: b[start..<i], as: UTF8.self)
        i += 1
        return s
      }
      var out = Array(b[start..<i])
      while true {
        guard i < b.count else { throw fail("unterminated string") }
        let c = b[i]
        if c == 34 {
          i += 1
          break
        }
        if c != 92 {
          out.append(c)
          i += 1
          continue
        }
        i += 1
        guard i < b.count else { throw fail("bad escape") }
        let e = b[i]
        i += 1
        switch e {
        case 34: out.append(34)
        case 92: out.append(92)
        case 47: out.append(47)
        case 98: out.append(8)
        case 102: out.append(12)
        case 110: out.append(10)
        case 114: out.append(13)
        case 116: out.append(9)
        case 117:
          var cp = try hex4()
          if cp >= 0xD800 && cp < 0xDC00, i + 1 < b.count, b[i] == 92, b[i + 1] == 117 {
            i += 2
            let lo = try hex4()
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo &- 0xDC00)
          }
          let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: throw fail("bad escape")
        }
      }
      return String(decoding: out, as: UTF8.self)
    }
  }
}
