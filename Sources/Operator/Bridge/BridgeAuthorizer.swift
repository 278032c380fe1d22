import CRDModels
import Foundation
import KubeClient
import Synchronization

/// Who is calling the bridge, as Kubernetes authenticated them.
public struct BridgeUser: Sendable, Equatable, Hashable {
  public var name: String
  public var uid: String?
  public var groups: [String]
  public var extra: [String: [String]]
  public init(name: String, uid: String? = nil, groups: [String] = [], extra: [String: [String]] = [:]) {
    self.name = name
    self.uid = uid
    self.groups = groups
    self.extra = extra
  }
}

/// Authenticates bearer tokens with a TokenReview and authorizes `create` on
/// `runners/exec` (group gra.dev) with a SubjectAccessReview — Kubernetes decides, the bridge
/// only asks. Both answers are cached for `ttl` (10 s by default, like the apiserver's
/// webhook authorizer cache), so a burst of execs costs two reviews, and a revoked right stops
/// working within the TTL.
public final class BridgeAuthorizer: Sendable {
  private let client: KubernetesClient
  private let ttl: Duration
  private let tokens = Mutex<[String: (BridgeUser?, ContinuousClock.Instant)]>([:])
  private let decisions = Mutex<[String: (Bool, String, ContinuousClock.Instant)]>([:])

  public init(client: KubernetesClient, ttl: Duration = .seconds(10)) {
    self.client = client
    self.ttl = ttl
  }

  /// The user behind `token`, or nil when Kubernetes does not recognise it.
  public func authenticate(token: String) async throws -> BridgeUser? {
    let now = ContinuousClock.now
    if let (user, at) = tokens.withLock({ $0[token] }), now - at < ttl { return user }
    let review = TokenReview(spec: TokenReviewSpec(token: token))
    let answer = try await client.api(TokenReview.self).create(review)
    var user: BridgeUser?
    if answer.status?.authenticated == true, let u = answer.status?.user, let name = u.username {
      user = BridgeUser(name: name, uid: u.uid, groups: u.groups ?? [], extra: u.extra ?? [:])
    }
    tokens.withLock { cache in
      if cache.count > 10_000 { cache.removeAll() }
      cache[token] = (user, now)
    }
    return user
  }

  /// Whether `user` may `create` `runners/exec` on `name` in `namespace`, and Kubernetes'
  /// reason.
  public func mayExec(
    _ user: BridgeUser, namespace: String, name: String, verb: String = "create"
  ) async throws -> (Bool, String) {
    let extra = user.extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: ","))" }.joined(
      separator: ";")
    let key = "\(user.name)|\(user.groups.joined(separator: ","))|\(extra)|\(verb)|\(namespace)|\(name)"
    let now = ContinuousClock.now
    if let (allowed, reason, at) = decisions.withLock({ $0[key] }), now - at < ttl { return (allowed, reason) }
    let review = SubjectAccessReview(
      spec: SubjectAccessReviewSpec(
        resourceAttributes: ResourceAttributes(
          namespace: namespace, verb: verb, group: "gra.dev", resource: "runners", subresource: "exec", name: name),
        user: user.name, groups: user.groups, extra: user.extra.isEmpty ? nil : user.extra, uid: user.uid))
    let answer = try await client.api(SubjectAccessReview.self).create(review)
    let allowed = answer.status?.allowed == true && answer.status?.denied != true
    let reason = answer.status?.reason ?? ""
    decisions.withLock { cache in
      if cache.count > 10_000 { cache.removeAll() }
      cache[key] = (allowed, reason, now)
    }
    return (allowed, reason)
  }
}
