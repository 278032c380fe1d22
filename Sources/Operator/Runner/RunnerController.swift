import CRDModels
import Foundation
import KubeClient
import Logging

/// Builds the Runner controller on shared informers: Runner changes enqueue the Runner; pods,
/// claims and Services enqueue the Runner named in their controller ownerReference.
public enum RunnerController {
  public static func make(
    client: KubernetesClient, informers: InformerFactory, workers: Int, logger: Logger,
    metrics: MetricsRegistry? = nil, options: RunnerReconciler.Options = .init()
  ) -> Controller<RunnerReconciler> {
    let runners = informers.informer(Runner.self)
    let pods = informers.informer(Pod.self)
    let claims = informers.informer(PersistentVolumeClaim.self)
    let services = informers.informer(Service.self)
    let instance = ProcessInfo.processInfo.hostName
    let events = EventRecorder(client: client, instance: instance, logger: logger)
    let reconciler = RunnerReconciler(
      client: client, runners: runners.cache, pods: pods.cache, claims: claims.cache, services: services.cache,
      events: events, options: options, logger: logger)
    let controller = Controller(
      reconciler: reconciler, workers: workers, logger: logger, metrics: metrics.map { ControllerMetrics(registry: $0) }
    )
    runners.onEvent { event in
      switch event {
      case .applied(_, let r): await controller.enqueue(ObjectCache<Runner>.key(of: r))
      case .deleted(let r): await controller.enqueue(ObjectCache<Runner>.key(of: r))
      }
    }
    pods.onEvent { await enqueueOwner($0.object.metadata, controller) }
    claims.onEvent { await enqueueOwner($0.object.metadata, controller) }
    services.onEvent { await enqueueOwner($0.object.metadata, controller) }
    return controller
  }

  static func enqueueOwner(_ meta: ObjectMeta, _ controller: Controller<RunnerReconciler>) async {
    guard let ref = meta.controllerRef, ref.kind == Runner.resource.kind, ref.apiVersion == Runner.resource.apiVersion
    else { return }
    await controller.enqueue(ObjectKey(namespace: meta.namespace, name: ref.name))
  }
}

extension InformerEvent {
  /// The object the event is about (the new version when it changed).
  var object: K {
    switch self {
    case .applied(_, let new): new
    case .deleted(let o): o
    }
  }
}
