import CRDModels

/// The request attributes RBAC decides on (`authorizer.Attributes`).
struct AuthorizationAttributes: Sendable {
  var user: UserInfo
  var verb: String
  var namespace: String = ""
  var group: String = ""
  var version: String = ""
  var resource: String = ""
  var subresource: String = ""
  var name: String = ""
  var isResourceRequest = true
  var path: String = ""

  /// The message kube-apiserver puts after `… is forbidden: `.
  var forbiddenReason: String {
    if !isResourceRequest { return "User \"\(user.name)\" cannot \(verb.lowercased()) path \"\(path)\"" }
    let res = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
    var s = "User \"\(user.name)\" cannot \(verb) resource \"\(res)\" in API group \"\(group)\""
    s += namespace.isEmpty ? " at the cluster scope" : " in the namespace \"\(namespace)\""
    return s
  }
}

/// Decides whether a request is allowed.
protocol Authorizing: Sendable {
  func authorize(_ a: AuthorizationAttributes) async -> (allowed: Bool, reason: String)
}

/// Members of `system:masters` may do anything, as in kube-apiserver; everyone else goes to RBAC.
struct MastersThenRBAC: Authorizing {
  var rbac: any Authorizing
  func authorize(_ a: AuthorizationAttributes) async -> (allowed: Bool, reason: String) {
    if a.user.groups.contains("system:masters") { return (true, "") }
    return await rbac.authorize(a)
  }
}
