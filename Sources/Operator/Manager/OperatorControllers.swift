import Logging

/// The controllers `gra-operator run` starts, wired to the manager's shared informers.
public enum OperatorControllers {
  /// `runner` carries the operator's Runner settings; its `defaultImage` (`--runner-image`) is
  /// also the image of TracerJobs that name none, directly or through their Runner.
  public static func make(
    manager: Manager, workers: Int, logger: Logger, runner: RunnerReconciler.Options = .init()
  ) -> [any ManagedController] {
    [
      RunnerController.make(
        client: manager.client, informers: manager.informers, workers: workers, logger: logger,
        metrics: manager.metrics, options: runner)
    ] + [
      TracerJobController.make(manager: manager, workers: workers, logger: logger, defaultImage: runner.defaultImage)
    ]
  }
}
