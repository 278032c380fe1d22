/// What a reconcile asks of the controller when it returns.
public enum ReconcileResult: Sendable, Equatable {
  /// The object is where it should be; nothing to do until it or something it owns changes.
  case done
  /// Look again after this delay (e.g. an idle timeout or a TTL is due), whatever happens
  /// meanwhile. Any failure backoff for the key is forgotten.
  case requeueAfter(Duration)
}

/// A controller's business logic: bring the world in line with one object.
///
/// Reconcilers are level-driven and idempotent. They get only a key, read the current state
/// from the cache, and may be called any number of times for the same state. A thrown error is
/// logged, counted and retried with per-key backoff; a 409 Conflict is an ordinary retry.
/// Throw ``TerminalError`` for failures a retry cannot fix (they are recorded, not retried).
public protocol Reconciler: Sendable {
  /// A short name for logs and metrics, e.g. `runner`.
  var name: String { get }
  func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// An error a retry cannot fix: the controller logs it and forgets the key until it changes.
public struct TerminalError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
