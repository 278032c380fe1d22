import APIMachinery
import CRDModels
import Foundation
import Synchronization

/// PATCH: JSON patch, merge patch, strategic merge patch (built-in kinds only) and a minimal
/// server-side apply, all applied atomically against the stored object.
enum Patching {
  static let customTypes = [
    "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
  ]
  static let builtinTypes = customTypes + ["application/strategic-merge-patch+json"]

  static func patch(
    _ h: APIHandler, _ req: HTTPRequest, _ r: ResourceInfo, namespace: String?, name: String, subresource: String?,
    dryRun: Bool
  ) async throws -> HTTPResponse {
    let ct = (req.header("Content-Type") ?? "").split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
      .lowercased()
    let accepted = r.isCustom ? customTypes : builtinTypes
    guard accepted.contains(ct) else { throw APIErrors.unsupportedMediaType(ct, accepted: accepted) }
    guard !req.body.isEmpty else { throw APIErrors.badRequest("the body of the request was empty") }
    let sub: ObjectStore.Subresource = subresource == "status" ? .status : .main
    let manager = req.q("fieldManager")
    let updater = ManagedFields.manager(req)
    let force = req.flag("force")
    let body: JSONValue
    if ct == "application/apply-patch+yaml" {
      guard let m = manager, !m.isEmpty else {
        throw APIErrors.invalid(
          kind: "PatchOptions", group: "meta.k8s.io", name: "",
          causes: [
            StatusCause(
              reason: "FieldValueRequired", message: "Required value: is required for apply patch",
              field: "fieldManager")
          ])
      }
      body = try YAMLBody.decode(req.body)
      guard case .object = body else { throw APIErrors.badRequest("error decoding YAML: the patch must be an object") }
    } else {
      do { body = try JSONValue.parse(req.body) } catch {
        throw APIErrors.badRequest("error decoding patch: \(error)")
      }
    }
    if force && ct != "application/apply-patch+yaml" {
      throw APIErrors.badRequest("force flag set for non-apply patch")
    }
    let warnings = Warnings()
    let strict = req.q("fieldValidation")
    let schema = h.schema
    let transform: @Sendable (JSONValue?) throws -> JSONValue = { current in
      var result: JSONValue
      switch ct {
      case "application/json-patch+json":
        guard let cur = current else { throw APIErrors.notFound(r, name: name) }
        do {
          result = try JSONPatch(json: body).apply(to: cur)
        } catch let e as JSONPatchError {
          throw e.status
        }
      case "application/merge-patch+json":
        guard let cur = current else { throw APIErrors.notFound(r, name: name) }
        guard case .object = body else {
          throw APIErrors.badRequest("json: cannot unmarshal into Go value of type map[string]interface {}")
        }
        result = JSONMergePatch.apply(body, to: cur)
      case "application/strategic-merge-patch+json":
        guard let cur = current else { throw APIErrors.notFound(r, name: name) }
        do {
          result = try StrategicMergePatch.apply(
            body, to: cur, schema: StrategicMergeSchema.forKind(group: r.group, kind: r.kind))
        } catch let e as StrategicMergePatchError {
          throw e.status
        }
      default:
        result = ServerSideApply.apply(body, to: current, manager: manager ?? "", r: r, subresource: sub)
      }
      let ws = try FieldValidation.unknownFields(schema, strict, r, result, kind: r.kind)
      warnings.add(ws)
      return result
    }
    let (obj, created) = try await h.store.patch(
      r, namespace: namespace, name: name, subresource: sub, dryRun: dryRun,
      createIfMissing: ct == "application/apply-patch+yaml",
      stamp: ct == "application/apply-patch+yaml"
        ? nil : ManagedFields.stamp(updater, operation: "Update", r: r, subresource: sub),
      transform: transform)
    return h.written(created ? 201 : 200, obj, r, dryRun: dryRun, headers: warnings.headers)
  }
}

