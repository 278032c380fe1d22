import CRDModels

/// Strategic merge patch, `application/strategic-merge-patch+json`, as the API server applies it
/// to built-in kinds (`strategicpatch.StrategicMergeMapPatch` with `MergeParallelList` and
/// `IgnoreUnmatchedNulls`).
///
/// - Objects merge recursively; `null` deletes a member.
/// - Lists with the `merge` strategy (see `StrategicMergeSchema`) merge element by element on
///   their merge key (`containers` by `name`, `env` by `name`, `ports` by `containerPort`, …);
///   lists of scalars with the strategy (`finalizers`) merge as ordered sets. Other lists are
///   replaced whole.
/// - Directives: `$patch: replace` (replace this object, or as a list element, the list),
///   `$patch: delete` (as a list element: delete the element with that merge key; in an object:
///   empty it), `$retainKeys: [..]` (drop every other member of this object),
///   `$deleteFromPrimitiveList/<list>: [..]` (remove those scalars), and
///   `$setElementOrder/<list>: [..]` (order of the result: `$setElementOrder` first, then the
///   order in the patch, then the live order, server-only elements interleaved where they were).
/// - Where the live object lacks a field, the patch value is taken with its nulls and directives
///   removed. kube-apiserver takes it verbatim and lets the typed decoder drop `$` keys; the
///   stored result is the same.
public enum StrategicMergePatch {
  /// Applies `patch` to `original` using the merge lists of `schema`.
  public static func apply(
    _ patch: JSONValue, to original: JSONValue, schema: StrategicMergeSchema
  ) throws(StrategicMergePatchError) -> JSONValue {
    guard case .object(let p) = patch else {
      throw StrategicMergePatchError(
        .badRequest,
        "json: cannot unmarshal \(GoFormat.jsonTypeName(patch)) into Go value of type map[string]interface {}")
    }
    let engine = Engine(schema: schema)
    return .object(try engine.mergeMap(original.objectValue ?? [:], p, path: ""))
  }

  static let directiveMarker = "$patch"
  static let retainKeysDirective = "$retainKeys"
  static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
  static let setElementOrderPrefix = "$setElementOrder/"

  /// Go's `%v` rendering of a decoded JSON value, used in error messages.
  static func goFormat(_ v: JSONValue) -> String {
    switch v {
    case .null: "<nil>"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .double(let d): d == d.rounded() && abs(d) < 1e21 ? String(Int64(d)) : String(d)
    case .string(let s): s
    case .array(let a): "[" + a.map(goFormat).joined(separator: " ") + "]"
    case .object(let o): "map[" + o.keys.sorted().map { "\($0):\(goFormat(o[$0]!))" }.joined(separator: " ") + "]"
    }
  }
}

private struct Engine {
  let schema: StrategicMergeSchema
  typealias Err = StrategicMergePatchError
  typealias Object = [String: JSONValue]

  func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

  func mergeMap(_ originalIn: Object, _ patchIn: Object, path: String) throws(Err) -> Object {
    if let directive = patchIn[StrategicMergePatch.directiveMarker] {
      switch directive.stringValue {
      case "replace":
        var p = patchIn
        p.removeValue(forKey: StrategicMergePatch.directiveMarker)
        return try mergeMap([:], p, path: path)
      case "delete":
        return [:]
      default:
        throw Err(
          .internalError,
          "unknown patch type: \(StrategicMergePatch.goFormat(directive)) in map: \(StrategicMergePatch.goFormat(.object(patchIn)))"
        )
      }
    }
    var original = originalIn
    var patch = patchIn
    try applyRetainKeys(&original, &patch)
    try mergeSetElementOrder(&original, &patch, path: path)

    for key in patch.keys.sorted() {
      let value = patch[key]!
      if key.hasPrefix(StrategicMergePatch.deleteFromPrimitiveListPrefix) {
        let listKey = String(key.dropFirst(StrategicMergePatch.deleteFromPrimitiveListPrefix.count))
        guard case .array(let toDelete) = value else { throw Err.badPrimitiveList }
        guard let existing = original[listKey] else { continue }
        guard case .array(let list) = existing else { throw Err.badPrimitiveList }
        original[listKey] = .array(list.filter { !toDelete.contains($0) })
        continue
      }
      if key.hasPrefix("$") { continue }
      if value.isNull {
        original.removeValue(forKey: key)
        continue
      }
      let p = child(path, key)
      switch (original[key], value) {
      case (.object(let o)?, .object(let v)):
        original[key] = .object(try mergeMap(o, v, path: p))
      case (.array(let o)?, .array(let v)):
        original[key] = .array(try mergeSliceHandler(o, v, path: p))
      default:
        original[key] = try fresh(value, path: p)
      }
    }
    return original
  }

