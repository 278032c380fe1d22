import CRDModels
import Foundation

extension RequestAttributes {
  /// The sentence kube-apiserver uses for a denied request
  /// (`endpoints/handlers/responsewriters.forbiddenMessage`):
  /// - `User "bob" cannot get resource "pods" in API group "" in the namespace "default"`
  /// - `User "bob" cannot create resource "pods/exec" in API group "" in the namespace "default"`
  /// - `User "bob" cannot list resource "nodes" in API group "" at the cluster scope`
  /// - `User "bob" cannot get path "/metrics"`
  public var forbiddenMessage: String {
    let user = GoFormat.quote(self.user.name)
    guard isResourceRequest else {
      return "User \(user) cannot \(verb) path \(GoFormat.quote(path))"
    }
    let res = subresource.isEmpty ? resource : resource + "/" + subresource
    if !namespace.isEmpty {
      return
        "User \(user) cannot \(verb) resource \(GoFormat.quote(res)) in API group \(GoFormat.quote(apiGroup)) in the namespace \(GoFormat.quote(namespace))"
    }
    return
      "User \(user) cannot \(verb) resource \(GoFormat.quote(res)) in API group \(GoFormat.quote(apiGroup)) at the cluster scope"
  }

  /// The 403 body (`responsewriters.Forbidden` + `errors.NewForbidden`):
  /// `pods "foo" is forbidden: User "bob" cannot get resource "pods" in API group "" in the
  /// namespace "default"`, `runners.gra.dev is forbidden: …` when there is no name,
  /// `forbidden: User "bob" cannot get path "/x"` for non-resource URLs; the authorizer's
  /// `reason`, when not empty, follows after `: `. `details` carries group, kind (the resource)
  /// and name.
  public func forbiddenStatus(reason: String = "") -> Status {
    let sanitized = forbiddenMessage.replacingOccurrences(of: "&", with: "&amp;")
      .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    let err = reason.isEmpty ? sanitized : sanitized + ": " + reason
    let message: String
    if !isResourceRequest || resource.isEmpty {
      message = "forbidden: " + err
    } else {
      let qualified = apiGroup.isEmpty ? resource : resource + "." + apiGroup
      message =
        name.isEmpty ? "\(qualified) is forbidden: \(err)" : "\(qualified) \(GoFormat.quote(name)) is forbidden: \(err)"
    }
    return Status(
      message: message, reason: "Forbidden",
      details: StatusDetails(
        name: name.isEmpty ? nil : name, group: apiGroup.isEmpty ? nil : apiGroup,
        kind: resource.isEmpty ? nil : resource),
      code: 403)
  }
}
