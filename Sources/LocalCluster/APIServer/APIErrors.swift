import CRDModels

/// `Status` bodies with the codes, reasons and messages kube-apiserver uses
/// (k8s.io/apimachinery/pkg/api/errors).
enum APIErrors {
  static func details(_ r: ResourceInfo?, name: String?) -> StatusDetails {
    StatusDetails(name: name, group: (r?.group).flatMap { $0.isEmpty ? nil : $0 }, kind: r?.plural)
  }

  static func notFound(_ r: ResourceInfo, name: String) -> Status {
    Status(
      message: "\(r.qualifiedResource) \"\(name)\" not found", reason: "NotFound", details: details(r, name: name),
      code: 404)
  }

  static func namespaceNotFound(_ ns: String) -> Status {
    Status(
      message: "namespaces \"\(ns)\" not found", reason: "NotFound",
      details: StatusDetails(name: ns, kind: "namespaces"), code: 404)
  }

  static func pathNotFound() -> Status {
    Status(
      message: "the server could not find the requested resource", reason: "NotFound", details: StatusDetails(),
      code: 404)
  }

  static func alreadyExists(_ r: ResourceInfo, name: String) -> Status {
    Status(
      message: "\(r.qualifiedResource) \"\(name)\" already exists", reason: "AlreadyExists",
      details: details(r, name: name), code: 409)
  }

  static func conflict(_ r: ResourceInfo, name: String, reason: String) -> Status {
    Status(
      message: "Operation cannot be fulfilled on \(r.qualifiedResource) \"\(name)\": \(reason)", reason: "Conflict",
      details: details(r, name: name), code: 409)
  }

  static let modifiedMessage =
    "the object has been modified; please apply your changes to the latest version and try again"

  static func stale(_ r: ResourceInfo, name: String) -> Status { conflict(r, name: name, reason: modifiedMessage) }

  static func invalid(_ r: ResourceInfo, name: String, causes: [StatusCause]) -> Status {
    invalid(kind: r.kind, group: r.group, name: name, causes: causes)
  }

  static func invalid(kind: String, group: String, name: String, causes: [StatusCause]) -> Status {
    let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
    // `ErrorList.ToAggregate` drops repeated messages; the causes keep every error.
    var seen = Set<String>()
    let parts = causes.map { c in (c.field.map { "\($0): " } ?? "") + (c.message ?? "") }
      .filter { seen.insert($0).inserted }
    let joined = parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
    return Status(
      message: "\(qualifiedKind) \"\(name)\" is invalid: \(joined)", reason: "Invalid",
      details: StatusDetails(name: name, group: group.isEmpty ? nil : group, kind: kind, causes: causes), code: 422)
  }

  static func badRequest(_ message: String) -> Status {
    Status(message: message, reason: "BadRequest", code: 400)
  }

  static func methodNotAllowed() -> Status {
    Status(
      message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed",
      details: StatusDetails(), code: 405)
  }

  static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> Status {
    Status(
      message: "the body of the request was in an unknown format - accepted media types include: "
        + accepted.joined(separator: ", "),
      reason: "UnsupportedMediaType", code: 415)
  }

  static func notAcceptable() -> Status {
    Status(
      message: "only the following media types are accepted: application/json, application/yaml",
      reason: "NotAcceptable", code: 406)
  }

  static func unauthorized() -> Status {
    Status(message: "Unauthorized", reason: "Unauthorized", code: 401)
  }

  static func forbidden(_ r: ResourceInfo?, name: String?, message: String) -> Status {
    var d = StatusDetails()
    if let r { d = details(r, name: name) }
    return Status(message: message, reason: "Forbidden", details: d, code: 403)
  }

  static func expired(_ message: String) -> Status {
    Status(message: message, reason: "Expired", code: 410)
  }

  static let continueTooOld =
    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

  static func internalError(_ message: String) -> Status {
    Status(
      message: "Internal error occurred: \(message)", reason: "InternalError",
      details: StatusDetails(causes: [StatusCause(message: message)]), code: 500)
  }

  static func success(_ r: ResourceInfo, name: String, uid: String?) -> Status {
    var d = details(r, name: name)
    d.uid = uid
    return Status(status: "Success", details: d)
  }
}

extension Status {
  var jsonValue: JSONValue {
    var o: [String: JSONValue] = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:])]
    if let s = status { o["status"] = .string(s) }
    if let m = message { o["message"] = .string(m) }
    if let r = reason { o["reason"] = .string(r) }
    if let c = code { o["code"] = .int(Int64(c)) }
    if let d = details {
      var dd: [String: JSONValue] = [:]
      if let v = d.name { dd["name"] = .string(v) }
      if let v = d.group { dd["group"] = .string(v) }
      if let v = d.kind { dd["kind"] = .string(v) }
      if let v = d.uid { dd["uid"] = .string(v) }
      if let v = d.retryAfterSeconds { dd["retryAfterSeconds"] = .int(Int64(v)) }
      if let cs = d.causes {
        dd["causes"] = .array(
          cs.map { c in
            var co: [String: JSONValue] = [:]
            if let v = c.reason { co["reason"] = .string(v) }
            if let v = c.message { co["message"] = .string(v) }
            if let v = c.field { co["field"] = .string(v) }
            return .object(co)
          })
      }
      o["details"] = .object(dd)
    }
    return .object(o)
  }
}
