import CRDModels

extension RequestAttributes {
  /// The attributes a `SubjectAccessReview` asks about (`authorization.k8s.io/v1`):
  /// `resourceAttributes` or `nonResourceAttributes`, for `user`/`groups`/`uid`/`extra`.
  public init(subjectAccessReview spec: SubjectAccessReviewSpec) {
    let user = RequestUser(
      name: spec.user ?? "", uid: spec.uid ?? "", groups: spec.groups ?? [], extra: spec.extra ?? [:])
    if let r = spec.resourceAttributes {
      self.init(
        user: user, verb: r.verb ?? "", apiGroup: r.group ?? "", apiVersion: r.version ?? "",
        resource: r.resource ?? "",
        subresource: r.subresource ?? "", name: r.name ?? "", namespace: r.namespace ?? "")
    } else {
      self.init(user: user, verb: spec.nonResourceAttributes?.verb ?? "", path: spec.nonResourceAttributes?.path ?? "")
    }
  }
}

extension RBACAuthorizer {
  /// The `status` of a SubjectAccessReview as kube-apiserver fills it: `allowed` and `reason`
  /// from the decision; `denied` stays unset because RBAC only ever has "no opinion".
  public func review(_ spec: SubjectAccessReviewSpec) -> SubjectAccessReviewStatus {
    let d = authorize(RequestAttributes(subjectAccessReview: spec))
    return SubjectAccessReviewStatus(allowed: d.allowed, reason: d.reason.isEmpty ? nil : d.reason)
  }
}