/// `Warning` headers gathered while a request runs.
final class Warnings: Sendable {
  private let list = Mutex<[String]>([])
  func add(_ w: [String]) { list.withLock { $0.append(contentsOf: w) } }
  var headers: [(String, String)] {
    list.withLock { $0 }.map { ("Warning", "299 - \"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"") }
  }
}

/// `fieldValidation=Strict|Warn|Ignore` for fields a custom resource's schema does not declare.
enum FieldValidation {
  static func unknownFields(
    _ schema: any SchemaProcessing, _ mode: String?, _ r: ResourceInfo, _ obj: JSONValue, kind: String
  ) throws -> [String] {
    guard r.isCustom, let s = r.structuralSchema, !r.preserveUnknownFields else { return [] }
    let m = mode ?? "Warn"
    if m == "Ignore" { return [] }
    let pruned = schema.defaultAndPrune(obj, schema: s).pruned
    if pruned.isEmpty { return [] }
    if m == "Strict", let status = StrictDecoding.strictStatus(kind: kind, version: r.version, unknownFields: pruned) {
      throw status
    }
    let msgs = StrictDecoding.messages(unknownFields: pruned)
    return msgs
  }

  static func check(
    _ h: APIHandler, _ req: HTTPRequest, _ r: ResourceInfo, _ obj: inout JSONValue
  ) throws -> [(String, String)] {
    let w = Warnings()
    w.add(try unknownFields(h.schema, req.q("fieldValidation"), r, obj, kind: r.kind))
    return w.headers
  }
}

/// `metadata.managedFields`: one entry per manager, operation and subresource, as a record of
/// who wrote. The field sets are not tracked (see docs/local-cluster.md).
enum ManagedFields {
  /// The manager of a write, as kube-apiserver names it: `fieldManager`, else the User-Agent
  /// up to its first `/` (`kubectl/v1.32.0 (linux/amd64) …` is `kubectl`); nil when neither
  /// says anything.
  static func manager(_ req: HTTPRequest) -> String? {
    if let m = req.q("fieldManager"), !m.isEmpty { return m }
    guard let agent = req.header("User-Agent"),
      let prefix = agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first,
      !prefix.isEmpty
    else { return nil }
    return String(prefix.prefix(128))
  }

  /// A function that records `manager`'s `operation` on the object it is given, for the store
  /// to run once it knows the write changes something (a write that changes nothing leaves
  /// the object, and its resourceVersion, as they were).
  static func stamp(
    _ manager: String?, operation: String, r: ResourceInfo, subresource: ObjectStore.Subresource = .main
  ) -> (@Sendable (JSONValue) -> JSONValue)? {
    guard let manager, !manager.isEmpty else { return nil }
    let sub = subresource == .status ? "status" : nil
    return { record($0, manager: manager, operation: operation, r: r, subresource: sub) }
  }

  static func record(
    _ obj: JSONValue, manager: String?, operation: String, r: ResourceInfo, subresource: String? = nil
  ) -> JSONValue {
    guard let manager, !manager.isEmpty, case .object = obj else { return obj }
    var o = obj
    var entries = (o["metadata"]["managedFields"].arrayValue ?? []).filter {
      !($0["manager"].stringValue == manager && $0["operation"].stringValue == operation
        && $0["subresource"].stringValue == subresource)
    }
    var e: JSONValue = [
      "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(r.apiVersion),
      "time": .string(Time.now().description), "fieldsType": "FieldsV1",
    ]
    e["fieldsV1"] = .object([:])
    if let subresource { e["subresource"] = .string(subresource) }
    entries.append(e)
    o["metadata"]["managedFields"] = .array(entries)
    return o
  }
}

/// A minimal server-side apply: the applied configuration is merged into the live object
/// (maps recursively, lists replaced, as a merge patch without deletions), and the manager
/// is recorded. Ownership conflicts are not detected.
enum ServerSideApply {
  static func apply(
    _ applied: JSONValue, to current: JSONValue?, manager: String, r: ResourceInfo, subresource: ObjectStore.Subresource
  ) -> JSONValue {
    var patch = applied
    if var m = patch["metadata"].objectValue {
      m["managedFields"] = nil
      m["resourceVersion"] = nil
      patch["metadata"] = .object(m)
    }
    var result = current.map { merge($0, patch) } ?? patch
    result = ManagedFields.record(
      result, manager: manager, operation: "Apply", r: r, subresource: subresource == .status ? "status" : nil)
    return result
  }

  static func merge(_ base: JSONValue, _ patch: JSONValue) -> JSONValue {
    guard case .object(let p) = patch, case .object(var b) = base else { return patch }
    for (k, v) in p {
      if let existing = b[k], case .object = v { b[k] = merge(existing, v) } else { b[k] = v }
    }
    return .object(b)
  }
}
