import Logging

/// The controllers `gra-operator run` starts, wired to the manager's shared informers.
public enum OperatorControllers {
  public static func make(manager: Manager, workers: Int, logger: Logger) -> [any ManagedController] {
    // The Runner and TracerJob controllers register here as they land.
    [
      RunnerController.make(
        client: manager.client, informers: manager.informers, workers: workers, logger: logger, metrics: manager.metrics
      )
    ] + [TracerJobController.make(manager: manager, workers: workers, logger: logger)]
  }
}
