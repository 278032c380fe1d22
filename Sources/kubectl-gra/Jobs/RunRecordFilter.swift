/// Removes the `::gra-run-record:: {…}` line (the TracerJob pod's hand-off of run.json to the
/// operator, see docs/tracerjobs.md) from a log stream, whatever the chunking; every other
/// byte passes through unchanged, a partial last line as soon as it cannot be that marker.
struct RunRecordFilter: Sendable {
  static let marker = Array("::gra-run-record:: ".utf8)
  private var line: [UInt8] = []
  /// The current line is the record: drop bytes until its newline.
  private var dropping = false

  mutating func push<C: Collection<UInt8>>(_ chunk: C) -> [UInt8] {
    var out: [UInt8] = []
    for b in chunk {
      if dropping {
        if b == 10 { dropping = false }
        continue
      }
      line.append(b)
      if b == 10 {
        out += line
        line.removeAll(keepingCapacity: true)
      } else if line.count == Self.marker.count, line == Self.marker {
        dropping = true
        line.removeAll(keepingCapacity: true)
      } else if line.count <= Self.marker.count, !Self.marker.starts(with: line) {
        out += line
        line.removeAll(keepingCapacity: true)
      } else if line.count > Self.marker.count {
        out += line
        line.removeAll(keepingCapacity: true)
      }
    }
    return out
  }

  /// What is left at the end of the stream.
  mutating func finish() -> [UInt8] {
    defer { line = [] }
    return dropping ? [] : line
  }
}
