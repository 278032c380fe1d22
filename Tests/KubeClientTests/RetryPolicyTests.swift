import Testing

@testable import KubeClient

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1))

  @Test func tooManyRequestsIsRetriedForEveryMethodHonouringRetryAfter() {
    for m in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
      #expect(
        policy.delay(attempt: 0, method: m, outcome: .status(429, retryAfter: .seconds(3)), random: 0.5) == .seconds(3))
      #expect(
        policy.delay(attempt: 0, method: m, outcome: .status(429, retryAfter: nil), random: 1) == .milliseconds(100))
    }
  }

  @Test func unavailableAndTimeoutOnlyForIdempotentMethods() {
    #expect(
      policy.delay(attempt: 0, method: "GET", outcome: .status(503, retryAfter: nil), random: 1) == .milliseconds(100))
    #expect(
      policy.delay(attempt: 0, method: "PUT", outcome: .status(504, retryAfter: nil), random: 1) == .milliseconds(100))
    #expect(policy.delay(attempt: 0, method: "POST", outcome: .status(503, retryAfter: nil), random: 1) == nil)
    #expect(policy.delay(attempt: 0, method: "PATCH", outcome: .connectionError, random: 1) == nil)
    #expect(policy.delay(attempt: 0, method: "DELETE", outcome: .connectionError, random: 1) == .milliseconds(100))
  }

  @Test func otherErrorsAreNotRetried() {
    for code in [400, 401, 403, 404, 409, 410, 422, 500, 502] {
      #expect(policy.delay(attempt: 0, method: "GET", outcome: .status(code, retryAfter: nil), random: 0) == nil)
    }
  }

  @Test func backoffDoublesCapsAndJitters() {
    let full = (0..<3).map { policy.delay(attempt: $0, method: "GET", outcome: .connectionError, random: 1) }
    #expect(full == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
    let capped = RetryPolicy(maxRetries: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
    #expect(capped.delay(attempt: 9, method: "GET", outcome: .connectionError, random: 1) == .seconds(1))
    #expect(capped.delay(attempt: 2, method: "GET", outcome: .connectionError, random: 0) == .milliseconds(200))
    #expect(policy.delay(attempt: 3, method: "GET", outcome: .connectionError, random: 1) == nil)
  }

  @Test func retryAfterIsCapped() {
    #expect(
      policy.delay(attempt: 0, method: "GET", outcome: .status(429, retryAfter: .seconds(3600)), random: 0)
        == .seconds(60))
  }

  @Test func parsesRetryAfter() {
    #expect(RetryPolicy.parseRetryAfter("5") == .seconds(5))
    #expect(RetryPolicy.parseRetryAfter(" 0 ") == .zero)
    #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
    #expect(RetryPolicy.parseRetryAfter(nil) == nil)
  }

  @Test func watcherBackoffDoublesToThirtySecondsAndResetsAfterTwoHealthyMinutes() {
    var b = WatcherBackoff(initial: .milliseconds(800), max: .seconds(30), resetAfter: .seconds(120))
    var t = ContinuousClock.now
    var got: [Duration] = []
    for _ in 0..<8 {
      got.append(b.next(now: t, random: 1))
      t = t + .seconds(1)
    }
    #expect(
      got == [
        .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .milliseconds(12800),
        .milliseconds(25600), .seconds(30), .seconds(30),
      ])
    #expect(b.next(now: t + .seconds(121), random: 1) == .milliseconds(800))
    #expect(b.next(now: t + .seconds(122), random: 0) == .milliseconds(800))
  }
}
