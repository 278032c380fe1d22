import CRDModels
import Foundation

/// The create-only review resources (TokenReview, SubjectAccessReview and its self/local
/// forms, SelfSubjectReview) and ServiceAccount TokenRequests.
enum Reviews {
  static func handle(
    _ h: APIHandler, _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, user: UserInfo
  ) async throws
    -> HTTPResponse
  {
    var obj = try APIHandler.body(req)
    if let k = obj["kind"].stringValue, k != r.kind {
      throw APIErrors.badRequest(
        "the kind of the provided object (\(k)) does not match the kind of the resource (\(r.kind))")
    }
    obj["kind"] = .string(r.kind)
    obj["apiVersion"] = .string(r.apiVersion)
    if obj["metadata"].isNull { obj["metadata"] = .object([:]) }
    obj["metadata"]["creationTimestamp"] = .null
    switch r.plural {
    case "tokenreviews":
      let token = obj["spec"]["token"].stringValue ?? ""
      var status: JSONValue = [:]
      if let u = await h.authenticator.authenticate(token) {
        status["authenticated"] = true
        status["user"] = u.jsonValue
        status["audiences"] =
          obj["spec"]["audiences"].isNull ? ["https://kubernetes.default.svc.cluster.local"] : obj["spec"]["audiences"]
      } else {
        status["authenticated"] = false
        status["user"] = .object([:])
        status["error"] = "[invalid bearer token, token lookup failed]"
      }
      obj["status"] = status
    case "selfsubjectreviews":
      obj["status"] = ["userInfo": user.jsonValue]
    case "subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews":
      let spec = obj["spec"]
      var subject = user
      if r.plural != "selfsubjectaccessreviews" {
        let groups = (spec["groups"].arrayValue ?? []).compactMap(\.stringValue)
        subject = UserInfo(name: spec["user"].stringValue ?? "", uid: spec["uid"].stringValue ?? "", groups: groups)
        if subject.name.isEmpty && groups.isEmpty {
          throw APIErrors.invalid(
            kind: r.kind, group: r.group, name: "",
            causes: [
              StatusCause(
                reason: "FieldValueInvalid",
                message: "Invalid value: \"\": at least one of user or group must be specified", field: "spec.user")
            ])
        }
      }
      var attrs: AuthorizationAttributes
      let ra = spec["resourceAttributes"]
      if !ra.isNull {
        attrs = AuthorizationAttributes(
          user: subject, verb: ra["verb"].stringValue ?? "", namespace: ra["namespace"].stringValue ?? "",
          group: ra["group"].stringValue ?? "", version: ra["version"].stringValue ?? "",
          resource: ra["resource"].stringValue ?? "", subresource: ra["subresource"].stringValue ?? "",
          name: ra["name"].stringValue ?? "")
        if r.plural == "localsubjectaccessreviews" {
          let ns = namespace ?? ""
          if attrs.namespace.isEmpty { attrs.namespace = ns }
          if attrs.namespace != ns {
            throw APIErrors.badRequest("spec.resourceAttributes.namespace must match metadata.namespace")
          }
          obj["metadata"]["namespace"] = .string(ns)
        }
      } else if !spec["nonResourceAttributes"].isNull {
        let na = spec["nonResourceAttributes"]
        attrs = AuthorizationAttributes(
          user: subject, verb: na["verb"].stringValue ?? "", isResourceRequest: false,
          path: na["path"].stringValue ?? "")
      } else {
        throw APIErrors.invalid(
          kind: r.kind, group: r.group, name: "",
          causes: [
            StatusCause(
              reason: "FieldValueRequired",
              message: "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
              field: "spec.resourceAttributes")
          ])
      }
      let (ok, reason) = await h.authorizer.authorize(attrs)
      var status: JSONValue = ["allowed": .bool(ok)]
      if !reason.isEmpty { status["reason"] = .string(reason) }
      obj["status"] = status
    case "selfsubjectrulesreviews":
      obj["status"] = [
        "resourceRules": [], "nonResourceRules": [], "incomplete": true,
        "evaluationError": "rules review is not supported by the local API server",
      ]
    default:
      throw APIErrors.methodNotAllowed()
    }
    return .json(201, obj)
  }

  /// `POST serviceaccounts/NAME/token` (TokenRequest).
  static func tokenRequest(
    _ h: APIHandler, _ req: HTTPRequest, namespace: String, name: String
  ) async throws -> HTTPResponse {
    guard let saRes = await h.store.lookup(group: "", version: "v1", plural: "serviceaccounts") else {
      throw APIErrors.pathNotFound()
    }
    let sa = try await h.store.get(saRes, namespace: namespace, name: name)
    var obj = req.body.isEmpty ? JSONValue.object([:]) : try APIHandler.body(req)
    let expiration = obj["spec"]["expirationSeconds"].intValue ?? 3600
    let token = await h.authenticator.issueServiceAccountToken(
      namespace: namespace, name: name, uid: sa["metadata"]["uid"].stringValue ?? "")
    obj["kind"] = "TokenRequest"
    obj["apiVersion"] = "authentication.k8s.io/v1"
    obj["metadata"] = ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .null]
    obj["spec"]["expirationSeconds"] = .int(expiration)
    if obj["spec"]["audiences"].isNull { obj["spec"]["audiences"] = ["https://kubernetes.default.svc.cluster.local"] }
    obj["status"] = [
      "token": .string(token),
      "expirationTimestamp": .string(Time(Date().addingTimeInterval(Double(expiration))).description),
    ]
    return .json(201, obj)
  }
}
