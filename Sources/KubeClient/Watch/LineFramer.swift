/// Splits a byte stream into newline-terminated lines, incrementally.
///
/// Watch and log bodies arrive in chunks that bear no relation to lines: a chunk may hold
/// many lines, part of one, or end in the middle of a UTF-8 sequence. Bytes after the last
/// newline stay buffered until more arrive; nothing ever buffers the whole body. `\r\n` is
/// accepted; empty lines are skipped unless `keepEmptyLines`.
public struct LineFramer: Sendable {
  private var buffer: [UInt8] = []
  /// Bytes of `buffer` already known to contain no newline.
  private var scanned = 0
  /// Longest line accepted; a longer one is an error rather than unbounded memory.
  public let maxLineLength: Int

  /// Keep empty lines (logs) instead of skipping them (watch streams).
  public let keepEmptyLines: Bool

  public init(maxLineLength: Int = 64 << 20, keepEmptyLines: Bool = false) {
    self.maxLineLength = maxLineLength
    self.keepEmptyLines = keepEmptyLines
  }

  /// Adds a chunk and returns the lines it completed.
  public mutating func push<C: Collection<UInt8>>(_ chunk: C) throws -> [[UInt8]] {
    buffer.append(contentsOf: chunk)
    var lines: [[UInt8]] = []
    var start = 0
    var i = scanned
    let n = buffer.count
    buffer.withUnsafeBufferPointer { b in
      while i < n {
        if b[i] == 10 {
          var end = i
          if end > start && b[end - 1] == 13 { end -= 1 }
          if end > start || keepEmptyLines { lines.append(Array(b[start..<end])) }
          start = i + 1
        }
        i += 1
      }
    }
    if start > 0 { buffer.removeSubrange(0..<start) }
    scanned = buffer.count
    if buffer.count > maxLineLength {
      throw KubeError.decoding("a line of the stream is longer than \(maxLineLength) bytes")
    }
    return lines
  }

  /// The unterminated rest, when the stream ended without a final newline.
  public mutating func finish() -> [UInt8]? {
    defer {
      buffer = []
      scanned = 0
    }
    var rest = buffer
    while let last = rest.last, last == 13 || last == 32 { rest.removeLast() }
    return rest.isEmpty ? nil : rest
  }

  /// Bytes held back waiting for a newline.
  public var pendingByteCount: Int { buffer.count }
}
