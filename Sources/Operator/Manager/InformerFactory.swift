import CRDModels
import KubeClient
import Logging
import Synchronization

/// Hands out one shared ``Informer`` per kind, so two controllers that watch pods share one
/// list and one watch (client-go's shared informer factory).
public final class InformerFactory: Sendable {
  private let client: KubernetesClient
  private let namespace: String?
  private let logger: Logger
  private let informers = Mutex<[ResourceDescriptor: any Sendable]>([:])
  private let starters = Mutex<[@Sendable () async -> Void]>([])
  private let syncChecks = Mutex<[@Sendable () -> Bool]>([])

  /// `namespace`: watch one namespace only; nil watches all.
  public init(client: KubernetesClient, namespace: String?, logger: Logger) {
    self.client = client
    self.namespace = namespace
    self.logger = logger
  }

  /// The shared informer of `K`, made on first use. `emptyWhenNotServed`: see ``Informer``;
  /// it applies when this call makes the informer.
  public func informer<K: KubernetesObject>(
    _ type: K.Type, config: WatcherConfig = WatcherConfig(), emptyWhenNotServed: Bool = false
  ) -> Informer<K> {
    informers.withLock { all in
      if let existing = all[K.resource] as? Informer<K> { return existing }
      let api = namespace.map { client.api(K.self, namespace: $0) } ?? client.allNamespaces(K.self)
      let informer = Informer(api: api, config: config, emptyWhenNotServed: emptyWhenNotServed, logger: logger)
      all[K.resource] = informer
      starters.withLock { $0.append({ await informer.run() }) }
      syncChecks.withLock { $0.append({ informer.hasSynced }) }
      return informer
    }
  }

  /// True once every informer handed out has listed.
  public var allSynced: Bool { syncChecks.withLock { $0 }.allSatisfy { $0() } }

  /// Runs every informer handed out so far until cancelled.
  public func run() async {
    let all = starters.withLock { $0 }
    await withTaskGroup(of: Void.self) { group in
      for start in all { group.addTask { await start() } }
    }
  }
}
