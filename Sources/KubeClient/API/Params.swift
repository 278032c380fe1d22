import APIMachinery
import CRDModels

/// Query parameters of a list (and the list half of a watcher).
public struct ListParams: Sendable, Equatable {
  /// e.g. `app=web,tier!=db` (see APIMachinery's `LabelSelector` for building one).
  public var labelSelector: String?
  /// e.g. `metadata.name=x,status.phase!=Running`.
  public var fieldSelector: String?
  /// Page size; nil lets the server return everything at once.
  public var limit: Int?
  public var continueToken: String?
  /// "" (default) is a quorum read; "0" lets the server answer from its cache.
  public var resourceVersion: String?
  /// `NotOlderThan` or `Exact`, with `resourceVersion`.
  public var resourceVersionMatch: String?
  public var timeoutSeconds: Int?

  public init(
    labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
    resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil
  ) {
    self.labelSelector = labelSelector
    self.fieldSelector = fieldSelector
    self.limit = limit
    self.continueToken = continueToken
    self.resourceVersion = resourceVersion
    self.resourceVersionMatch = resourceVersionMatch
    self.timeoutSeconds = timeoutSeconds
  }

  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = []
    if let s = labelSelector, !s.isEmpty { q.append(("labelSelector", s)) }
    if let s = fieldSelector, !s.isEmpty { q.append(("fieldSelector", s)) }
    if let l = limit { q.append(("limit", String(l))) }
    if let c = continueToken, !c.isEmpty { q.append(("continue", c)) }
    if let rv = resourceVersion { q.append(("resourceVersion", rv)) }
    if let m = resourceVersionMatch { q.append(("resourceVersionMatch", m)) }
    if let t = timeoutSeconds { q.append(("timeoutSeconds", String(t))) }
    return q
  }
}

/// Options of create and update.
public struct PostParams: Sendable, Equatable {
  public var dryRun: Bool
  public var fieldManager: String?
  /// `Ignore`, `Warn` or `Strict`.
  public var fieldValidation: String?
  public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: String? = nil) {
    self.dryRun = dryRun
    self.fieldManager = fieldManager
    self.fieldValidation = fieldValidation
  }
  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = []
    if dryRun { q.append(("dryRun", "All")) }
    if let f = fieldManager { q.append(("fieldManager", f)) }
    if let v = fieldValidation { q.append(("fieldValidation", v)) }
    return q
  }
}

/// Options of a patch. Server-side apply needs `fieldManager`; controllers set `force`.
public struct PatchParams: Sendable, Equatable {
  public var dryRun: Bool
  public var fieldManager: String?
  /// Take ownership of conflicting fields (server-side apply only).
  public var force: Bool
  public var fieldValidation: String?
  public init(dryRun: Bool = false, fieldManager: String? = nil, force: Bool = false, fieldValidation: String? = nil) {
    self.dryRun = dryRun
    self.fieldManager = fieldManager
    self.force = force
    self.fieldValidation = fieldValidation
  }
  /// Server-side apply as a controller: `fieldManager` set and conflicts forced.
  public static func apply(_ fieldManager: String, force: Bool = true) -> PatchParams {
    PatchParams(fieldManager: fieldManager, force: force)
  }
  var query: [(name: String, value: String)] {
    var q: [(name: String, value: String)] = []
    if dryRun { q.append(("dryRun", "All")) }
    if let f = fieldManager { q.append(("fieldManager", f)) }
    if force { q.append(("force", "true")) }
    if let v = fieldValidation { q.append(("fieldValidation", v)) }
    return q
  }
}

/// A patch body and its content type.
public enum Patch: Sendable, Equatable {
  /// RFC 7386 merge patch (`application/merge-patch+json`): lists are replaced whole; a
  /// `metadata.resourceVersion` in it makes the patch conditional.
  case merge(JSONValue)
  /// RFC 6902 JSON patch (`application/json-patch+json`), supports `test`.
  case json(JSONPatch)
  /// Strategic merge patch; built-in kinds only, not custom resources.
  case strategic(JSONValue)
  /// Server-side apply (`application/apply-patch+yaml`; JSON is YAML): the fully specified
  /// intent, with `apiVersion`, `kind` and `metadata.name`. Needs `fieldManager`.
  case apply(JSONValue)

  public var contentType: String {
    switch self {
    case .merge: "application/merge-patch+json"
    case .json: "application/json-patch+json"
    case .strategic: "application/strategic-merge-patch+json"
    case .apply: "application/apply-patch+yaml"
    }
  }

  public func body() throws -> [UInt8] {
    switch self {
    case .merge(let v), .strategic(let v), .apply(let v): try KubeJSON.encodeBytes(v)
    case .json(let p): try KubeJSON.encodeBytes(p.json)
    }
  }
}

/// How dependents are deleted.
public enum PropagationPolicy: String, Sendable, Equatable {
  /// Dependents are deleted before the owner disappears (the owner gets `foregroundDeletion`).
  case foreground = "Foreground"
  /// The owner goes now; the garbage collector removes dependents.
  case background = "Background"
  /// Dependents are kept and lose their owner reference.
  case orphan = "Orphan"
}

/// Options of a delete.
public struct DeleteParams: Sendable, Equatable {
  public var gracePeriodSeconds: Int?
  public var propagationPolicy: PropagationPolicy?
  /// Delete only if the object still has this uid (409 otherwise).
  public var preconditionUID: String?
  /// Delete only if the object still has this resourceVersion (409 otherwise).
  public var preconditionResourceVersion: String?
  public var dryRun: Bool
  public init(
    gracePeriodSeconds: Int? = nil, propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
    preconditionResourceVersion: String? = nil, dryRun: Bool = false
  ) {
    self.gracePeriodSeconds = gracePeriodSeconds
    self.propagationPolicy = propagationPolicy
    self.preconditionUID = preconditionUID
    self.preconditionResourceVersion = preconditionResourceVersion
    self.dryRun = dryRun
  }

  /// The `DeleteOptions` body.
  var body: JSONValue {
    var o: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
    if let g = gracePeriodSeconds { o["gracePeriodSeconds"] = .int(Int64(g)) }
    if let p = propagationPolicy { o["propagationPolicy"] = .string(p.rawValue) }
    if preconditionUID != nil || preconditionResourceVersion != nil {
      var pre: JSONValue = [:]
      if let u = preconditionUID { pre["uid"] = .string(u) }
      if let rv = preconditionResourceVersion { pre["resourceVersion"] = .string(rv) }
      o["preconditions"] = pre
    }
    if dryRun { o["dryRun"] = ["All"] }
    return o
  }
}
