import Foundation

/// Supplies the bearer token for each request.
///
/// `refresh: true` is passed after the server answered 401, so sources that cache (exec
/// plugins, token files) fetch a fresh token before the single retry.
public protocol TokenSource: Sendable {
  func token(refresh: Bool) async throws -> String?
}

/// A fixed token.
public struct StaticToken: TokenSource {
  let value: String
  public init(_ value: String) { self.value = value }
  public func token(refresh: Bool) async throws -> String? { value }
}

/// A token read from a file and re-read when it may have rotated: at most once per
/// `period` (one minute, as client-go), or at once after a 401.
///
/// Used for kubeconfig `tokenFile` and the in-cluster service account token, which the
/// kubelet rotates in place.
public actor FileTokenSource: TokenSource {
  public nonisolated let path: String
  let period: Duration
  let clock: ContinuousClock
  private var cached: String?
  private var readAt: ContinuousClock.Instant?

  public init(path: String, period: Duration = .seconds(60)) {
    self.path = path
    self.period = period
    self.clock = ContinuousClock()
  }

  public func token(refresh: Bool) async throws -> String? {
    if !refresh, let cached, let readAt, clock.now - readAt < period { return cached }
    do {
      let s = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
      cached = s
      readAt = clock.now
      return s
    } catch {
      // Keep using the last good token if the file is briefly missing during rotation.
      if let cached { return cached }
      throw KubeError.transport("cannot read token file \(path): \(error.localizedDescription)")
    }
  }
}
