import CRDModels
import Foundation
import Logging

/// Wires the ``TracerJobReconciler`` to the manager's shared informers: a TracerJob change
/// enqueues it, a pod change enqueues its controlling TracerJob, a Runner change enqueues the
/// jobs of its namespace that reference it.
public enum TracerJobController {
  /// `defaultImage` is the operator's `--runner-image` (see ``TracerJobReconciler/defaultImage``).
  public static func make(
    manager: Manager, workers: Int, logger: Logger, defaultImage: String = GraDefaults.runnerImage
  ) -> Controller<TracerJobReconciler> {
    let jobs = manager.informers.informer(TracerJob.self)
    let pods = manager.informers.informer(Pod.self)
    let runners = manager.informers.informer(Runner.self)
    let events = EventRecorder(
      client: manager.client, instance: ProcessInfo.processInfo.hostName, logger: logger)
    let reconciler = TracerJobReconciler(
      client: manager.client, jobs: jobs.cache, pods: pods.cache, runners: runners.cache, events: events,
      logger: logger, defaultImage: defaultImage)
    let controller = Controller(
      reconciler: reconciler, workers: workers, logger: logger, metrics: ControllerMetrics(registry: manager.metrics))
    register(controller, jobs: jobs, pods: pods, runners: runners)
    return controller
  }

  /// The event handlers; also used by tests that build the informers themselves.
  public static func register(
    _ controller: Controller<TracerJobReconciler>, jobs: Informer<TracerJob>, pods: Informer<Pod>,
    runners: Informer<Runner>
  ) {
    jobs.onEvent { event in
      switch event {
      case .applied(_, let job): await controller.enqueue(ObjectCache<TracerJob>.key(of: job))
      case .deleted: break
      }
    }
    pods.onEvent { event in
      let pod: Pod
      switch event {
      case .applied(_, let p): pod = p
      case .deleted(let p): pod = p
      }
      guard let owner = pod.metadata.controllerRef, owner.kind == TracerJob.resource.kind,
        owner.apiVersion == TracerJob.resource.apiVersion
      else { return }
      await controller.enqueue(ObjectKey(namespace: pod.metadata.namespace, name: owner.name))
    }
    let jobCache = jobs.cache
    runners.onEvent { event in
      let runner: Runner
      switch event {
      case .applied(_, let r): runner = r
      case .deleted(let r): runner = r
      }
      for job in jobCache.list(namespace: runner.metadata.namespace)
      where job.spec?.runnerRef?.name == runner.metadata.name && job.status?.phase != .succeeded
        && job.status?.phase != .failed
      {
        await controller.enqueue(ObjectCache<TracerJob>.key(of: job))
      }
    }
  }
}
