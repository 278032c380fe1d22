import CRDModels

/// The outcome of an authorization check: allowed, or no opinion (which, with no further
/// authorizer, is a denial). `reason` is what kube puts in `SubjectAccessReview.status.reason`
/// and after the 403 message.
public struct AuthorizationDecision: Sendable, Equatable {
  public var allowed: Bool
  public var reason: String
  public init(allowed: Bool, reason: String) {
    self.allowed = allowed
    self.reason = reason
  }
}

/// Kubernetes authorization as kube-apiserver configures it with `--authorization-mode=RBAC`:
/// first the privileged-group authorizer (`system:masters` may do anything, reason empty), then
/// the RBAC authorizer (`plugin/pkg/auth/authorizer/rbac`).
///
/// RBAC visits the ClusterRoleBindings, then — for namespaced requests — the RoleBindings of
/// the request's namespace; a binding applies when one of its subjects is the user (`User`),
/// one of the user's groups (`Group`) or the user's ServiceAccount (`ServiceAccount`, whose
/// empty namespace means the binding's). The first rule of the referenced Role or ClusterRole
/// that allows the request wins: `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to
/// User "u"`. A binding whose role does not exist contributes its error to the denial reason
/// (`RBAC: clusterrole.rbac.authorization.k8s.io "r" not found`).
public struct RBACAuthorizer: Sendable {
  public var roles: [RBAC.Role]
  public var clusterRoles: [RBAC.ClusterRole]
  public var roleBindings: [RBAC.Binding]
  public var clusterRoleBindings: [RBAC.Binding]

  /// The group that the privileged-group authorizer allows everything.
  public static let privilegedGroup = "system:masters"

  public init(
    roles: [RBAC.Role] = [], clusterRoles: [RBAC.ClusterRole] = [], roleBindings: [RBAC.Binding] = [],
    clusterRoleBindings: [RBAC.Binding] = []
  ) {
    self.roles = roles
    self.clusterRoles = clusterRoles
    self.roleBindings = roleBindings
    self.clusterRoleBindings = clusterRoleBindings
  }

  /// Builds the authorizer from stored objects of kind Role, ClusterRole, RoleBinding and
  /// ClusterRoleBinding (other kinds are ignored).
  public init(objects: [JSONValue]) {
    self.init()
    for o in objects {
      switch o["kind"].stringValue {
      case "Role": roles.append(RBAC.Role(json: o))
      case "ClusterRole": clusterRoles.append(RBAC.ClusterRole(json: o))
      case "RoleBinding": roleBindings.append(RBAC.Binding(json: o))
      case "ClusterRoleBinding": clusterRoleBindings.append(RBAC.Binding(json: o))
      default: break
      }
    }
  }

  public func authorize(_ a: RequestAttributes) -> AuthorizationDecision {
    if a.user.groups.contains(Self.privilegedGroup) {
      return AuthorizationDecision(allowed: true, reason: "")
    }
    var errors: [String] = []
    for binding in clusterRoleBindings {
      if let d = decide(a, binding, namespace: "", errors: &errors) { return d }
    }
    if !a.namespace.isEmpty {
      for binding in roleBindings where binding.namespace == a.namespace {
        if let d = decide(a, binding, namespace: a.namespace, errors: &errors) { return d }
      }
    }
    if errors.isEmpty { return AuthorizationDecision(allowed: false, reason: "") }
    let aggregate = errors.count == 1 ? errors[0] : "[" + errors.joined(separator: ", ") + "]"
    return AuthorizationDecision(allowed: false, reason: "RBAC: " + aggregate)
  }

