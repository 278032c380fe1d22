import CRDModels
import Foundation
import KubeClient
import NIOHTTP1

/// Front-proxy authentication, as aggregated API servers do it: a request whose client
/// certificate chains to the requestheader CA (checked during the TLS handshake, see
/// ``BridgeTLS``) and whose common name is allowed speaks for the user in its
/// `X-Remote-User`/`X-Remote-Group`/`X-Remote-Extra-*` headers. The settings come from
/// `kube-system/extension-apiserver-authentication`, which kube-apiserver writes.
public struct RequestHeaderAuthenticator: Sendable, Equatable {
  public var clientCAPEM: String
  /// Empty: any common name signed by the CA.
  public var allowedNames: [String]
  public var usernameHeaders: [String]
  public var groupHeaders: [String]
  public var extraHeaderPrefixes: [String]

  public init(
    clientCAPEM: String, allowedNames: [String] = [], usernameHeaders: [String] = ["X-Remote-User"],
    groupHeaders: [String] = ["X-Remote-Group"], extraHeaderPrefixes: [String] = ["X-Remote-Extra-"]
  ) {
    self.clientCAPEM = clientCAPEM
    self.allowedNames = allowedNames
    self.usernameHeaders = usernameHeaders
    self.groupHeaders = groupHeaders
    self.extraHeaderPrefixes = extraHeaderPrefixes
  }

  /// The configuration in `kube-system/extension-apiserver-authentication`, or nil when the
  /// cluster publishes no requestheader CA (no aggregation layer).
  public static func load(_ client: KubernetesClient) async throws -> RequestHeaderAuthenticator? {
    guard
      let cm = try await client.api(ConfigMap.self, namespace: "kube-system").getIfExists(
        "extension-apiserver-authentication")
    else { return nil }
    return from(data: cm.data ?? [:])
  }

  static func from(data: [String: String]) -> RequestHeaderAuthenticator? {
    guard let ca = data["requestheader-client-ca-file"], ca.contains("BEGIN CERTIFICATE") else { return nil }
    func list(_ key: String, _ fallback: [String]) -> [String] {
      guard let s = data[key], let v = try? JSONDecoder().decode([String].self, from: Data(s.utf8)) else {
        return fallback
      }
      return v
    }
    return RequestHeaderAuthenticator(
      clientCAPEM: ca, allowedNames: list("requestheader-allowed-names", []),
      usernameHeaders: list("requestheader-username-headers", ["X-Remote-User"]),
      groupHeaders: list("requestheader-group-headers", ["X-Remote-Group"]),
      extraHeaderPrefixes: list("requestheader-extra-headers-prefix", ["X-Remote-Extra-"]))
  }

  public enum Outcome: Sendable, Equatable {
    /// No verified client certificate: try other authenticators.
    case notApplicable
    case authenticated(BridgeUser)
    /// A verified certificate that may not speak for users, or no user header: refuse (401).
    case refused(String)
  }

  /// `commonName` is that of a client certificate already verified against ``clientCAPEM``.
  public func authenticate(commonName: String?, headers: HTTPHeaders) -> Outcome {
    guard let cn = commonName else { return .notApplicable }
    if !allowedNames.isEmpty && !allowedNames.contains(cn) {
      return .refused("client certificate common name \"\(cn)\" is not in requestheader-allowed-names")
    }
    guard let name = usernameHeaders.lazy.compactMap({ headers.first(name: $0) }).first(where: { !$0.isEmpty }) else {
      return .refused("no user name in \(usernameHeaders.joined(separator: ", "))")
    }
    let groups = groupHeaders.flatMap { headers[$0] }
    var extra: [String: [String]] = [:]
    for (header, value) in headers {
      for prefix in extraHeaderPrefixes where header.lowercased().hasPrefix(prefix.lowercased()) {
        let key = String(header.dropFirst(prefix.count)).lowercased().removingPercentEncoding ?? ""
        if !key.isEmpty { extra[key, default: []].append(value) }
      }
    }
    return .authenticated(BridgeUser(name: name, groups: groups, extra: extra))
  }
}