  /// A patch value for a field the live object lacks: nulls and directives processed away.
  func fresh(_ value: JSONValue, path: String) throws(Err) -> JSONValue {
    switch value {
    case .object(let o): return .object(try mergeMap([:], o, path: path))
    case .array(let a): return .array(try mergeSliceHandler([], a, path: path))
    default: return value
    }
  }

  func applyRetainKeys(_ original: inout Object, _ patch: inout Object) throws(Err) {
    guard let retain = patch.removeValue(forKey: StrategicMergePatch.retainKeysDirective) else { return }
    guard case .array(let items) = retain else { throw Err.badRetainKeys }
    var keep: Set<String> = []
    for item in items {
      guard case .string(let s) = item else { throw Err.badRetainKeys }
      keep.insert(s)
    }
    for (k, v) in patch {
      if v.isNull || k.hasPrefix(StrategicMergePatch.deleteFromPrimitiveListPrefix)
        || k.hasPrefix(StrategicMergePatch.setElementOrderPrefix) || k == StrategicMergePatch.directiveMarker
      {
        continue
      }
      if !keep.contains(k) { throw Err.notMatchRetainKeys }
    }
    for k in original.keys where !keep.contains(k) {
      original.removeValue(forKey: k)
    }
  }

  /// `$setElementOrder/<list>`: merges that list now and orders it.
  func mergeSetElementOrder(_ original: inout Object, _ patch: inout Object, path: String) throws(Err) {
    for key in patch.keys.sorted() where key.hasPrefix(StrategicMergePatch.setElementOrderPrefix) {
      let listKey = String(key.dropFirst(StrategicMergePatch.setElementOrderPrefix.count))
      guard case .array(let order) = patch[key]! else { throw Err.badSetElementOrder }
      patch.removeValue(forKey: key)
      let p = child(path, listKey)
      let mergeKey = schema.mergeList(at: p)?.mergeKey
      let originalList: [JSONValue]?
      switch original[listKey] {
      case nil, .null?: originalList = nil
      case .array(let a)?: originalList = a
      default: throw Err.badSetElementOrder
      }
      let patchList: [JSONValue]?
      switch patch[listKey] {
      case nil: patchList = nil
      case .null?: continue  // the main loop deletes the list
      case .array(let a)?: patchList = a
      default: throw Err.badSetElementOrder
      }
      let merged: [JSONValue]
      switch (originalList, patchList) {
      case (nil, nil): continue
      case (let o?, nil): merged = o
      case (nil, let pl?): merged = try mergeSliceHandler([], pl, path: p)
      case (let o?, let pl?): merged = try mergeSliceHandler(o, pl, path: p)
      }
      if mergeKey != nil {
        try requireMergeKey(mergeKey!, in: order)
      }
      let (inOrder, serverOnly) = partition(merged, by: order, mergeKey: mergeKey)
      original[listKey] = .array(
        normalize(
          patchItems: inOrder, serverOnly: serverOnly, patchOrder: order, serverOrder: originalList ?? [],
          mergeKey: mergeKey))
      patch.removeValue(forKey: listKey)
    }
  }

  func mergeSliceHandler(_ original: [JSONValue], _ patch: [JSONValue], path: String) throws(Err) -> [JSONValue] {
    guard let meta = schema.mergeList(at: path) else {
      // Atomic list: replaced whole; nested objects still lose their nulls and directives.
      var out: [JSONValue] = []
      for item in patch {
        if case .object(let o) = item {
          out.append(.object(try mergeMap([:], o, path: path)))
        } else {
          out.append(item)
        }
      }
      return out
    }
    return try mergeSlice(original, patch, path: path, mergeKey: meta.mergeKey)
  }

