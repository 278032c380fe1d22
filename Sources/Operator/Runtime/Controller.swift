import KubeClient
import Logging

/// Runs a ``Reconciler`` over a ``WorkQueue`` with a fixed number of workers.
///
/// Keys come from informer event handlers (see ``enqueue(_:)``); each is reconciled by one
/// worker at a time. After a reconcile: `.done` forgets the key's failures, `.requeueAfter`
/// forgets them and schedules the key, an error requeues it with backoff (a 409 Conflict
/// quietly, as a `requeue`: it only means the cache was behind), and a ``TerminalError`` is
/// logged and forgotten.
public final class Controller<R: Reconciler>: Sendable {
  public let reconciler: R
  public let queue: WorkQueue
  public let workers: Int
  private let logger: Logger
  private let metrics: ControllerMetrics?

  public init(
    reconciler: R, workers: Int = 1, queue: WorkQueue = WorkQueue(), logger: Logger,
    metrics: ControllerMetrics? = nil
  ) {
    self.reconciler = reconciler
    self.workers = max(1, workers)
    self.queue = queue
    self.logger = logger
    self.metrics = metrics
  }

  public func enqueue(_ key: ObjectKey) async { await queue.add(key) }

  /// Processes keys until the queue is shut down and drained of in-flight work.
  public func run() async {
    if let metrics { await queue.instrument(metrics.queue, name: reconciler.name) }
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<workers {
        group.addTask { await self.worker() }
      }
    }
  }

  private func worker() async {
    while let key = await queue.next() {
      await process(key)
      await queue.done(key)
    }
  }

  private func process(_ key: ObjectKey) async {
    let start = ContinuousClock.now
    let labels = ["controller": reconciler.name]
    do {
      let result = try await reconciler.reconcile(key)
      await queue.forget(key)
      if case .requeueAfter(let delay) = result {
        metrics?.reconciles.inc(labels: labels.merging(["result": "requeue_after"]) { $1 })
        await queue.addAfter(key, delay)
      } else {
        metrics?.reconciles.inc(labels: labels.merging(["result": "success"]) { $1 })
      }
    } catch let error as TerminalError {
      metrics?.reconciles.inc(labels: labels.merging(["result": "terminal_error"]) { $1 })
      metrics?.reconcileErrors.inc(labels: labels)
      logger.error("reconcile failed permanently", metadata: ["key": "\(key)", "error": "\(error)"])
      await queue.forget(key)
    } catch let error as KubeError where error.isConflict {
      // Someone else wrote the object first: the next pass reads the newer version. Not an
      // error worth a warning or an error count; retried with the same per-key backoff.
      metrics?.reconciles.inc(labels: labels.merging(["result": "requeue"]) { $1 })
      let delay = await queue.addRateLimited(key)
      logger.debug("conflict, requeued", metadata: ["key": "\(key)", "error": "\(error)", "retryIn": "\(delay)"])
    } catch {
      metrics?.reconciles.inc(labels: labels.merging(["result": "error"]) { $1 })
      metrics?.reconcileErrors.inc(labels: labels)
      let delay = await queue.addRateLimited(key)
      logger.warning(
        "reconcile failed, retrying", metadata: ["key": "\(key)", "error": "\(error)", "retryIn": "\(delay)"])
    }
    metrics?.reconcileDuration.observe((ContinuousClock.now - start).seconds, labels: labels)
  }
}
