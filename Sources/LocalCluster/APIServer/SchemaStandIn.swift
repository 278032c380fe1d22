import CRDModels

/// Stand-ins until `APIMachinery` provides structural-schema processing and RBAC.
struct NoSchemaProcessing: SchemaProcessing {
  func defaultAndPrune(_ object: JSONValue, schema: JSONValue) -> (object: JSONValue, pruned: [String]) { (object, []) }
  func validate(_ object: JSONValue, schema: JSONValue, old: JSONValue?) -> [StatusCause] { [] }
}

struct DenyAll: Authorizing {
  func authorize(_ a: AuthorizationAttributes) async -> (allowed: Bool, reason: String) { (false, "") }
}
