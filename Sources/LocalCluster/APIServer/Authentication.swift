import CRDModels
import Foundation

/// An authenticated user, as `user.Info` in kube-apiserver.
struct UserInfo: Sendable, Equatable {
  var name: String
  var uid: String
  var groups: [String]
  var extra: [String: [String]] = [:]

  var jsonValue: JSONValue {
    var o: JSONValue = ["username": .string(name), "groups": .array(groups.map { .string($0) })]
    if !uid.isEmpty { o["uid"] = .string(uid) }
    if !extra.isEmpty { o["extra"] = .object(extra.mapValues { .array($0.map { .string($0) }) }) }
    return o
  }
}

/// Bearer-token authentication: the admin token, a static token file, tokens issued for
/// tests, and ServiceAccount tokens (TokenRequest).
actor TokenAuthenticator {
  private var tokens: [String: UserInfo] = [:]
  let adminToken: String

  init(adminToken: String) {
    self.adminToken = adminToken
    tokens[adminToken] = UserInfo(
      name: "kubernetes-admin", uid: "", groups: ["kubeadm:cluster-admins", "system:masters", "system:authenticated"])
  }

  static func randomToken() -> String {
    var bytes = [UInt8](repeating: 0, count: 24)
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
    return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
      of: "/", with: "_"
    ).replacingOccurrences(of: "=", with: "")
  }

  func authenticate(_ token: String) -> UserInfo? { tokens[token] }

  func issue(user: String, uid: String = "", groups: [String]) -> String {
    let t = Self.randomToken()
    var g = groups
    if !g.contains("system:authenticated") { g.append("system:authenticated") }
    tokens[t] = UserInfo(name: user, uid: uid, groups: g)
    return t
  }

  func issueServiceAccountToken(namespace: String, name: String, uid: String) -> String {
    issue(
      user: "system:serviceaccount:\(namespace):\(name)", uid: uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
  }

  /// Loads a kube-apiserver `--token-auth-file`: `token,user,uid,"group1,group2"` per line.
  func loadStaticTokens(_ url: URL) throws {
    let text = try String(contentsOf: url, encoding: .utf8)
    for line in text.split(whereSeparator: \.isNewline) {
      let fields = Self.csvFields(String(line))
      guard fields.count >= 3, !fields[0].isEmpty else { continue }
      var groups = fields.count > 3 ? fields[3].split(separator: ",").map { String($0).trimmed } : []
      groups.removeAll { $0.isEmpty }
      if !groups.contains("system:authenticated") { groups.append("system:authenticated") }
      tokens[fields[0]] = UserInfo(name: fields[1], uid: fields[2], groups: groups)
    }
  }

  static func csvFields(_ line: String) -> [String] {
    var out: [String] = []
    var cur = ""
    var quoted = false
    for c in line {
      if c == "\"" {
        quoted.toggle()
      } else if c == ",", !quoted {
        out.append(cur)
        cur = ""
      } else {
        cur.append(c)
      }
    }
    out.append(cur)
    return out
  }
}
