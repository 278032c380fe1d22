import CRDModels
import Foundation

/// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) of the
/// request bodies kubectl's typed clients send: `kubectl create configmap|secret|namespace|
/// serviceaccount|role|rolebinding|clusterrole|clusterrolebinding|service|token` and
/// `kubectl auth can-i`. client-go does not fall back to JSON, so without this those commands
/// would fail. Other kinds answer 415.
///
/// Wire format: the magic `k8s\0`, then a `runtime.Unknown` {1: TypeMeta{1 apiVersion, 2 kind},
/// 2: raw object bytes}; the object is decoded with the field numbers from k8s.io/api's
/// `generated.proto`.
enum ProtobufBody {
  indirect enum Field: Sendable {
    case string, bytes, bool, int, time
    case message(String)
    case map(Field)
    case repeated(Field)
    case intOrString
  }

  static let types: [String: [Int: (String, Field)]] = [
    "ObjectMeta": [
      1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
      6: ("resourceVersion", .string), 7: ("generation", .int), 8: ("creationTimestamp", .time),
      9: ("deletionTimestamp", .time), 10: ("deletionGracePeriodSeconds", .int), 11: ("labels", .map(.string)),
      12: ("annotations", .map(.string)), 13: ("ownerReferences", .repeated(.message("OwnerReference"))),
      14: ("finalizers", .repeated(.string)),
    ],
    "OwnerReference": [
      1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
      6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool),
    ],
    "ConfigMap": [
      1: ("metadata", .message("ObjectMeta")), 2: ("data", .map(.string)), 3: ("binaryData", .map(.bytes)),
      4: ("immutable", .bool),
    ],
    "Secret": [
      1: ("metadata", .message("ObjectMeta")), 2: ("data", .map(.bytes)), 3: ("type", .string),
      4: ("stringData", .map(.string)), 5: ("immutable", .bool),
    ],
    "Namespace": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("NamespaceSpec"))],
    "NamespaceSpec": [1: ("finalizers", .repeated(.string))],
    "ServiceAccount": [
      1: ("metadata", .message("ObjectMeta")), 3: ("imagePullSecrets", .repeated(.message("LocalObjectReference"))),
      4: ("automountServiceAccountToken", .bool),
    ],
    "LocalObjectReference": [1: ("name", .string)],
    "SelfSubjectAccessReview": [
      1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("SelfSubjectAccessReviewSpec")),
    ],
    "SelfSubjectAccessReviewSpec": [
      1: ("resourceAttributes", .message("ResourceAttributes")),
      2: ("nonResourceAttributes", .message("NonResourceAttributes")),
    ],
    "SubjectAccessReview": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("SubjectAccessReviewSpec"))],
    "SubjectAccessReviewSpec": [
      1: ("resourceAttributes", .message("ResourceAttributes")),
      2: ("nonResourceAttributes", .message("NonResourceAttributes")),
      3: ("user", .string), 4: ("groups", .repeated(.string)), 6: ("uid", .string),
    ],
    "ResourceAttributes": [
      1: ("namespace", .string), 2: ("verb", .string), 3: ("group", .string), 4: ("version", .string),
      5: ("resource", .string), 6: ("subresource", .string), 7: ("name", .string),
    ],
    "NonResourceAttributes": [1: ("path", .string), 2: ("verb", .string)],
    "SelfSubjectReview": [1: ("metadata", .message("ObjectMeta"))],
    "TokenRequest": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("TokenRequestSpec"))],
    "TokenRequestSpec": [
      1: ("audiences", .repeated(.string)), 3: ("boundObjectRef", .message("BoundObjectReference")),
      4: ("expirationSeconds", .int),
    ],
    "BoundObjectReference": [
      1: ("kind", .string), 2: ("apiVersion", .string), 3: ("name", .string), 4: ("uid", .string),
    ],
    "TokenReview": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("TokenReviewSpec"))],
    "TokenReviewSpec": [1: ("token", .string), 2: ("audiences", .repeated(.string))],
    "DeleteOptions": [
      1: ("gracePeriodSeconds", .int), 2: ("preconditions", .message("Preconditions")), 3: ("orphanDependents", .bool),
      4: ("propagationPolicy", .string), 5: ("dryRun", .repeated(.string)),
    ],
    "Preconditions": [1: ("uid", .string), 2: ("resourceVersion", .string)],
    "Role": [1: ("metadata", .message("ObjectMeta")), 2: ("rules", .repeated(.message("PolicyRule")))],
    "ClusterRole": [
      1: ("metadata", .message("ObjectMeta")), 2: ("rules", .repeated(.message("PolicyRule"))),
      3: ("aggregationRule", .message("AggregationRule")),
    ],
    "AggregationRule": [1: ("clusterRoleSelectors", .repeated(.message("LabelSelector")))],
    "LabelSelector": [
      1: ("matchLabels", .map(.string)), 2: ("matchExpressions", .repeated(.message("LabelSelectorRequirement"))),
    ],
    "LabelSelectorRequirement": [1: ("key", .string), 2: ("operator", .string), 3: ("values", .repeated(.string))],
    "PolicyRule": [
      1: ("verbs", .repeated(.string)), 2: ("apiGroups", .repeated(.string)), 3: ("resources", .repeated(.string)),
      4: ("resourceNames", .repeated(.string)), 5: ("nonResourceURLs", .repeated(.string)),
    ],
    "RoleBinding": [
      1: ("metadata", .message("ObjectMeta")), 2: ("subjects", .repeated(.message("Subject"))),
      3: ("roleRef", .message("RoleRef")),
    ],
    "ClusterRoleBinding": [
      1: ("metadata", .message("ObjectMeta")), 2: ("subjects", .repeated(.message("Subject"))),
      3: ("roleRef", .message("RoleRef")),
    ],
    "Subject": [1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)],
    "RoleRef": [1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)],
    "Service": [1: ("metadata", .message("ObjectMeta")), 2: ("spec", .message("ServiceSpec"))],
    "ServiceSpec": [
      1: ("ports", .repeated(.message("ServicePort"))), 2: ("selector", .map(.string)), 3: ("clusterIP", .string),
      4: ("type", .string), 5: ("externalIPs", .repeated(.string)), 7: ("sessionAffinity", .string),
      10: ("externalName", .string),
    ],
    "ServicePort": [
      1: ("name", .string), 2: ("protocol", .string), 3: ("port", .int), 4: ("targetPort", .intOrString),
      5: ("nodePort", .int),
    ],
  ]

  static let omitZeroInts: Set<String> = ["nodePort", "generation", "port"]

  struct Reader {
    let b: [UInt8]
    var i: Int
    let end: Int

    mutating func varint() throws -> UInt64 {
      var v: UInt64 = 0
      var shift: UInt64 = 0
      while i < end {
        let c = b[i]
        i += 1
        v |= UInt64(c & 0x7f) << shift
        if c < 0x80 { return v }
        shift += 7
        if shift > 63 { break }
      }
      throw APIErrors.badRequest("invalid protobuf body")
    }

    /// (field number, wire type, payload range or varint value)
    mutating func next() throws -> (Int, Int, UInt64, Range<Int>)? {
      guard i < end else { return nil }
      let key = try varint()
      let field = Int(key >> 3)
      let wire = Int(key & 7)
      switch wire {
      case 0: return (field, 0, try varint(), i..<i)
      case 1:
        guard i + 8 <= end else { throw APIErrors.badRequest("invalid protobuf body") }
        i += 8
        return (field, 1, 0, (i - 8)..<i)
      case 2:
        let n = Int(try varint())
        guard n >= 0, i + n <= end else { throw APIErrors.badRequest("invalid protobuf body") }
        i += n
        return (field, 2, 0, (i - n)..<i)
      case 5:
        guard i + 4 <= end else { throw APIErrors.badRequest("invalid protobuf body") }
        i += 4
        return (field, 5, 0, (i - 4)..<i)
      default: throw APIErrors.badRequest("invalid protobuf body")
      }
    }
  }

  static func decode(_ body: [UInt8]) throws -> JSONValue {
    guard body.count >= 4, Array(body[0..<4]) == [0x6b, 0x38, 0x73, 0x00] else {
      throw APIErrors.badRequest("provided protobuf data is not a Kubernetes object")
    }
    var r = Reader(b: body, i: 4, end: body.count)
    var apiVersion = ""
    var kind = ""
    var raw: Range<Int>?
    while let (f, _, _, range) = try r.next() {
      if f == 1 {
        var t = Reader(b: body, i: range.lowerBound, end: range.upperBound)
        while let (tf, _, _, tr) = try t.next() {
          let s = String(decoding: body[tr], as: UTF8.self)
          if tf == 1 { apiVersion = s } else if tf == 2 { kind = s }
        }
      } else if f == 2 {
        raw = range
      }
    }
    guard types[kind] != nil, let raw else {
      throw APIErrors.unsupportedMediaType(
        "application/vnd.kubernetes.protobuf", accepted: ["application/json", "application/yaml"])
    }
    var obj = try message(kind, body, raw)
    obj["apiVersion"] = .string(apiVersion)
    obj["kind"] = .string(kind)
    return obj
  }

  static func message(_ type: String, _ b: [UInt8], _ range: Range<Int>) throws -> JSONValue {
    guard let fields = types[type] else { return .object([:]) }
    var o: [String: JSONValue] = [:]
    var r = Reader(b: b, i: range.lowerBound, end: range.upperBound)
    while let (f, _, v, payload) = try r.next() {
      guard let (name, kind) = fields[f] else { continue }
      switch kind {
      case .repeated(let inner):
        var a = o[name]?.arrayValue ?? []
        a.append(try scalar(inner, b, v, payload))
        o[name] = .array(a)
      case .map(let valueKind):
        var m = o[name]?.objectValue ?? [:]
        var er = Reader(b: b, i: payload.lowerBound, end: payload.upperBound)
        var key = ""
        var value: JSONValue = valueKind.isString ? "" : .null
        while let (ef, _, ev, ep) = try er.next() {
          if ef == 1 {
            key = String(decoding: b[ep], as: UTF8.self)
          } else if ef == 2 {
            value = try scalar(valueKind, b, ev, ep)
          }
        }
        m[key] = value
        o[name] = .object(m)
      default:
        let value = try scalar(kind, b, v, payload)
        // Go's omitempty: gogo-proto writes zero values of non-pointer fields.
        if value == .string("") || (value == .int(0) && Self.omitZeroInts.contains(name)) { continue }
        o[name] = value
      }
    }
    return .object(o)
  }

  static func scalar(_ kind: Field, _ b: [UInt8], _ v: UInt64, _ payload: Range<Int>) throws -> JSONValue {
    switch kind {
    case .string: return .string(String(decoding: b[payload], as: UTF8.self))
    case .bytes: return .string(Data(b[payload]).base64EncodedString())
    case .bool: return .bool(v != 0)
    case .int: return .int(Int64(bitPattern: v))
    case .time:
      var r = Reader(b: b, i: payload.lowerBound, end: payload.upperBound)
      var secs: Int64 = 0
      while let (f, _, tv, _) = try r.next() { if f == 1 { secs = Int64(bitPattern: tv) } }
      return .string(Time(Date(timeIntervalSince1970: Double(secs))).description)
    case .intOrString:
      var r = Reader(b: b, i: payload.lowerBound, end: payload.upperBound)
      var type: UInt64 = 0
      var iv: Int64 = 0
      var sv = ""
      while let (f, _, fv, fp) = try r.next() {
        if f == 1 {
          type = fv
        } else if f == 2 {
          iv = Int64(Int32(truncatingIfNeeded: fv))
        } else if f == 3 {
          sv = String(decoding: b[fp], as: UTF8.self)
        }
      }
      return type == 1 ? .string(sv) : .int(iv)
    case .message(let t): return try message(t, b, payload)
    case .map, .repeated: return .null
    }
  }
}

extension ProtobufBody.Field {
  var isString: Bool { if case .string = self { true } else { false } }
}
