/// The bounded output history of a durable exec, so a client that lost its connection can
/// reattach with `?offset=N` and get what it missed.
///
/// Offsets count bytes of the combined output (stdout and stderr interleaved as produced), so
/// one number says where a client stopped. At most `capacity` bytes are held; older ones are
/// dropped, and a reattach from an offset that is gone starts at the oldest byte still held —
/// the first frame's `offset` tells the client how much it lost.
public struct ReplayBuffer: Sendable {
  public let capacity: Int
  private var chunks: [(stream: ExecFrame.OutputStream, offset: Int, bytes: [UInt8])] = []
  private var head = 0
  private var held = 0
  /// Total bytes ever written: the next chunk's offset.
  public private(set) var written = 0

  public init(capacity: Int) { self.capacity = max(1, capacity) }

  /// Records a chunk and returns its frame.
  @discardableResult
  public mutating func append(_ stream: ExecFrame.OutputStream, _ bytes: [UInt8]) -> ExecFrame? {
    guard !bytes.isEmpty else { return nil }
    let frame = ExecFrame.output(stream: stream, offset: written, bytes: bytes)
    chunks.append((stream, written, bytes))
    written += bytes.count
    held += bytes.count
    while held > capacity, head < chunks.count {
      let first = chunks[head]
      let excess = held - capacity
      if first.bytes.count <= excess {
        head += 1
        held -= first.bytes.count
      } else {
        chunks[head] = (first.stream, first.offset + excess, Array(first.bytes.dropFirst(excess)))
        held -= excess
      }
    }
    if head > 64, head * 2 > chunks.count {
      chunks.removeFirst(head)
      head = 0
    }
    return frame
  }

  /// The held output from combined offset `offset` on, in the order it was produced.
  public func frames(from offset: Int) -> [ExecFrame] {
    chunks[head...].compactMap { c in
      guard c.offset + c.bytes.count > offset else { return nil }
      let skip = max(0, offset - c.offset)
      return .output(stream: c.stream, offset: c.offset + skip, bytes: Array(c.bytes.dropFirst(skip)))
    }
  }

  public var bytesHeld: Int { held }
  /// The oldest offset still held.
  public var oldestOffset: Int { written - held }
}
