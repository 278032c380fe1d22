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
      let selector = try LabelSelectorMatcher(json: selectorJSON)
      for other in all.sorted(by: { $0.name < $1.name }) where other.name != role.name && selector.matches(other.labels)
      {
        for rule in other.rules where !rules.contains(rule) { rules.append(rule) }
      }
    }
    return rules
  }

  /// This authorizer with every aggregated ClusterRole's rules recomputed from the others,
  /// repeated until nothing changes (the controller converges the same way when aggregated
  /// roles select each other, as `admin` selects `edit` which selects `view`).
  public func withAggregatedClusterRoles() -> RBACAuthorizer {
    var copy = self
    for _ in 0...copy.clusterRoles.count {
      var changed = false
      for i in copy.clusterRoles.indices {
        if let rules = try? Self.aggregatedRules(for: copy.clusterRoles[i], among: copy.clusterRoles),
          rules != copy.clusterRoles[i].rules
        {
          copy.clusterRoles[i].rules = rules
          changed = true
        }
      }
      if !changed { break }
    }
    return copy
  }
}
