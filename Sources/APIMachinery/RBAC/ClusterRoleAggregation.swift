import CRDModels

extension RBACAuthorizer {
  /// The rules of an aggregated ClusterRole, as the clusterrole-aggregation controller computes
  /// them: for each of its `clusterRoleSelectors` in order, the other ClusterRoles that match,
  /// sorted by name, contribute their rules in order, each rule once. Returns nil when `role`
  /// has no `aggregationRule` (its own rules stand). The server writes the result into the
  /// role's `rules`.
  public static func aggregatedRules(
    for role: RBAC.ClusterRole, among all: [RBAC.ClusterRole]
  ) throws(LabelSelectorError) -> [RBAC.PolicyRule]? {
    guard let selectors = role.aggregationSelectors else { return nil }
    var rules: [RBAC.PolicyRule] = []
    for selectorJSON in selectors {
      let selector = try LabelSelector(json: selectorJSON)
      for other in all.sorted(by: { $0.name < $1.name }) where other.name != role.name && selector.matches(other.labels) {
        for rule in other.rules where !rules.contains(rule) { rules.append(rule) }
      }
    }
    return rules
  }

  /// This authorizer with every aggregated ClusterRole's rules recomputed from the others.
  public func withAggregatedClusterRoles() -> RBACAuthorizer {
    var copy = self
    for i in copy.clusterRoles.indices {
      if let rules = try? Self.aggregatedRules(for: clusterRoles[i], among: clusterRoles) {
        copy.clusterRoles[i].rules = rules
      }
    }
    return copy
  }
}
