import Logging

/// The controllers `gra-operator run` starts, wired to the manager's shared informers.
public enum OperatorControllers {
  public static func make(manager: Manager, workers: Int, logger: Logger) -> [any ManagedController] {
    // The Runner and TracerJob controllers register here as they land.
    []
  }
}