  func mergeSlice(
    _ originalIn: [JSONValue], _ patchIn: [JSONValue], path: String, mergeKey: String?
  ) throws(Err) -> [JSONValue] {
    if originalIn.isEmpty && patchIn.isEmpty { return originalIn }
    let sample = patchIn.first ?? originalIn.first!
    if case .array = sample { throw Err.listOfLists }
    guard case .object = sample else {
      var merged: [JSONValue] = []
      for item in originalIn + patchIn where !merged.contains(item) { merged.append(item) }
      let (inPatch, serverOnly) = partition(merged, by: patchIn, mergeKey: nil)
      return normalize(
        patchItems: inPatch, serverOnly: serverOnly, patchOrder: patchIn, serverOrder: originalIn, mergeKey: nil)
    }
    guard let mergeKey else {
      throw Err(.internalError, "cannot merge lists without merge key for \(path)")
    }
    var original = originalIn
    var patch: [JSONValue] = []
    var replace = false
    for item in patchIn {
      guard case .object(let o) = item else {
        throw Err(.internalError, "cannot merge lists of different types for \(path)")
      }
      guard let directive = o[StrategicMergePatch.directiveMarker] else {
        patch.append(item)
        continue
      }
      switch directive.stringValue {
      case "delete":
        guard let value = o[mergeKey] else {
          throw Err(
            .internalError,
            "map: \(StrategicMergePatch.goFormat(item)) does not contain declared merge key: \(mergeKey)")
        }
        original.removeAll { $0.objectValue?[mergeKey] == value }
      case "replace":
        replace = true
      case "merge":
        throw Err(.internalError, "merging lists cannot yet be specified in the patch")
      default:
        throw Err(
          .internalError,
          "unknown patch type: \(StrategicMergePatch.goFormat(directive)) in map: \(StrategicMergePatch.goFormat(item))"
        )
      }
    }
    if replace {
      original = []
      for item in patch {
        original.append(.object(try mergeMap([:], item.objectValue!, path: path)))
      }
      patch = []
    }
    let serverOrder = original
    var merged = original
    for item in patch {
      let o = item.objectValue!
      guard let value = o[mergeKey] else {
        throw Err(
          .internalError, "map: \(StrategicMergePatch.goFormat(item)) does not contain declared merge key: \(mergeKey)")
      }
      if let i = merged.firstIndex(where: { $0.objectValue?[mergeKey] == value }) {
        merged[i] = .object(try mergeMap(merged[i].objectValue ?? [:], o, path: path))
      } else {
        merged.append(.object(try mergeMap([:], o, path: path)))
      }
    }
    let (inPatch, serverOnly) = partition(merged, by: patch, mergeKey: mergeKey)
    return normalize(
      patchItems: inPatch, serverOnly: serverOnly, patchOrder: patch, serverOrder: serverOrder, mergeKey: mergeKey)
  }

  func requireMergeKey(_ key: String, in list: [JSONValue]) throws(Err) {
    for item in list where item.objectValue?[key] == nil {
      throw Err(
        .internalError, "map: \(StrategicMergePatch.goFormat(item)) does not contain declared merge key: \(key)")
    }
  }

  func index(of item: JSONValue, in list: [JSONValue], mergeKey: String?) -> Int? {
    guard let mergeKey else { return list.firstIndex(of: item) }
    guard let value = item.objectValue?[mergeKey] else { return nil }
    return list.firstIndex { $0.objectValue?[mergeKey] == value }
  }

  func partition(_ items: [JSONValue], by list: [JSONValue], mergeKey: String?) -> ([JSONValue], [JSONValue]) {
    var inList: [JSONValue] = []
    var rest: [JSONValue] = []
    for item in items {
      if index(of: item, in: list, mergeKey: mergeKey) != nil { inList.append(item) } else { rest.append(item) }
    }
    return (inList, rest)
  }

  /// Sorts each side by its order, then interleaves them (kube's `normalizeElementOrder` and
  /// `mergeSortedSlice`): a server-only element goes before a patch element only when both are
  /// in the live list and it came first there.
  func normalize(
    patchItems: [JSONValue], serverOnly: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue],
    mergeKey: String?
  ) -> [JSONValue] {
    let right = sortStable(patchItems, by: patchOrder, mergeKey: mergeKey)
    let left = sortStable(serverOnly, by: serverOrder, mergeKey: mergeKey)
    var out: [JSONValue] = []
    var i = 0
    var j = 0
    while i < left.count || j < right.count {
      if i >= left.count {
        out.append(right[j])
        j += 1
      } else if j >= right.count {
        out.append(left[i])
        i += 1
      } else if let li = index(of: left[i], in: serverOrder, mergeKey: mergeKey),
        let ri = index(of: right[j], in: serverOrder, mergeKey: mergeKey), li < ri
      {
        out.append(left[i])
        i += 1
      } else {
        out.append(right[j])
        j += 1
      }
    }
    return out
  }

  func sortStable(_ items: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
    let keyed = items.enumerated().map { (offset, item) in
      (rank: index(of: item, in: order, mergeKey: mergeKey) ?? Int.max, offset: offset, item: item)
    }
    return keyed.sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }.map(\.item)
  }
}
