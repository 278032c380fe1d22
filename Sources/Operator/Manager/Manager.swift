import CRDModels
import Foundation
import KubeClient
import Logging

/// A controller the ``Manager`` runs while it leads.
public protocol ManagedController: Sendable {
  var name: String { get }
  /// Processes work until ``stop()``; in-flight reconciles finish before it returns.
  func run() async
  /// Stops taking new work.
  func stop() async
}

extension Controller: ManagedController {
  public var name: String { reconciler.name }
  public func stop() async { await queue.shutDown() }
}

/// Runs an operator process: shared informers, health and metrics endpoints, leader election,
/// and the controllers — controller-runtime's Manager, in small.
///
/// Informers start on every replica (a standby keeps warm caches and reports ready);
/// controllers start only on the leader. Cancelling ``run(_:)`` (the executable does on
/// SIGTERM/SIGINT) stops the controllers taking work, lets in-flight reconciles finish, then
/// releases the lease so a standby takes over at once.
public final class Manager: Sendable {
  public struct Options: Sendable {
    public var healthPort: Int? = 8081
    public var metricsPort: Int? = 8080
    public var bindHost = "0.0.0.0"
    public var leaderElection: LeaderElectionOptions?
    public init() {}
  }

  public struct LeaderElectionOptions: Sendable {
    public var namespace: String
    public var name: String
    public var identity: String
    public var timing: LeaderElectionTiming
    public init(
      namespace: String, name: String = "gra-operator", identity: String = LeaderElector.defaultIdentity(),
      timing: LeaderElectionTiming = LeaderElectionTiming()
    ) {
      self.namespace = namespace
      self.name = name
      self.identity = identity
      self.timing = timing
    }
  }

  public let client: KubernetesClient
  public let informers: InformerFactory
  public let metrics: MetricsRegistry
  public let options: Options
  private let logger: Logger

  /// Also hooks ``APIRequestMetrics`` into `client`, so `/metrics` shows every API request the
  /// process makes (informers, controllers, leader election, events) by verb and code.
  public init(
    client: KubernetesClient, watchNamespace: String?, metrics: MetricsRegistry, options: Options, logger: Logger
  ) {
    self.client = client
    self.informers = InformerFactory(client: client, namespace: watchNamespace, logger: logger)
    self.metrics = metrics
    self.options = options
    self.logger = logger
    client.transport.addMetricsHook(APIRequestMetrics(registry: metrics).record)
  }

  /// Runs until cancelled, or until leadership is lost.
  public func run(_ controllers: [any ManagedController]) async throws {
    let leaderGauge = metrics.gauge("gra_leader", help: "1 while this replica leads, else 0.")
    leaderGauge.set(options.leaderElection == nil ? 1 : 0)
    let informers = self.informers
    var servers: [HealthServer] = []
    let ready: [(String, HealthServer.Check)] = [("informers-synced", { informers.allSynced })]
    if let port = options.healthPort {
      servers.append(
        try await HealthServer.start(host: options.bindHost, port: port, registry: metrics, readiness: ready))
    }
    if let port = options.metricsPort, port != options.healthPort {
      servers.append(
        try await HealthServer.start(host: options.bindHost, port: port, registry: metrics, readiness: ready))
    }
    defer { for s in servers { Task { await s.stop() } } }

    let informerTask = Task { await informers.run() }
    defer { informerTask.cancel() }

    let work: @Sendable () async -> Void = { [logger] in await Self.runControllers(controllers, logger: logger) }
    if let le = options.leaderElection {
      let elector = try LeaderElector(
        client: client, namespace: le.namespace, name: le.name, identity: le.identity, timing: le.timing,
        logger: logger,
        onLeadershipChange: { leaderGauge.set($0 ? 1 : 0) })
      await elector.run(work)
    } else {
      await work()
    }
  }

  /// Runs the controllers until the task is cancelled; each then finishes its in-flight
  /// reconciles. The executable bounds that drain (see `gra-operator run`'s signal handling).
  static func runControllers(_ controllers: [any ManagedController], logger: Logger) async {
    await withTaskGroup(of: Void.self) { group in
      for c in controllers {
        group.addTask {
          await withTaskCancellationHandler {
            await c.run()
          } onCancel: {
            Task { await c.stop() }
          }
          logger.info("controller stopped", metadata: ["controller": "\(c.name)"])
        }
      }
    }
  }
}
