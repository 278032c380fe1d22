import CRDModels

/// `/openapi/v2` and `/openapi/v3`.
enum OpenAPI {
  static func v2(_ req: HTTPRequest, _ reg: ResourceRegistry) -> HTTPResponse {
    .status(APIErrors.pathNotFound())
  }
  static func v3(_ req: HTTPRequest, _ reg: ResourceRegistry, path: String?) -> HTTPResponse {
    .status(APIErrors.pathNotFound())
  }
}
