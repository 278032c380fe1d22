import Synchronization

/// The objects this client's own writes returned, by their exact JSON.
///
/// A controller's writes come back to it through its watches: the pod it created arrives as
/// ADDED, its status write as MODIFIED, each carrying the very bytes the write's answer
/// carried. A watch event whose object is byte-for-byte one of these reuses the object decoded
/// from the answer instead of decoding it again. Equal bytes decode to equal values, so this
/// changes nothing but the work; anything else is decoded as usual. Only the last `capacity`
/// answers are kept.
final class WrittenObjects: Sendable {
  private struct Entry {
    var hash: Int
    var bytes: [UInt8]
    var object: any Sendable
  }

  private struct State {
    var slots: [Entry?]
    var byHash: [Int: Int] = [:]
    var next = 0
    var reused = 0
  }

  private let state: Mutex<State>

  init(capacity: Int = 1024) {
    state = Mutex(State(slots: Array(repeating: nil, count: max(1, capacity))))
  }

  /// Remembers the object decoded from `bytes`, the answer to a write.
  func remember(_ bytes: [UInt8], _ object: any Sendable) {
    let hash = Self.hash(bytes[...])
    state.withLock { s in
      if let old = s.slots[s.next], s.byHash[old.hash] == s.next { s.byHash[old.hash] = nil }
      s.slots[s.next] = Entry(hash: hash, bytes: bytes, object: object)
      s.byHash[hash] = s.next
      s.next = (s.next + 1) % s.slots.count
    }
  }

  /// The object a write returned with exactly these bytes, if it is still remembered.
  func object<K>(_ bytes: ArraySlice<UInt8>, as type: K.Type) -> K? {
    let hash = Self.hash(bytes)
    return state.withLock { s in
      guard let slot = s.byHash[hash], let entry = s.slots[slot], entry.bytes[...] == bytes,
        let object = entry.object as? K
      else { return nil }
      s.reused += 1
      return object
    }
  }

  var isEmpty: Bool { state.withLock { $0.byHash.isEmpty } }

  /// How many watch events took a remembered object instead of being decoded.
  var reused: Int { state.withLock { $0.reused } }

  private static func hash(_ bytes: ArraySlice<UInt8>) -> Int {
    var h = Hasher()
    bytes.withUnsafeBytes { h.combine(bytes: $0) }
    return h.finalize()
  }
}
