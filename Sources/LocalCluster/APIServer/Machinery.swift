import CRDModels

/// The `APIMachinery` pieces the server uses, in one place.
enum Machinery {
  static var schemaProcessing: any SchemaProcessing { NoSchemaProcessing() }
  static func rbac(_ store: ObjectStore) -> any Authorizing { DenyAll() }
}
