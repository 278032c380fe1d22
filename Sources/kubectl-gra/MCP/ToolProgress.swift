/// Progress of a long tool call (waiting for a runner or a tracer job), sent to the client as
/// `notifications/progress` when its request carried a `progressToken`. A task-local, so the
/// wait loops report without every handler passing it along.
enum ToolProgress {
  typealias Reporter = @Sendable (String) async -> Void

  @TaskLocal static var reporter: Reporter?

  static func report(_ message: String) async {
    await reporter?(message)
  }
}

/// Numbers a request's progress notifications (the spec wants `progress` to increase).
actor ProgressCounter {
  private var n = 0
  func next() -> Int {
    n += 1
    return n
  }
}
