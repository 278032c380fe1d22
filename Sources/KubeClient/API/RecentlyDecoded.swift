import Synchronization

/// Objects this client decoded moments ago, by their exact JSON, so that the two halves of a
/// write and its echo are decoded once.
///
/// A controller's writes come back to it through its watches: the pod it created arrives as
/// ADDED, its status write as MODIFIED, each carrying the very bytes of the write's answer.
/// Whichever of the two arrives second (the answer or the watch event; they race) takes the
/// object decoded from the first instead of decoding the same bytes again (when both are decoded
/// at the same moment, neither can). Only byte-for-byte
/// equal JSON counts, and equal bytes decode to equal values, so this changes nothing but the
/// work. An entry is used once; the last `capacity` are kept (for objects the size of a runner
/// pod, around 10 MiB when full), and only by a client that both watches and writes: one that
/// only writes, or only watches, keeps nothing and scans nothing.
final class RecentlyDecoded: Sendable {
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
  private let watches = Atomic<Int>(0)
  private let writes = Atomic<Bool>(false)

  init(capacity: Int = 1024) {
    state = Mutex(State(slots: Array(repeating: nil, count: max(1, capacity))))
  }

  /// Keeps `object`, decoded from `bytes`, for the other half of its pair.
  func remember(_ bytes: ArraySlice<UInt8>, _ object: any Sendable) {
    let hash = Self.hash(bytes)
    let entry = Entry(hash: hash, bytes: Array(bytes), object: object)
    state.withLock { s in
      if let old = s.slots[s.next], s.byHash[old.hash] == s.next { s.byHash[old.hash] = nil }
      s.slots[s.next] = entry
      s.byHash[hash] = s.next
      s.next = (s.next + 1) % s.slots.count
    }
  }

  /// The object decoded moments ago from exactly these bytes, if it is still kept; it is then
  /// forgotten.
  func take<K>(_ bytes: ArraySlice<UInt8>, as type: K.Type) -> K? {
    let hash = Self.hash(bytes)
    return state.withLock { s in
      guard let slot = s.byHash[hash], let entry = s.slots[slot], entry.bytes[...] == bytes,
        let object = entry.object as? K
      else { return nil }
      s.byHash[hash] = nil
      s.slots[slot] = nil
      s.reused += 1
      return object
    }
  }

  func watchStarted() { watches.add(1, ordering: .relaxed) }
  func watchEnded() { watches.subtract(1, ordering: .relaxed) }
  /// True while a watch of this client runs: only then can an answer have an echo.
  var watching: Bool { watches.load(ordering: .relaxed) > 0 }

  func wrote() { if !writes.load(ordering: .relaxed) { writes.store(true, ordering: .relaxed) } }
  /// True once this client has written: only then can a watch event be an echo.
  var writing: Bool { writes.load(ordering: .relaxed) }

  /// How many decodes were saved.
  var reused: Int { state.withLock { $0.reused } }

  private static func hash(_ bytes: ArraySlice<UInt8>) -> Int {
    var h = Hasher()
    bytes.withUnsafeBytes { h.combine(bytes: $0) }
    return h.finalize()
  }
}
