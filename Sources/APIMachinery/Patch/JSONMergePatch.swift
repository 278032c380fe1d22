import CRDModels

/// JSON merge patch (RFC 7386), `application/merge-patch+json`.
///
/// The API server applies it to custom resources and built-in kinds alike: objects merge
/// recursively, a `null` member deletes, and anything else — lists included — replaces the
/// target whole. `kubectl apply` sends one for custom resources; the client creates one from
/// (original, modified) to write only the fields it changed.
public enum JSONMergePatch {
  /// Applies `patch` to `document` (RFC 7386 §2 `MergePatch(Target, Patch)`).
  ///
  /// A non-object patch replaces the document. Nulls inside a new subtree are dropped, as the
  /// RFC requires. The API server answers 400 `BadRequest` for a `null` or unparsable patch
  /// body; that check belongs to the caller (see `isAcceptablePatchBody`).
  public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
    guard case .object(let patchMembers) = patch else { return patch }
    var target = document.objectValue ?? [:]
    for (name, value) in patchMembers {
      if value.isNull {
        target.removeValue(forKey: name)
      } else {
        target[name] = apply(value, to: target[name] ?? .null)
      }
    }
    return .object(target)
  }

  /// Whether the API server accepts `patch` as a merge-patch body: it must be a JSON object
  /// (evanphx/json-patch answers `ErrBadJSONPatch` → 400 for `null`).
  public static func isAcceptablePatchBody(_ patch: JSONValue) -> Bool {
    patch.objectValue != nil
  }

  /// The merge patch that turns `original` into `modified`: changed members, `null` for removed
  /// members, lists and scalars whole. Returns `{}` when nothing changed. When either side is not
  /// an object the patch is `modified` itself.
  public static func create(from original: JSONValue, to modified: JSONValue) -> JSONValue {
    guard case .object(let o) = original, case .object(let m) = modified else { return modified }
    var patch: [String: JSONValue] = [:]
    for (key, value) in m {
      guard let old = o[key] else {
        patch[key] = value
        continue
      }
      if old == value { continue }
      if case .object = old, case .object = value {
        patch[key] = create(from: old, to: value)
      } else {
        patch[key] = value
      }
    }
    for key in o.keys where m[key] == nil {
      patch[key] = .null
    }
    return .object(patch)
  }
}
