/// Fits a command's output into what a tool result may carry: the start and the end (where
/// errors and results usually are), with a note in between that says how much was left out and
/// where the full output is.
enum OutputTruncation {
  struct Result: Equatable {
    var text: String
    /// Bytes left out; 0 when the whole output fits.
    var omittedBytes: Int
    var truncated: Bool { omittedBytes > 0 }
  }

  /// `limit` bytes at most of `bytes` (plus the note): a quarter from the start, the rest from
  /// the end, both cut on UTF-8 character boundaries. `fullOutputPath` is named in the note.
  static func truncate(
    _ bytes: [UInt8], limit: Int, stream: String, fullOutputPath: String?
  )
    -> Result
  {
    guard bytes.count > limit else {
      return Result(text: String(decoding: bytes, as: UTF8.self), omittedBytes: 0)
    }
    let headEnd = boundary(bytes, atOrBefore: limit / 4)
    let tailStart = boundary(bytes, atOrBefore: bytes.count - (limit - headEnd))
    let omitted = tailStart - headEnd
    let whereFull =
      fullOutputPath.map {
        "the full \(stream) (\(bytes.count) bytes) is in the runner's file \($0): use read_file with offset and limit to page through it"
      }
      ?? "the full \(stream) could not be saved"
    let note = "\n[... \(omitted) bytes of \(stream) omitted; \(whereFull) ...]\n"
    let text =
      String(decoding: bytes[..<headEnd], as: UTF8.self) + note
      + String(decoding: bytes[tailStart...], as: UTF8.self)
    return Result(text: text, omittedBytes: omitted)
  }

  /// The greatest index ≤ `i` that does not fall inside a UTF-8 multi-byte sequence.
  static func boundary(_ bytes: [UInt8], atOrBefore i: Int) -> Int {
    var j = max(0, min(i, bytes.count))
    while j > 0 && j < bytes.count && (bytes[j] & 0b1100_0000) == 0b1000_0000 { j -= 1 }
    return j
  }
}
