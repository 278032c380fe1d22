import Foundation

/// The JSON a top-level object was decoded from.
///
/// It takes no part in equality or hashing: two objects with the same typed fields are equal
/// whatever their raw JSON. It is not itself encoded; ``PreservesUnknownFields`` merges it in.
public struct RawJSON: Sendable, Hashable {
  public var value: JSONValue?
  public init(_ value: JSONValue? = nil) { self.value = value }
  public static func == (_: RawJSON, _: RawJSON) -> Bool { true }

  /// Set in a decoder's `userInfo` to skip capturing `raw` (for objects that will only be read).
  public static let skipCaptureKey = CodingUserInfoKey(rawValue: "dev.gra.skipRawCapture")!

  /// The whole JSON value being decoded, unless the decoder asks to skip it.
  public static func capture(from decoder: any Decoder) throws -> RawJSON {
    if decoder.userInfo[skipCaptureKey] as? Bool == true { return RawJSON() }
    return RawJSON(try JSONValue(from: decoder))
  }
  public func hash(into _: inout Hasher) {}
}

/// How gra never drops a field it does not model when it writes an object back.
///
/// **Rule.** Every top-level object type keeps the exact JSON it was decoded from in `raw`.
/// Encoding such an object (for a PUT, a `/status` write, or anything else) does a three-way
/// merge: it starts from `raw` and applies only the changes made to the typed fields since
/// decoding. Concretely, with `old` = the typed view of `raw` and `new` = the typed view of `self`:
/// - a subtree where `old == new` is written exactly as it arrived (unknown fields, number
///   spellings like `1000m`, fractional timestamps, all untouched);
/// - object keys that gra removed are removed, keys it added or changed are written, keys it
///   does not know are kept;
/// - list elements are matched first by equality, then by `name`, then by position when the
///   length did not change; matched elements are merged the same way, so an unknown field of
///   a container survives a change to that container's image. An element gra added is written
///   as typed; an element it removed is gone.
///
/// Objects built in code (not decoded) have no `raw` and encode their typed fields only.
/// Consequences: decoded by ``JSONValueDecoder`` (every gra payload), `raw` is the parsed tree
/// itself and costs no extra pass; from any other decoder it is rebuilt by trial decoding. A
/// cached object holds its JSON beside its typed fields; clear `raw` (``dropRaw()``) on objects
/// that will never be written back if memory matters more.
public protocol PreservesUnknownFields: KubernetesObject, Equatable {
  var raw: RawJSON { get set }
  /// Encodes the typed fields only (what a freshly built object would send).
  func encodeKnownFields(to encoder: any Encoder) throws
}

private struct KnownFields<T: PreservesUnknownFields>: Encodable {
  var object: T
  func encode(to encoder: any Encoder) throws { try object.encodeKnownFields(to: encoder) }
}

extension PreservesUnknownFields {
  /// Encodes `self` as described on ``PreservesUnknownFields``.
  public func encodePreservingUnknownFields(to encoder: any Encoder) throws {
    guard let raw = raw.value else {
      try encodeKnownFields(to: encoder)
      return
    }
    let decoded = try JSONValueDecoder(userInfo: [RawJSON.skipCaptureKey: true]).decode(Self.self, from: raw)
    if decoded == self {  // nothing changed: send exactly what was received
      try raw.encode(to: encoder)
      return
    }
    let new = try JSONValue(encoding: KnownFields(object: self))
    let old = try JSONValue(encoding: KnownFields(object: decoded))
    try JSONMerge.threeWay(raw: raw, old: old, new: new).encode(to: encoder)
  }

  /// The typed fields only, as JSON, ignoring `raw`.
  public func knownFieldsJSON() throws -> JSONValue {
    try JSONValue(encoding: KnownFields(object: self))
  }

  /// Forgets the decoded JSON: later encodes send the typed fields only.
  public mutating func dropRaw() { raw = RawJSON() }
}

/// The three-way merge behind ``PreservesUnknownFields``.
public enum JSONMerge {
  /// Applies the change `old → new` (typed views) to `raw` (what the server sent).
  public static func threeWay(raw: JSONValue, old: JSONValue, new: JSONValue) -> JSONValue {
    if old == new { return raw }
    switch (raw, old, new) {
    case (.object(let r), .object(let o), .object(let n)):
      var out = r
      for key in Set(o.keys).union(n.keys) {
        switch (o[key], n[key]) {
        case (_, nil): out[key] = nil
        case (nil, let nv?): out[key] = nv
        case (let ov?, let nv?): out[key] = r[key].map { threeWay(raw: $0, old: ov, new: nv) } ?? nv
        }
      }
      return .object(out)
    case (.array(let r), .array(let o), .array(let n)) where r.count == o.count:
      return .array(mergeArrays(raw: r, old: o, new: n))
    default:
      return new
    }
  }

  private static func mergeArrays(
    raw r: [JSONValue], old o: [JSONValue], new n: [JSONValue]
  )
    -> [JSONValue]
  {
    var used = Set<Int>()
    var out: [JSONValue] = []
    out.reserveCapacity(n.count)
    for (i, element) in n.enumerated() {
      if let j = o.indices.first(where: { !used.contains($0) && o[$0] == element }) {
        used.insert(j)
        out.append(r[j])
      } else if let name = element["name"].stringValue,
        let j = o.indices.first(where: { !used.contains($0) && o[$0]["name"].stringValue == name })
      {
        used.insert(j)
        out.append(threeWay(raw: r[j], old: o[j], new: element))
      } else if o.count == n.count, !used.contains(i), element["name"].stringValue == nil {
        used.insert(i)
        out.append(threeWay(raw: r[i], old: o[i], new: element))
      } else {
        out.append(element)
      }
    }
    return out
  }
}
