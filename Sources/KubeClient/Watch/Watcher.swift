import CRDModels
import Foundation

/// What a ``Api/watcher(_:)`` reports, modelled on kube-rs's `watcher::Event`.
///
/// A (re)list is bracketed: `.initStarted`, then one `.initApply` per object, then
/// `.initDone`. A store (informer cache) should collect the init objects into a new buffer
/// and swap it in at `.initDone` — objects missing from a relist were deleted while the
/// watch was down, and no `.delete` is sent for them. After `.initDone`, `.apply` (ADDED or
/// MODIFIED) and `.delete` follow the watch.
public enum WatcherEvent<K: Sendable>: Sendable {
  case initStarted
  case initApply(K)
  /// The list is complete; `resourceVersion` is the list's.
  case initDone(resourceVersion: String)
  case apply(K)
  case delete(K)
  /// Something failed; the watcher backs off and carries on by itself (relisting when the
  /// failure was 410 Gone). Informational: log it, count it, or stop iterating.
  case failed(KubeError)
}

/// Settings of a ``Api/watcher(_:)``.
public struct WatcherConfig: Sendable {
  public var labelSelector: String?
  public var fieldSelector: String?
  /// Objects per list page (`limit`).
  public var pageSize: Int = 500
  /// Per-request watch timeout; nil is random in 290–590 s.
  public var timeoutSeconds: Int?
  /// First delay after a failure, doubled on each consecutive failure up to `maxBackoff`,
  /// with jitter (×0.5–1.0). Reset once the watcher has run `resetAfter` without failing.
  public var initialBackoff: Duration = .milliseconds(800)
  public var maxBackoff: Duration = .seconds(30)
  public var resetAfter: Duration = .seconds(120)

  public init(
    labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500, timeoutSeconds: Int? = nil
  ) {
    self.labelSelector = labelSelector
    self.fieldSelector = fieldSelector
    self.pageSize = pageSize
    self.timeoutSeconds = timeoutSeconds
  }
}

/// Exponential backoff with jitter that forgets after a healthy period.
struct WatcherBackoff {
  let initial: Duration
  let max: Duration
  let resetAfter: Duration
  private var current: Duration?
  private var lastFailure: ContinuousClock.Instant?

  init(initial: Duration, max: Duration, resetAfter: Duration) {
    self.initial = initial
    self.max = max
    self.resetAfter = resetAfter
  }

  /// The delay for a failure at `now`; `random` in [0, 1).
  mutating func next(now: ContinuousClock.Instant, random: Double) -> Duration {
    if let lastFailure, now - lastFailure > resetAfter { current = nil }
    lastFailure = now
    let base = current.map { Swift.min($0 * 2, max) } ?? initial
    current = base
    return base * (0.5 + 0.5 * random)
  }
}

extension Api {
  /// List, then watch from the list's resourceVersion, forever: the building block of
  /// informers and controllers.
  ///
  /// - Lists in pages of `config.pageSize`, emitting `.initStarted`, `.initApply` for each
  ///   object and `.initDone`.
  /// - Watches with bookmarks; the watch resumes by itself after server timeouts.
  /// - On 410 Gone (expired resourceVersion or continue token) it relists from scratch with
  ///   `resourceVersion=""` (a quorum read), emitting a new init sequence.
  /// - On other failures it emits `.failed` and retries after 800 ms doubling to 30 s with
  ///   jitter, reset after 2 minutes without failure. A failed list restarts the list; a
  ///   failed watch resumes from the last resourceVersion.
  /// - It ends only when the consumer stops iterating (or its task is cancelled).
  ///
  /// Events are buffered without limit so the watch is read as fast as the server sends it,
  /// however slowly the consumer runs.
  public func watcher(_ config: WatcherConfig = WatcherConfig()) -> AsyncStream<WatcherEvent<K>> {
    let (stream, continuation) = AsyncStream<WatcherEvent<K>>.makeStream()
    let task = Task {
      await self.runWatcher(config) { continuation.yield($0) }
      continuation.finish()
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  func runWatcher(_ config: WatcherConfig, emit: (WatcherEvent<K>) -> Void) async {
    var backoff = WatcherBackoff(initial: config.initialBackoff, max: config.maxBackoff, resetAfter: config.resetAfter)
    var resourceVersion: String?  // nil: must (re)list
    // A 410 right after a 410 (no event in between) backs off instead of relisting at once.
    var goneInARow = 0
    let transport = client.transport
    func pause(_ error: KubeError) async -> Bool {
      emit(.failed(error))
      let d = backoff.next(now: .now, random: transport.random())
      do { try await transport.sleep(d) } catch { return false }
      return !Task.isCancelled
    }

    while !Task.isCancelled {
      guard let rv = resourceVersion else {
        emit(.initStarted)
        do {
          var p = ListParams(
            labelSelector: config.labelSelector, fieldSelector: config.fieldSelector, limit: config.pageSize)
          var listRV = ""
          repeat {
            let page = try await list(p)
            for item in page.items { emit(.initApply(item)) }
            p.continueToken = page.metadata.continue
            listRV = page.metadata.resourceVersion ?? listRV
          } while !(p.continueToken ?? "").isEmpty
          emit(.initDone(resourceVersion: listRV))
          resourceVersion = listRV
        } catch is CancellationError {
          return
        } catch {
          if Task.isCancelled { return }
          // An expired continue token relists at once; anything else backs off first.
          let ke = Self.kubeError(error)
          if ke.isGone && goneInARow == 0 {
            goneInARow += 1
            emit(.failed(ke))
            continue
          }
          guard await pause(ke) else { return }
        }
        continue
      }

      var current = rv
      do {
        let params = WatchParams(
          labelSelector: config.labelSelector, fieldSelector: config.fieldSelector,
          timeoutSeconds: config.timeoutSeconds)
        try await runWatch(from: rv, params) { event in
          switch event {
          case .added(let o), .modified(let o): emit(.apply(o))
          case .deleted(let o): emit(.delete(o))
          case .bookmark, .error: break
          }
          if let v = Self.resourceVersion(of: event, identity), !v.isEmpty { current = v }
          goneInARow = 0
        }
        resourceVersion = current
      } catch is CancellationError {
        return
      } catch {
        if Task.isCancelled { return }
        let ke = Self.kubeError(error)
        if ke.isGone {
          resourceVersion = nil
          goneInARow += 1
          if goneInARow > 1 {
            guard await pause(ke) else { return }
          } else {
            emit(.failed(ke))
          }
          continue
        }
        resourceVersion = current
        guard await pause(ke) else { return }
      }
    }
  }

  static func resourceVersion(of event: WatchEvent<K>, _ identity: IdentityReader<K>) -> String? {
    switch event {
    case .added(let o), .modified(let o), .deleted(let o): identity(o).resourceVersion
    case .bookmark(let rv, _): rv
    case .error: nil
    }
  }

  static func kubeError(_ error: any Error) -> KubeError {
    (error as? KubeError) ?? KubeError.transport("\(error)")
  }
}