  /// The allowing decision of one binding (`namespace` empty for a ClusterRoleBinding), or nil;
  /// a role that cannot be found adds its error, as kube's RBAC authorizer reports them.
  private func decide(
    _ a: RequestAttributes, _ binding: RBAC.Binding, namespace: String, errors: inout [String]
  ) -> AuthorizationDecision? {
    guard let subject = Self.appliesTo(a.user, binding.subjects, namespace: namespace) else { return nil }
    switch rules(for: binding.roleRef, namespace: namespace) {
    case .failure(let e):
      errors.append(e.message)
      return nil
    case .success(let rules):
      guard rules.contains(where: { Self.ruleAllows(a, $0) }) else { return nil }
      let what =
        namespace.isEmpty
        ? "ClusterRoleBinding \(GoFormat.quote(binding.name))"
        : "RoleBinding \(GoFormat.quote(binding.name + "/" + binding.namespace))"
      return AuthorizationDecision(
        allowed: true,
        reason:
          "RBAC: allowed by \(what) of \(binding.roleRef.kind) \(GoFormat.quote(binding.roleRef.name)) to \(Self.describe(subject, bindingNamespace: namespace))"
      )
    }
  }

  struct LookupError: Error { var message: String }

  func rules(for ref: RBAC.RoleRef, namespace: String) -> Result<[RBAC.PolicyRule], LookupError> {
    switch ref.kind {
    case "Role":
      guard let role = roles.first(where: { $0.namespace == namespace && $0.name == ref.name }) else {
        return .failure(LookupError(message: "role.rbac.authorization.k8s.io \(GoFormat.quote(ref.name)) not found"))
      }
      return .success(role.rules)
    case "ClusterRole":
      guard let role = clusterRoles.first(where: { $0.name == ref.name }) else {
        return .failure(
          LookupError(message: "clusterrole.rbac.authorization.k8s.io \(GoFormat.quote(ref.name)) not found"))
      }
      return .success(role.rules)
    default:
      return .failure(LookupError(message: "unsupported role reference kind: \(GoFormat.quote(ref.kind))"))
    }
  }

  static func appliesTo(_ user: RequestUser, _ subjects: [RBAC.Subject], namespace: String) -> RBAC.Subject? {
    subjects.first { s in
      switch s.kind {
      case "User": return user.name == s.name
      case "Group": return user.groups.contains(s.name)
      case "ServiceAccount":
        let ns = s.namespace.isEmpty ? namespace : s.namespace
        guard !ns.isEmpty else { return false }
        return user.name == "system:serviceaccount:\(ns):\(s.name)"
      default: return false
      }
    }
  }

  static func describe(_ s: RBAC.Subject, bindingNamespace: String) -> String {
    if s.kind == "ServiceAccount" {
      let ns = s.namespace.isEmpty ? bindingNamespace : s.namespace
      return "\(s.kind) \(GoFormat.quote(s.name + "/" + ns))"
    }
    return "\(s.kind) \(GoFormat.quote(s.name))"
  }

  /// `rbac.RuleAllows`.
  public static func ruleAllows(_ a: RequestAttributes, _ rule: RBAC.PolicyRule) -> Bool {
    let verbOK = rule.verbs.contains("*") || rule.verbs.contains(a.verb)
    guard verbOK else { return false }
    guard a.isResourceRequest else {
      return rule.nonResourceURLs.contains { url in
        url == "*" || url == a.path || (url.hasSuffix("*") && a.path.hasPrefix(url.trimmingTrailing("*")))
      }
    }
    guard rule.apiGroups.contains("*") || rule.apiGroups.contains(a.apiGroup) else { return false }
    let combined = a.subresource.isEmpty ? a.resource : a.resource + "/" + a.subresource
    let resourceOK = rule.resources.contains { r in
      if r == "*" || r == combined { return true }
      guard !a.subresource.isEmpty else { return false }
      return r.count == a.subresource.count + 2 && r.hasPrefix("*/") && r.hasSuffix(a.subresource)
    }
    guard resourceOK else { return false }
    return rule.resourceNames.isEmpty || rule.resourceNames.contains(a.name)
  }
}

extension String {
  func trimmingTrailing(_ c: Character) -> String {
    var s = self
    while s.last == c { s.removeLast() }
    return s
  }
}
