/// Counts tool calls that have not answered yet, so the server can let them finish when the
/// client closes stdin right after its last request (a piped client does exactly that).
actor InFlightCalls {
  private var count = 0

  func begin() { count += 1 }
  func end() { count -= 1 }

  /// Returns once no call is running, or after `limit`.
  func drain(limit: Duration, poll: Duration = .milliseconds(20)) async {
    let deadline = ContinuousClock.now + limit
    while count > 0 && ContinuousClock.now < deadline {
      try? await Task.sleep(for: poll)
    }
  }
}
