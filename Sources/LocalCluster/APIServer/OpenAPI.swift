import CRDModels

/// `/openapi/v3` (and a 404 for `/openapi/v2`): one document per group-version with the
/// paths kubectl inspects (the PATCH operation of each kind, tagged with
/// `x-kubernetes-group-version-kind` and listing the `fieldValidation` parameter, so kubectl
/// validates on the server) and component schemas for `kubectl explain` (custom resources from
/// their CRD schema; built-in kinds with a shallow schema).
///
/// PATCH request bodies deliberately do not list strategic merge patch: kubectl then computes
/// strategic merge patches for built-in kinds from its compiled-in types instead of from these
/// shallow schemas.
enum OpenAPI {
  static func v2(_ req: HTTPRequest, _ reg: ResourceRegistry) -> HTTPResponse {
    .status(APIErrors.pathNotFound())
  }

  static func gvKey(_ group: String, _ version: String) -> String {
    group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
  }

  static func v3(_ req: HTTPRequest, _ reg: ResourceRegistry, path: String?) -> HTTPResponse {
    guard let path, !path.isEmpty else {
      var paths: [String: JSONValue] = [:]
      for g in reg.groupVersions {
        for v in g.versions {
          let key = gvKey(g.group, v)
          let doc = document(reg, group: g.group, version: v)
          paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(doc.serialized()))")]
        }
      }
      return .json(200, ["paths": .object(paths)])
    }
    let parts = path.split(separator: "/").map(String.init)
    var group = ""
    var version = ""
    if parts.count == 2 && parts[0] == "api" {
      version = parts[1]
    } else if parts.count == 3 && parts[0] == "apis" {
      group = parts[1]
      version = parts[2]
    } else {
      return .status(APIErrors.pathNotFound())
    }
    guard reg.byGroupVersion[group.isEmpty ? version : "\(group)/\(version)"] != nil else {
      return .status(APIErrors.pathNotFound())
    }
    return .json(200, document(reg, group: group, version: version))
  }

  /// FNV-1a, printed as hex: a content hash for the `hash` query parameter.
  static func hash(_ bytes: [UInt8]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return String(h, radix: 16, uppercase: true)
  }

  static func schemaName(_ r: ResourceInfo) -> String {
    let g = r.group.isEmpty ? "io.k8s.api.core" : r.group.split(separator: ".").reversed().joined(separator: ".")
    return "\(g).\(r.version).\(r.kind)"
  }

  static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

  static var objectMetaSchema: JSONValue {
    var props: [String: JSONValue] = [:]
    for (k, d) in [
      ("name", "Name must be unique within a namespace."),
      ("namespace", "Namespace defines the space within which each name must be unique."),
      (
        "generateName",
        "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."
      ),
      ("uid", "UID is the unique in time and space value for this object."),
      ("resourceVersion", "An opaque value that represents the internal version of this object."),
      (
        "creationTimestamp",
        "CreationTimestamp is a timestamp representing the server time when this object was created."
      ),
      ("deletionTimestamp", "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."),
    ] {
      props[k] = ["type": "string", "description": .string(d)]
    }
    props["generation"] = [
      "type": "integer", "format": "int64",
      "description": "A sequence number representing a specific generation of the desired state.",
    ]
    props["labels"] = [
      "type": "object", "additionalProperties": ["type": "string", "default": ""],
      "description":
        "Map of string keys and values that can be used to organize and categorize (scope and select) objects.",
    ]
    props["annotations"] = [
      "type": "object", "additionalProperties": ["type": "string", "default": ""],
      "description": "Annotations is an unstructured key value map stored with a resource.",
    ]
    props["finalizers"] = [
      "type": "array", "items": ["type": "string", "default": ""],
      "description": "Must be empty before the object is deleted from the registry.",
    ]
    props["ownerReferences"] = [
      "type": "array", "items": ["type": "object"], "description": "List of objects depended by this object.",
    ]
    props["managedFields"] = [
      "type": "array", "items": ["type": "object"],
      "description":
        "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
    ]
    return [
      "type": "object",
      "description":
        "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
      "properties": .object(props),
    ]
  }

  static func kindSchema(_ r: ResourceInfo) -> JSONValue {
    var s: JSONValue
    if r.isCustom, let schema = r.schema {
      s = schema
    } else if r.isCustom {
      s = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    } else {
      s = [
        "type": "object",
        "description": .string("\(r.kind) (the local API server publishes a shallow schema for built-in kinds)."),
        "properties": [
          "spec": [
            "type": "object", "description": "Spec defines the desired state.",
            "x-kubernetes-preserve-unknown-fields": true,
          ],
          "status": [
            "type": "object", "description": "Status is the observed state.",
            "x-kubernetes-preserve-unknown-fields": true,
          ],
        ],
      ]
    }
    s["properties"]["apiVersion"] = [
      "type": "string", "description": "APIVersion defines the versioned schema of this representation of an object.",
    ]
    s["properties"]["kind"] = [
      "type": "string", "description": "Kind is a string value representing the REST resource this object represents.",
    ]
    s["properties"]["metadata"] = [
      "allOf": [["$ref": .string("#/components/schemas/\(objectMetaName)")]], "default": [:],
      "description": "Standard object's metadata.",
    ]
    s["x-kubernetes-group-version-kind"] = [
      ["group": .string(r.group), "kind": .string(r.kind), "version": .string(r.version)]
    ]
    return s
  }

  static func param(_ name: String, _ inWhere: String = "query", _ description: String = "") -> JSONValue {
    var p: JSONValue = [
      "name": .string(name), "in": .string(inWhere), "schema": ["type": "string", "uniqueItems": true],
    ]
    if !description.isEmpty { p["description"] = .string(description) }
    if inWhere == "path" { p["required"] = true }
    return p
  }

  static func document(_ reg: ResourceRegistry, group: String, version: String) -> JSONValue {
    let list = reg.byGroupVersion[group.isEmpty ? version : "\(group)/\(version)"] ?? []
    var paths: [String: JSONValue] = [:]
    var schemas: [String: JSONValue] = [objectMetaName: objectMetaSchema]
    let fieldValidation = param(
      "fieldValidation", "query",
      "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"
    )
    for r in list.sorted(by: { $0.plural < $1.plural }) {
      let name = schemaName(r)
      schemas[name] = kindSchema(r)
      let gvk: JSONValue = ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)]
      let ref: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
      let okBody: JSONValue = ["description": "OK", "content": ["application/json": ["schema": ref]]]
      let base = r.descriptor.groupVersionPath
      let collection = r.namespaced ? "\(base)/namespaces/{namespace}/\(r.plural)" : "\(base)/\(r.plural)"
      var common: [JSONValue] = [param("pretty")]
      if r.namespaced {
        common.append(param("namespace", "path", "object name and auth scope, such as for teams and projects"))
      }
      func op(
        _ action: String, _ id: String, params: [JSONValue] = [], body: Bool = false, patch: Bool = false
      ) -> JSONValue {
        var o: JSONValue = [
          "operationId": .string(id), "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
          "responses": ["200": okBody],
          "tags": [.string(r.group.isEmpty ? "core_\(r.version)" : "\(r.group)_\(r.version)")],
        ]
        if !params.isEmpty { o["parameters"] = .array(params) }
        if body {
          o["requestBody"] = ["content": ["application/json": ["schema": ref]], "required": true]
        }
        if patch {
          let patchSchema: JSONValue = ["schema": ["type": "object"]]
          o["requestBody"] = [
            "content": [
              "application/json-patch+json": patchSchema, "application/merge-patch+json": patchSchema,
              "application/apply-patch+yaml": patchSchema,
            ], "required": true,
          ]
        }
        return o
      }
      let writeParams = [param("dryRun"), param("fieldManager"), fieldValidation]
      if !r.virtual {
        var coll: JSONValue = ["parameters": .array(common)]
        coll["get"] = op(
          "list", "list\(r.kind)",
          params: [
            param("labelSelector"), param("fieldSelector"), param("limit"), param("continue"), param("resourceVersion"),
            param("watch"),
          ])
        coll["post"] = op("post", "create\(r.kind)", params: writeParams, body: true)
        paths[collection] = coll
        var item: JSONValue = ["parameters": .array(common + [param("name", "path", "name of the \(r.kind)")])]
        item["get"] = op("get", "read\(r.kind)")
        item["put"] = op("put", "replace\(r.kind)", params: writeParams, body: true)
        item["patch"] = op("patch", "patch\(r.kind)", params: writeParams + [param("force")], patch: true)
        item["delete"] = op(
          "delete", "delete\(r.kind)",
          params: [param("dryRun"), param("gracePeriodSeconds"), param("propagationPolicy")])
        paths["\(collection)/{name}"] = item
      } else {
        paths[collection] = [
          "parameters": .array(common), "post": op("post", "create\(r.kind)", params: writeParams, body: true),
        ]
      }
    }
    return [
      "openapi": "3.0.0",
      "info": ["title": "Kubernetes", "version": "v1.32.0+gra-local"],
      "paths": .object(paths),
      "components": ["schemas": .object(schemas)],
    ]
  }
}
