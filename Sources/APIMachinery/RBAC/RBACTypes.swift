import CRDModels

/// `rbac.authorization.k8s.io/v1` objects, reduced to what authorization reads. Each decodes
/// from the object as stored (`init(json:)`), so the API server can hand over what it has.
public enum RBAC {
  public struct PolicyRule: Sendable, Equatable, Codable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(
      verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
      nonResourceURLs: [String] = []
    ) {
      self.verbs = verbs
      self.apiGroups = apiGroups
      self.resources = resources
      self.resourceNames = resourceNames
      self.nonResourceURLs = nonResourceURLs
    }

    public init(json: JSONValue) {
      func strings(_ k: String) -> [String] { (json[k].arrayValue ?? []).compactMap(\.stringValue) }
      self.init(
        verbs: strings("verbs"), apiGroups: strings("apiGroups"), resources: strings("resources"),
        resourceNames: strings("resourceNames"), nonResourceURLs: strings("nonResourceURLs"))
    }

    /// The rule as JSON, omitting empty lists as the API server does.
    public var json: JSONValue {
      var o: [String: JSONValue] = ["verbs": .array(verbs.map(JSONValue.string))]
      if !apiGroups.isEmpty { o["apiGroups"] = .array(apiGroups.map(JSONValue.string)) }
      if !resources.isEmpty { o["resources"] = .array(resources.map(JSONValue.string)) }
      if !resourceNames.isEmpty { o["resourceNames"] = .array(resourceNames.map(JSONValue.string)) }
      if !nonResourceURLs.isEmpty { o["nonResourceURLs"] = .array(nonResourceURLs.map(JSONValue.string)) }
      return .object(o)
    }
  }

  public struct Subject: Sendable, Equatable, Codable {
    /// `User`, `Group` or `ServiceAccount`.
    public var kind: String
    public var name: String
    /// For ServiceAccounts; empty means the binding's namespace.
    public var namespace: String

    public init(kind: String, name: String, namespace: String = "") {
      self.kind = kind
      self.name = name
      self.namespace = namespace
    }

    public init(json: JSONValue) {
      self.init(
        kind: json["kind"].stringValue ?? "", name: json["name"].stringValue ?? "",
        namespace: json["namespace"].stringValue ?? "")
    }
  }

  public struct RoleRef: Sendable, Equatable, Codable {
    /// `Role` or `ClusterRole`.
    public var kind: String
    public var name: String
    public init(kind: String, name: String) {
      self.kind = kind
      self.name = name
    }
  }

  public struct Role: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var rules: [PolicyRule]
    public init(namespace: String, name: String, rules: [PolicyRule]) {
      self.namespace = namespace
      self.name = name
      self.rules = rules
    }
    public init(json: JSONValue) {
      self.init(
        namespace: json["metadata"]["namespace"].stringValue ?? "", name: json["metadata"]["name"].stringValue ?? "",
        rules: (json["rules"].arrayValue ?? []).map(PolicyRule.init(json:)))
    }
  }

  public struct ClusterRole: Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    public var rules: [PolicyRule]
    /// `aggregationRule.clusterRoleSelectors` (each a `metav1.LabelSelector`), if any.
    public var aggregationSelectors: [JSONValue]?

    public init(
      name: String, labels: [String: String] = [:], rules: [PolicyRule], aggregationSelectors: [JSONValue]? = nil
    ) {
      self.name = name
      self.labels = labels
      self.rules = rules
      self.aggregationSelectors = aggregationSelectors
    }
    public init(json: JSONValue) {
      self.init(
        name: json["metadata"]["name"].stringValue ?? "", labels: LabelSelectorMatcher.labels(of: json),
        rules: (json["rules"].arrayValue ?? []).map(PolicyRule.init(json:)),
        aggregationSelectors: json["aggregationRule"].isNull
          ? nil : (json["aggregationRule"]["clusterRoleSelectors"].arrayValue ?? []))
    }
  }

  /// A RoleBinding (namespace set) or a ClusterRoleBinding (namespace empty).
  public struct Binding: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var roleRef: RoleRef
    public var subjects: [Subject]
    public init(namespace: String = "", name: String, roleRef: RoleRef, subjects: [Subject]) {
      self.namespace = namespace
      self.name = name
      self.roleRef = roleRef
      self.subjects = subjects
    }
    public init(json: JSONValue) {
      self.init(
        namespace: json["metadata"]["namespace"].stringValue ?? "", name: json["metadata"]["name"].stringValue ?? "",
        roleRef: RoleRef(
          kind: json["roleRef"]["kind"].stringValue ?? "", name: json["roleRef"]["name"].stringValue ?? ""),
        subjects: (json["subjects"].arrayValue ?? []).map(Subject.init(json:)))
    }
  }
}

/// Who is asking: `user.Info` as the authenticators fill it.
public struct RequestUser: Sendable, Equatable, Codable {
  public var name: String
  public var uid: String
  public var groups: [String]
  public var extra: [String: [String]]

  public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
    self.name = name
    self.uid = uid
    self.groups = groups
    self.extra = extra
  }

  /// A ServiceAccount as the token authenticator presents it: `system:serviceaccount:NS:NAME`
  /// in groups `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`.
  public static func serviceAccount(namespace: String, name: String, uid: String = "") -> RequestUser {
    RequestUser(
      name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
  }

  /// The user of a request without credentials.
  public static let anonymous = RequestUser(name: "system:anonymous", groups: ["system:unauthenticated"])

  /// The namespace and name when this is a ServiceAccount user.
  public var serviceAccount: (namespace: String, name: String)? {
    let parts = name.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount", !parts[2].isEmpty, !parts[3].isEmpty
    else { return nil }
    return (String(parts[2]), String(parts[3]))
  }
}

/// What is being asked: `authorizer.Attributes`.
public struct RequestAttributes: Sendable, Equatable {
  public var user: RequestUser
  /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, … (and
  /// for non-resource requests the lower-cased HTTP method: `get`, `post`, …).
  public var verb: String
  public var isResourceRequest: Bool
  public var apiGroup: String
  public var apiVersion: String
  public var resource: String
  public var subresource: String
  public var name: String
  public var namespace: String
  /// The URL path, for non-resource requests.
  public var path: String

  public init(
    user: RequestUser, verb: String, apiGroup: String = "", apiVersion: String = "", resource: String,
    subresource: String = "", name: String = "", namespace: String = ""
  ) {
    self.user = user
    self.verb = verb
    self.isResourceRequest = true
    self.apiGroup = apiGroup
    self.apiVersion = apiVersion
    self.resource = resource
    self.subresource = subresource
    self.name = name
    self.namespace = namespace
    self.path = ""
  }

  /// A request for a non-resource URL such as `/healthz` or `/apis`.
  public init(user: RequestUser, verb: String, path: String) {
    self.user = user
    self.verb = verb
    self.isResourceRequest = false
    self.apiGroup = ""
    self.apiVersion = ""
    self.resource = ""
    self.subresource = ""
    self.name = ""
    self.namespace = ""
    self.path = path
  }
}
