import APIMachinery
import CRDModels

/// The `APIMachinery` pieces the server uses, in one place: structural-schema processing for
/// custom resources, RBAC, and selector parsing.
enum Machinery {
  static var schemaProcessing: any SchemaProcessing { StructuralSchemaProcessing() }
  static func rbac(_ store: ObjectStore) -> any Authorizing { StoreRBAC(store: store) }

  static func parseLabelSelector(_ text: String) throws -> APIMachinery.LabelSelectorMatcher {
    do {
      return try APIMachinery.LabelSelectorMatcher.parse(text)
    } catch {
      // The message already carries kube's `unable to parse requirement:` prefix where kube has one.
      throw APIErrors.badRequest(error.message)
    }
  }

  static func parseFieldSelector(_ text: String) throws -> APIMachinery.FieldSelector {
    do {
      return try APIMachinery.FieldSelector.parse(text)
    } catch {
      throw APIErrors.badRequest(error.message)
    }
  }
}

/// Defaulting, pruning and validation with `APIMachinery.StructuralSchema`, as the
/// apiextensions-apiserver does for every custom resource write.
struct StructuralSchemaProcessing: SchemaProcessing {
  func defaultAndPrune(_ object: JSONValue, schema: StructuralSchema) -> (object: JSONValue, pruned: [String]) {
    let r = schema.normalize(object)
    return (r.object, r.unknownFields)
  }

  func validate(_ object: JSONValue, schema: StructuralSchema, old: JSONValue?) -> [StatusCause] {
    var o = object
    // ObjectMeta is validated by the server, not by the CRD schema.
    if var top = o.objectValue {
      top["metadata"] = nil
      o = .object(top)
    }
    return schema.validate(o).map(\.cause)
  }
}

/// RBAC over the Roles, ClusterRoles and bindings in the store, rebuilt when any of them
/// changes (aggregated ClusterRoles included).
actor StoreRBAC: Authorizing {
  let store: ObjectStore
  private var cached: (version: Int64, authorizer: RBACAuthorizer)?

  init(store: ObjectStore) { self.store = store }

  func authorize(_ a: AuthorizationAttributes) async -> (allowed: Bool, reason: String) {
    let (version, objects) = await store.rbacSnapshot()
    let authorizer: RBACAuthorizer
    if let c = cached, c.version == version {
      authorizer = c.authorizer
    } else {
      authorizer = RBACAuthorizer(objects: objects).withAggregatedClusterRoles()
      cached = (version, authorizer)
    }
    let user = RequestUser(name: a.user.name, uid: a.user.uid, groups: a.user.groups, extra: a.user.extra)
    let attrs: RequestAttributes
    if a.isResourceRequest {
      attrs = RequestAttributes(
        user: user, verb: a.verb, apiGroup: a.group, apiVersion: a.version, resource: a.resource,
        subresource: a.subresource, name: a.name, namespace: a.namespace)
    } else {
      attrs = RequestAttributes(user: user, verb: a.verb, path: a.path)
    }
    let d = authorizer.authorize(attrs)
    return (d.allowed, d.reason)
  }
}
