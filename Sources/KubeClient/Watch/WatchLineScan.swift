/// Finds where the `type` and `object` members of a watch event line are, without parsing
/// it: a scan that only matches brackets and skips strings. Whatever it does not expect makes
/// it give up (nil), and the line is parsed as usual.
enum WatchLineScan {
  struct Members {
    var type: ArraySlice<UInt8>
    var object: ArraySlice<UInt8>
  }

  static func members(_ line: [UInt8]) -> Members? {
    var i = skipSpace(line, 0)
    guard i < line.count, line[i] == UInt8(ascii: "{") else { return nil }
    i += 1
    var type: ArraySlice<UInt8>?
    var object: ArraySlice<UInt8>?
    while true {
      i = skipSpace(line, i)
      guard i < line.count, line[i] == UInt8(ascii: "\"") else { return nil }
      guard let keyEnd = stringEnd(line, i) else { return nil }
      let key = line[(i + 1)..<(keyEnd - 1)]
      i = skipSpace(line, keyEnd)
      guard i < line.count, line[i] == UInt8(ascii: ":") else { return nil }
      i = skipSpace(line, i + 1)
      guard let valueEnd = valueEnd(line, i) else { return nil }
      if key.elementsEqual("object".utf8) { object = line[i..<valueEnd] }
      if key.elementsEqual("type".utf8) { type = line[i..<valueEnd] }
      i = skipSpace(line, valueEnd)
      guard i < line.count else { return nil }
      if line[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      guard line[i] == UInt8(ascii: "}"), let type, let object else { return nil }
      return Members(type: type, object: object)
    }
  }

  private static func skipSpace(_ b: [UInt8], _ from: Int) -> Int {
    var i = from
    while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    return i
  }

  /// The index after the string that starts at `start` (a quote).
  private static func stringEnd(_ b: [UInt8], _ start: Int) -> Int? {
    var i = start + 1
    while i < b.count {
      switch b[i] {
      case UInt8(ascii: "\\"): i += 2
      case UInt8(ascii: "\""): return i + 1
      default: i += 1
      }
    }
    return nil
  }

  /// The index after the value that starts at `start`.
  private static func valueEnd(_ b: [UInt8], _ start: Int) -> Int? {
    guard start < b.count else { return nil }
    switch b[start] {
    case UInt8(ascii: "\""): return stringEnd(b, start)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      var depth = 0
      var i = start
      while i < b.count {
        switch b[i] {
        case UInt8(ascii: "\""):
          guard let end = stringEnd(b, i) else { return nil }
          i = end
          continue
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          depth -= 1
          if depth == 0 { return i + 1 }
        default: break
        }
        i += 1
      }
      return nil
    default:
      var i = start
      while i < b.count, b[i] != UInt8(ascii: ","), b[i] != UInt8(ascii: "}"), b[i] != UInt8(ascii: "]") { i += 1 }
      return i
    }
  }
}
