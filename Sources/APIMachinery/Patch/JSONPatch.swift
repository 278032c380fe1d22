import CRDModels
import Foundation

/// JSON patch (RFC 6902), `application/json-patch+json`.
///
/// Semantics follow the library the API server uses (evanphx/json-patch v4, which
/// kube-apiserver vendors), including its departures from the RFC, so that a patch succeeds or
/// fails here exactly when it does on a real cluster:
/// - negative array indices count from the end (`/a/-1` is the last element; for `add`, `-1`
///   appends);
/// - `replace` of a missing **object member** adds it (only a missing parent or an out-of-range
///   array index fails);
/// - `test` of a missing object member succeeds when the expected value is `null`;
/// - `copy` from a missing object member writes `null`.
/// Errors are `JSONPatchError`s; see there for the HTTP answer each maps to.
public struct JSONPatch: Sendable, Equatable {
  public struct Operation: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case add, remove, replace, move, copy, test }
    /// The `op` as sent; unknown names fail when applied (422), as on the server.
    public var op: String
    public var path: String
    public var from: String?
    /// nil when the operation has no `value` member.
    public var value: JSONValue?

    public init(op: String, path: String, from: String? = nil, value: JSONValue? = nil) {
      self.op = op
      self.path = path
      self.from = from
      self.value = value
    }

    public static func add(_ path: String, _ value: JSONValue) -> Operation {
      .init(op: "add", path: path, value: value)
    }
    public static func remove(_ path: String) -> Operation { .init(op: "remove", path: path) }
    public static func replace(_ path: String, _ value: JSONValue) -> Operation {
      .init(op: "replace", path: path, value: value)
    }
    public static func move(from: String, to path: String) -> Operation { .init(op: "move", path: path, from: from) }
    public static func copy(from: String, to path: String) -> Operation { .init(op: "copy", path: path, from: from) }
    public static func test(_ path: String, _ value: JSONValue) -> Operation {
      .init(op: "test", path: path, value: value)
    }

    public var json: JSONValue {
      var o: [String: JSONValue] = ["op": .string(op), "path": .string(path)]
      if let from { o["from"] = .string(from) }
      if let value { o["value"] = value }
      return .object(o)
    }
  }

  /// The API server refuses patches with more operations than this (413).
  public static let maxOperations = 10_000

  public var operations: [Operation]

  public init(_ operations: [Operation]) { self.operations = operations }

  /// Decodes a patch document: a JSON array of operation objects.
  public init(json: JSONValue) throws(JSONPatchError) {
    guard case .array(let items) = json else {
      throw JSONPatchError(
        .malformedPatch, "json: cannot unmarshal \(GoFormat.jsonTypeName(json)) into Go value of type jsonpatch.Patch")
    }
    var ops: [Operation] = []
    for item in items {
      guard case .object(let o) = item else {
        throw JSONPatchError(
          .malformedPatch,
          "json: cannot unmarshal \(GoFormat.jsonTypeName(item)) into Go value of type jsonpatch.Operation")
      }
      ops.append(
        Operation(
          op: o["op"]?.stringValue ?? "unknown", path: o["path"]?.stringValue ?? "", from: o["from"]?.stringValue,
          value: o["value"]))
    }
    if ops.count > Self.maxOperations {
      throw JSONPatchError(
        .tooManyOperations, "The allowed maximum operations in a JSON patch is \(Self.maxOperations), got \(ops.count)")
    }
    operations = ops
  }

  /// Decodes a patch from request body bytes.
  public init(data: Data) throws(JSONPatchError) {
    let value: JSONValue
    do {
      value = try JSONValue.parse(data)
    } catch {
      throw JSONPatchError(.malformedPatch, "invalid character in JSON patch: \(error)")
    }
    try self.init(json: value)
  }

  public var json: JSONValue { .array(operations.map(\.json)) }

  /// Applies every operation in order; the first failure aborts the whole patch.
  public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
    var doc = document
    for op in operations {
      try Self.apply(op, to: &doc)
    }
    return doc
  }

  // MARK: - operations

  private static func apply(_ op: Operation, to doc: inout JSONValue) throws(JSONPatchError) {
    switch Operation.Kind(rawValue: op.op) {
    case .add:
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last else {
        // evanphx/json-patch v4 cannot add at the root ("" has no parent): kube answers 422.
        throw JSONPatchError(
          .missingPath, "add operation does not apply: doc is missing path: \"\(op.path)\": missing value")
      }
      try withParent(
        of: ptr, in: &doc, missing: "add operation does not apply: doc is missing path: \"\(op.path)\": missing value"
      ) {
        (container) throws(JSONPatchError) in
        try add(key, op.value ?? .null, to: &container, path: op.path, context: "add")
      }
    case .remove:
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last else {
        throw JSONPatchError(
          .missingPath, "remove operation does not apply: doc is missing path: \"\(op.path)\": missing value")
      }
      try withParent(
        of: ptr, in: &doc,
        missing: "remove operation does not apply: doc is missing path: \"\(op.path)\": missing value"
      ) {
        (container) throws(JSONPatchError) in
        _ = try remove(key, from: &container, path: op.path, context: "remove")
      }
    case .replace:
      if op.path.isEmpty {
        guard let v = op.value, v.objectValue != nil || v.arrayValue != nil else {
          throw JSONPatchError(.invalidOperation, "replace operation value must be object or array")
        }
        doc = v
        return
      }
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last else {
        throw JSONPatchError(
          .missingPath, "replace operation does not apply: doc is missing path: \(op.path): missing value")
      }
      try withParent(
        of: ptr, in: &doc, missing: "replace operation does not apply: doc is missing path: \(op.path): missing value"
      ) {
        (container) throws(JSONPatchError) in
        switch container {
        case .object(var o):
          o[key] = op.value ?? .null
          container = .object(o)
        case .array(var a):
          guard let i = index(key, count: a.count), i < a.count else {
            throw JSONPatchError(
              .invalidIndex, "replace operation does not apply: doc is missing key: \(op.path): missing value")
          }
          a[i] = op.value ?? .null
          container = .array(a)
        default:
          throw JSONPatchError(
            .missingPath, "replace operation does not apply: doc is missing path: \(op.path): missing value")
        }
      }
    case .move:
      let from = op.from ?? ""
      guard let fromPtr = JSONPointer(from), let fromKey = fromPtr.tokens.last else {
        throw JSONPatchError(
          .missingPath, "move operation does not apply: doc is missing from path: \(from): missing value")
      }
      var moved: JSONValue = .null
      try withParent(
        of: fromPtr, in: &doc,
        missing: "move operation does not apply: doc is missing from path: \(from): missing value"
      ) {
        (container) throws(JSONPatchError) in
        moved = try remove(fromKey, from: &container, path: fromKey, context: "move")
      }
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last else {
        throw JSONPatchError(
          .missingPath, "move operation does not apply: doc is missing destination path: \(op.path): missing value")
      }
      try withParent(
        of: ptr, in: &doc,
        missing: "move operation does not apply: doc is missing destination path: \(op.path): missing value"
      ) {
        (container) throws(JSONPatchError) in
        try add(key, moved, to: &container, path: op.path, context: "move")
      }
    case .copy:
      let from = op.from ?? ""
      guard let fromPtr = JSONPointer(from), let fromKey = fromPtr.tokens.last,
        let parent = JSONPointer(tokens: Array(fromPtr.tokens.dropLast())).resolve(in: doc),
        parent.objectValue != nil || parent.arrayValue != nil
      else {
        throw JSONPatchError(
          .missingPath, "copy operation does not apply: doc is missing from path: \(from): missing value")
      }
      let copied: JSONValue
      switch parent {
      case .array(let a):
        guard let i = index(fromKey, count: a.count), i < a.count else {
          throw JSONPatchError(
            .invalidIndex,
            "error in copy for from: '\(from)': Unable to access invalid index: \(fromKey): invalid index referenced")
        }
        copied = a[i]
      default:
        copied = parent.objectValue?[fromKey] ?? .null
      }
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last else {
        throw JSONPatchError(
          .missingPath, "copy operation does not apply: doc is missing destination path: \(op.path): missing value")
      }
      try withParent(
        of: ptr, in: &doc,
        missing: "copy operation does not apply: doc is missing destination path: \(op.path): missing value"
      ) {
        (container) throws(JSONPatchError) in
        try add(key, copied, to: &container, path: op.path, context: "copy")
      }
    case .test:
      let failed = JSONPatchError(.testFailed, "testing value \(op.path) failed: test failed")
      if op.path.isEmpty {
        guard op.value == doc else { throw failed }
        return
      }
      guard let ptr = JSONPointer(op.path), let key = ptr.tokens.last,
        let parent = JSONPointer(tokens: Array(ptr.tokens.dropLast())).resolve(in: doc)
      else {
        throw JSONPatchError(.missingPath, "test operation does not apply: is missing path: \(op.path): missing value")
      }
      switch parent {
      case .object(let o):
        guard let actual = o[key] else {
          if op.value == nil || op.value == .null { return }
          throw failed
        }
        guard actual == op.value else { throw failed }
      case .array(let a):
        guard let i = index(key, count: a.count), i < a.count else {
          throw JSONPatchError(
            .invalidIndex,
            "error in test for path: '\(op.path)': Unable to access invalid index: \(key): invalid index referenced")
        }
        guard a[i] == op.value else { throw failed }
      default:
        throw JSONPatchError(.missingPath, "test operation does not apply: is missing path: \(op.path): missing value")
      }
    case nil:
      throw JSONPatchError(.invalidOperation, "Unexpected kind: \(op.op)")
    }
  }

  /// Runs `body` on the container that holds the pointer's last token, writing it back.
  private static func withParent(
    of pointer: JSONPointer, in doc: inout JSONValue, missing: String,
    _ body: (inout JSONValue) throws(JSONPatchError) -> Void
  ) throws(JSONPatchError) {
    try modify(&doc, tokens: pointer.tokens.dropLast(), missing: missing, body)
  }

  private static func modify(
    _ node: inout JSONValue, tokens: ArraySlice<String>, missing: String,
    _ body: (inout JSONValue) throws(JSONPatchError) -> Void
  ) throws(JSONPatchError) {
    guard let token = tokens.first else {
      guard node.objectValue != nil || node.arrayValue != nil else { throw JSONPatchError(.missingPath, missing) }
      try body(&node)
      return
    }
    switch node {
    case .object(var o):
      guard var child = o[token] else { throw JSONPatchError(.missingPath, missing) }
      o[token] = nil
      try modify(&child, tokens: tokens.dropFirst(), missing: missing, body)
      o[token] = child
      node = .object(o)
    case .array(var a):
      guard let i = index(token, count: a.count), i < a.count else { throw JSONPatchError(.missingPath, missing) }
      var child = a[i]
      try modify(&child, tokens: tokens.dropFirst(), missing: missing, body)
      a[i] = child
      node = .array(a)
    default:
      throw JSONPatchError(.missingPath, missing)
    }
  }

  private static func add(
    _ key: String, _ value: JSONValue, to container: inout JSONValue, path: String, context: String
  ) throws(JSONPatchError) {
    switch container {
    case .object(var o):
      o[key] = value
      container = .object(o)
    case .array(var a):
      if key == "-" {
        a.append(value)
      } else {
        guard let raw = Int(key) else {
          throw JSONPatchError(
            .invalidIndex,
            "error in \(context) for path: '\(path)': value was not a proper array index: '\(key)': strconv.Atoi: parsing \"\(key)\": invalid syntax"
          )
        }
        var i = raw
        let size = a.count + 1
        if i < 0 { i += size }
        guard i >= 0, i < size else {
          throw JSONPatchError(
            .invalidIndex,
            "error in \(context) for path: '\(path)': Unable to access invalid index: \(raw): invalid index referenced")
        }
        a.insert(value, at: i)
      }
      container = .array(a)
    default:
      throw JSONPatchError(
        .missingPath, "\(context) operation does not apply: doc is missing path: \"\(path)\": missing value")
    }
  }

  @discardableResult
  private static func remove(
    _ key: String, from container: inout JSONValue, path: String, context: String
  ) throws(JSONPatchError) -> JSONValue {
    switch container {
    case .object(var o):
      guard let old = o.removeValue(forKey: key) else {
        throw JSONPatchError(
          .missingPath,
          "error in \(context) for path: '\(path)': Unable to remove nonexistent key: \(key): missing value")
      }
      container = .object(o)
      return old
    case .array(var a):
      guard let i = index(key, count: a.count), i < a.count else {
        throw JSONPatchError(
          .invalidIndex,
          "error in \(context) for path: '\(path)': Unable to access invalid index: \(key): invalid index referenced")
      }
      let old = a.remove(at: i)
      container = .array(a)
      return old
    default:
      throw JSONPatchError(
        .missingPath, "\(context) operation does not apply: doc is missing path: \"\(path)\": missing value")
    }
  }

  /// An array index; negative indices count from the end (evanphx `SupportNegativeIndices`).
  private static func index(_ token: String, count: Int) -> Int? {
    guard let i = Int(token) else { return nil }
    if i < 0 {
      return i + count >= 0 ? i + count : nil
    }
    return i
  }
}
