/// Counts tool calls that have not answered yet, so the server can let them finish when the
/// client closes stdin right after its last request (a piped client does exactly that).
actor InFlightCalls {
  private var count = 0

  func begin() { count += 1 }
  func end() { count -= 1 }

  /// Returns once no call has been running for `quiet` (the SDK starts a handler in a task of
  /// its own, so a request read just before end of input may not have begun yet), or after
  /// `limit`.
  func drain(
    limit: Duration, quiet: Duration = .milliseconds(300), poll: Duration = .milliseconds(20)
  ) async {
    let deadline = ContinuousClock.now + limit
    var idleSince = ContinuousClock.now
    while ContinuousClock.now < deadline {
      if count > 0 { idleSince = ContinuousClock.now }
      if ContinuousClock.now - idleSince >= quiet { return }
      try? await Task.sleep(for: poll)
    }
  }
}
