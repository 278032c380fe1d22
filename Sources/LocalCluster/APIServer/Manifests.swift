import CRDModels
import Foundation

/// Installing manifest files (CRDs at start-up, bootstrap objects).
enum Manifests {
  static func files(_ paths: [URL]) throws -> [URL] {
    var out: [URL] = []
    let fm = FileManager.default
    for p in paths {
      var isDir: ObjCBool = false
      guard fm.fileExists(atPath: p.path, isDirectory: &isDir) else {
        throw APIErrors.badRequest("no such manifest file or directory: \(p.path)")
      }
      if isDir.boolValue {
        let names = try fm.contentsOfDirectory(atPath: p.path).sorted()
        for n in names where n.hasSuffix(".yaml") || n.hasSuffix(".yml") || n.hasSuffix(".json") {
          out.append(p.appendingPathComponent(n))
        }
      } else {
        out.append(p)
      }
    }
    return out
  }

  /// Creates the object, or replaces it when it exists.
  static func apply(_ doc: JSONValue, _ store: ObjectStore) async throws {
    if doc["kind"].stringValue?.hasSuffix("List") == true, let items = doc["items"].arrayValue {
      for i in items { try await apply(i, store) }
      return
    }
    guard let apiVersion = doc["apiVersion"].stringValue, let kind = doc["kind"].stringValue else { return }
    let registry = await store.snapshotRegistry()
    guard let r = registry.lookup(apiVersion: apiVersion, kind: kind) else {
      throw APIErrors.badRequest("no matches for kind \"\(kind)\" in version \"\(apiVersion)\"")
    }
    let ns = r.namespaced ? (doc["metadata"]["namespace"].stringValue ?? "default") : nil
    let name = doc["metadata"]["name"].stringValue ?? ""
    if await store.exists(r, namespace: ns, name: name) {
      var o = doc
      o["metadata"]["resourceVersion"] = .null
      _ = try await store.update(r, namespace: ns, name: name, object: o)
    } else {
      _ = try await store.create(r, namespace: ns, object: doc)
    }
  }
}
