import CRDModels

extension LabelSelectorMatcher {
  /// `metav1.LabelSelectorAsSelector`: a `metav1.LabelSelector` (`matchLabels` and
  /// `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`).
  ///
  /// A JSON `null` (a nil selector) matches nothing; `{}` matches everything — the distinction
  /// kube draws for Deployments, NetworkPolicies and ClusterRole aggregation alike.
  public init(json: JSONValue) throws(LabelSelectorError) {
    if json.isNull {
      self = .nothing
      return
    }
    guard let o = json.objectValue else {
      throw LabelSelectorError("json: cannot unmarshal \(json) into Go value of type v1.LabelSelector")
    }
    var reqs: [Requirement] = []
    for (key, value) in o["matchLabels"]?.objectValue ?? [:] {
      reqs.append(try Requirement(key: key, op: .equals, values: [value.stringValue ?? ""]))
    }
    for expr in o["matchExpressions"]?.arrayValue ?? [] {
      let opName = expr["operator"].stringValue ?? ""
      let op: Operator
      switch opName {
      case "In": op = .in
      case "NotIn": op = .notIn
      case "Exists": op = .exists
      case "DoesNotExist": op = .doesNotExist
      default: throw LabelSelectorError("\(GoFormat.quote(opName)) is not a valid label selector operator")
      }
      let values = (expr["values"].arrayValue ?? []).map { $0.stringValue ?? "" }
      reqs.append(try Requirement(key: expr["key"].stringValue ?? "", op: op, values: values))
    }
    self.init(requirements: reqs)
  }
}

extension LabelSelectorMatcher {
  /// From the typed `metav1.LabelSelector` of CRDModels; nil (no selector) matches nothing.
  public init(_ selector: CRDModels.LabelSelector?) throws(LabelSelectorError) {
    guard let selector else {
      self = .nothing
      return
    }
    var o: [String: JSONValue] = [:]
    if let ml = selector.matchLabels { o["matchLabels"] = .object(ml.mapValues(JSONValue.string)) }
    if let me = selector.matchExpressions {
      o["matchExpressions"] = .array(
        me.map { r in
          [
            "key": .string(r.key), "operator": .string(r.operator),
            "values": .array((r.values ?? []).map(JSONValue.string)),
          ]
        })
    }
    try self.init(json: .object(o))
  }
}
