import CRDModels
import KubeClient
import Logging
import Synchronization

/// A change an ``Informer`` saw, handed to its event handlers.
public enum InformerEvent<K: KubernetesObject>: Sendable {
  /// Added or modified; `old` is the cached version it replaced (nil when new).
  case applied(old: K?, new: K)
  /// Deleted, or gone from a relist after the watch was down.
  case deleted(K)
}

/// Lists then watches one kind (through ``KubeClient/Api/watcher(_:)``), keeps an
/// ``ObjectCache`` of it and tells its handlers about every change.
///
/// One informer per kind is shared by every controller that needs the kind. The watch is read
/// independently of how fast handlers run: handlers should only enqueue keys. A relist (first
/// start, or after 410 Gone) is swapped into the cache atomically at its end; objects that
/// vanished meanwhile are reported as deleted.
///
/// Cached objects carry no `metadata.managedFields` (controller-runtime's
/// `TransformStripManagedFields`): on a real API server every write adds or updates an entry
/// with its field set, often as large as the object's spec, which no controller here reads.
/// Writing a cached object back is unaffected: an update that omits `managedFields` keeps the
/// server's.
public final class Informer<K: KubernetesObject>: Sendable {
  public typealias Handler = @Sendable (InformerEvent<K>) async -> Void

  public let cache = ObjectCache<K>()
  private let api: Api<K>
  private let config: WatcherConfig
  private let logger: Logger
  private let handlers = Mutex<[Handler]>([])
  private let syncWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])
  private let emptyWhenNotServed: Bool

  /// `emptyWhenNotServed`: for a kind the controller can do without (a NetworkPolicy on an
  /// API server that does not serve them): a 404 on the first list counts as synced and empty,
  /// said once in the log, while the watcher keeps trying in the background. Otherwise an
  /// informer is synced only once a list succeeded.
  public init(api: Api<K>, config: WatcherConfig = WatcherConfig(), emptyWhenNotServed: Bool = false, logger: Logger) {
    self.api = api
    self.config = config
    self.emptyWhenNotServed = emptyWhenNotServed
    self.logger = logger
  }

  /// Registers a handler; register before ``run()`` to see the initial list.
  public func onEvent(_ handler: @escaping Handler) { handlers.withLock { $0.append(handler) } }

  public var hasSynced: Bool { cache.hasSynced }

  /// Returns once the first list is in the cache.
  public func waitUntilSynced() async {
    if cache.hasSynced { return }
    await withCheckedContinuation { c in
      let resumeNow = syncWaiters.withLock { waiters -> Bool in
        if cache.hasSynced { return true }
        waiters.append(c)
        return false
      }
      if resumeNow { c.resume() }
    }
  }

  /// Runs until the surrounding task is cancelled.
  public func run() async {
    var buffer: [K] = []
    for await event in api.watcher(config) {
      switch event {
      case .initStarted:
        buffer = []
      case .initApply(let object):
        buffer.append(Self.cached(object))
      case .initDone(let rv):
        let previous = Dictionary(cache.list().map { (ObjectCache<K>.key(of: $0), $0) }, uniquingKeysWith: { $1 })
        let gone = cache.replace(with: buffer)
        logger.debug(
          "informer synced", metadata: ["resource": "\(K.resource)", "objects": "\(buffer.count)", "rv": "\(rv)"])
        resumeSyncWaiters()
        for object in gone { await notify(.deleted(object)) }
        for object in buffer {
          let old = previous[ObjectCache<K>.key(of: object)]
          if old?.metadata.resourceVersion != object.metadata.resourceVersion || old == nil {
            await notify(.applied(old: old, new: object))
          }
        }
        buffer = []
      case .failed(let error) where emptyWhenNotServed && error.code == 404:
        // A list of a served kind is never 404 (a missing namespace lists empty). Said once;
        // the watcher's retries (backing off to 30 s) stay quiet.
        guard !cache.hasSynced else { continue }
        logger.warning(
          "the API server does not serve this kind; going on without it", metadata: ["resource": "\(K.resource)"])
        _ = cache.replace(with: [])
        resumeSyncWaiters()
      case .apply(let received):
        let object = Self.cached(received)
        let old = cache.apply(object)
        await notify(.applied(old: old, new: object))
      case .delete(let received):
        let object = Self.cached(received)
        cache.remove(object)
        await notify(.deleted(object))
      case .failed(let error):
        logger.warning("watch failed, retrying", metadata: ["resource": "\(K.resource)", "error": "\(error)"])
      }
    }
  }

  /// The object as the cache keeps it: without managed fields.
  static func cached(_ object: K) -> K {
    guard object.metadata.managedFields != nil else { return object }
    var o = object
    o.metadata.managedFields = nil
    return o
  }

  private func resumeSyncWaiters() {
    let waiters = syncWaiters.withLock { w in
      defer { w.removeAll() }
      return w
    }
    for w in waiters { w.resume() }
  }

  private func notify(_ event: InformerEvent<K>) async {
    for h in handlers.withLock({ $0 }) { await h(event) }
  }
}
