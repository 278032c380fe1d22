import CRDModels
import Foundation
import KubeClient
import Logging

/// Builds the Runner controller on shared informers: Runner changes enqueue the Runner; pods,
/// claims and Services enqueue the Runner named in their controller ownerReference, and so does
/// an egress NetworkPolicy that someone else deleted or changed.
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
      case .applied(let old, let r):
        guard !onlyStatusChanged(old, r) else { return }
        await controller.enqueue(ObjectCache<Runner>.key(of: r))
      case .deleted(let r): await controller.enqueue(ObjectCache<Runner>.key(of: r))
      }
    }
    pods.onEvent { await enqueueOwner($0.object.metadata, controller) }
    claims.onEvent { await enqueueOwner($0.object.metadata, controller) }
    services.onEvent { await enqueueOwner($0.object.metadata, controller) }
    if options.networkPolicies {
      let policies = informers.informer(NetworkPolicy.self, emptyWhenNotServed: true)
      policies.onEvent { event in
        let meta = event.object.metadata
        guard let ref = meta.controllerRef, ref.kind == Runner.resource.kind,
          ref.apiVersion == Runner.resource.apiVersion
        else { return }
        let key = ObjectKey(namespace: meta.namespace, name: ref.name)
        guard let runner = runners.cache.get(key), runner.metadata.uid == ref.uid, policyDrifted(event, runner: runner)
        else { return }
        reconciler.memo.forgetEnsured(RunnerReconciler.egressMemoID(runner))
        await controller.enqueue(key)
      }
    }
    return controller
  }

  /// True when a Runner changed in its status alone (the controller's own status writes, the
  /// bridge's `lastActivityTime`): nothing to reconcile, as controller-runtime's
  /// `GenerationChangedPredicate` has it, except that a change of labels, annotations,
  /// finalizers or deletion still counts. Times the status holds (idle, lifetime) are followed
  /// by the reconciler's own requeues, not by these events.
  /// Informer objects carry no managedFields, so those never count either.
  static func onlyStatusChanged(_ old: Runner?, _ new: Runner) -> Bool {
    guard let old else { return false }
    var before = old.metadata
    var after = new.metadata
    before.resourceVersion = nil
    after.resourceVersion = nil
    return before == after && old.spec == new.spec
  }

  /// True when a Runner's egress policy is no longer what the controller made: deleted while
  /// the Runner wants one, or its spec changed from the built one. The policy's creation (the
  /// echo of the controller's own write) and the garbage collection of a deleted Runner's
  /// policy are not drift.
  static func policyDrifted(_ event: InformerEvent<NetworkPolicy>, runner: Runner) -> Bool {
    guard runner.metadata.deletionTimestamp == nil else { return false }
    switch event {
    case .deleted: return RunnerObjectsBuilder.networkPolicy(runner) != nil
    // A creation is never drift: the policy is not built for it (every Runner's first event).
    case .applied(nil, _): return false
    case .applied(_, let new): return new.spec != RunnerObjectsBuilder.networkPolicy(runner)?.spec
    }
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
