import Synchronization

/// The serialization of the objects the latest writes stored, kept for the answers to those
/// writes: when a write is watched over HTTP, the store serializes its object for the watchers,
/// and the handler answering the write takes those bytes instead of serializing the same object
/// again. An object is known by its resourceVersion (each stored state gets a new one) and the
/// API version it was presented at.
///
/// Bounded: an answer that finds nothing (unwatched kind, or more than `capacity` writes in
/// between) serializes as before.
final class WrittenObjectJSON: Sendable {
  private struct Entry {
    var resourceVersion: String
    var apiVersion: String
    var bytes: [UInt8]
  }

  private let entries: Mutex<(ring: [Entry?], next: Int)>

  init(capacity: Int = 64) {
    entries = Mutex((Array(repeating: nil, count: max(1, capacity)), 0))
  }

  func put(resourceVersion: String, apiVersion: String, _ bytes: [UInt8]) {
    entries.withLock { e in
      e.ring[e.next] = Entry(resourceVersion: resourceVersion, apiVersion: apiVersion, bytes: bytes)
      e.next = (e.next + 1) % e.ring.count
    }
  }

  /// The bytes of the object at `resourceVersion`, once: the entry is removed.
  func take(resourceVersion: String, apiVersion: String) -> [UInt8]? {
    entries.withLock { e in
      for i in e.ring.indices {
        guard let entry = e.ring[i], entry.resourceVersion == resourceVersion, entry.apiVersion == apiVersion
        else { continue }
        e.ring[i] = nil
        return entry.bytes
      }
      return nil
    }
  }
}
