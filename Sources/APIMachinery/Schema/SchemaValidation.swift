import CRDModels
import Foundation

extension StructuralSchema {
  /// Validates a (pruned, defaulted) custom resource against the schema, returning the field
  /// errors the API server returns, with its paths and messages.
  ///
  /// The API server validates with kube-openapi and turns its results into `field.Error`s
  /// (`apiextensions-apiserver/pkg/apiserver/validation.kubeOpenAPIResultToFieldErrors`):
  /// - wrong type → `FieldValueTypeInvalid`:
  ///   `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`
  ///   (the value shown is the JSON type found; `null` reads `"null"` unless `nullable`);
  /// - bad `format` → `FieldValueTypeInvalid`: `spec.t in body must be of type date-time: "x"`;
  /// - missing `required` member → `FieldValueRequired`: `spec.image: Required value`;
  /// - `enum` → `FieldValueNotSupported`: `Unsupported value: "x": supported values: "a", "b"`;
  /// - `maxLength` → `FieldValueTooLong`: `Too long: may not be more than 5 bytes`;
  /// - `maxItems` → `FieldValueTooMany`: `Too many: 4: must have at most 3 items`;
  /// - `minimum`, `maximum` (and exclusive), `multipleOf`, `minLength`, `pattern`, `minItems`,
  ///   `uniqueItems` → `FieldValueInvalid` with kube-openapi's sentence
  ///   (`spec.replicas in body should be greater than or equal to 1`);
  /// - failed `anyOf`/`oneOf`/`allOf`/`not` → `FieldValueInvalid` at path `<nil>` with value `""`
  ///   (`"spec.port" must validate at least one schema (anyOf)`), plus the errors of the closest
  ///   branch.
  /// - `x-kubernetes-list-type` `set`/`map` duplicates → `FieldValueDuplicate` (see
  ///   `validateListTypes`).
  /// kube-openapi walks properties in Go map order (random); here they are walked by name, so
  /// the order of errors is stable.
  public func validate(_ object: JSONValue) -> [KubeFieldError] {
    var errs: [KubeFieldError] = []
    SchemaValidator.validate(object, self, path: "", errs: &errs)
    return errs + validateListTypes(object)
  }
}

enum SchemaValidator {
  static func jsonType(_ v: JSONValue) -> String {
    switch v {
    case .null: "null"
    case .bool: "boolean"
    case .int: "integer"
    case .double: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }

  static func body(_ path: String) -> String { path + " in body" }

  static func validate(_ data: JSONValue, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    var typeValid = true
    if let t = s.type {
      typeValid = checkType(data, t, s, path: path, errs: &errs)
    }
    if data.isNull {
      checkEnum(data, s, path: path, errs: &errs)
      return
    }
    _ = typeValid
    checkComposition(data, s, path: path, errs: &errs)
    switch data {
    case .string(let str):
      if let max = s.maxLength, str.count > max {
        errs.append(.tooLong(path, maxLength: Int(max)))
      }
      if let min = s.minLength, str.count < min {
        errs.append(.invalid(path, .string(str), "\(body(path)) should be at least \(min) chars long"))
      }
      if let pattern = s.pattern, !matches(str, s.patternRegex, pattern) {
        errs.append(.invalid(path, .string(str), "\(body(path)) should match '\(pattern)'"))
      }
      if let format = s.format, StringFormats.isValid(format: format, str) == false {
        errs.append(.typeInvalid(path, .string(str), "\(body(path)) must be of type \(format): \(GoFormat.quote(str))"))
      }
    case .int, .double:
      checkNumber(data, s, path: path, errs: &errs)
    case .array(let a):
      if let items = s.items {
        for (i, v) in a.enumerated() {
          validate(v, items, path: "\(path)[\(i)]", errs: &errs)
        }
      }
      if let min = s.minItems, a.count < min {
        errs.append(.invalid(path, .int(Int64(a.count)), "\(body(path)) should have at least \(min) items"))
      }
      if let max = s.maxItems, a.count > max {
        errs.append(.tooMany(path, actual: a.count, max: Int(max)))
      }
      if s.uniqueItems, Set(a).count != a.count {
        errs.append(.invalid(path, .string(""), "\(body(path)) shouldn't contain duplicates"))
      }
    default:
      break
    }
    checkEnum(data, s, path: path, errs: &errs)
    if case .object(let o) = data {
      checkObject(o, s, path: path, errs: &errs)
    }
  }

  /// kube-openapi's type validator; false when the type does not match.
  static func checkType(
    _ data: JSONValue, _ t: String, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]
  )
    -> Bool
  {
    if data.isNull {
      if s.nullable || t == "null" { return true }
      errs.append(.typeInvalid(path, .string("null"), "\(body(path)) must be of type \(t): \"null\""))
      return false
    }
    let actual = jsonType(data)
    var ok = actual == t
    if t == "integer", case .double(let d) = data, d == d.rounded(), abs(d) < 9.0e15 { ok = true }
    if t == "number", case .int = data { ok = true }
    if !ok {
      errs.append(.typeInvalid(path, .string(actual), "\(body(path)) must be of type \(t): \(GoFormat.quote(actual))"))
    }
    return ok
  }

  static func numericValue(_ v: JSONValue) -> Double? {
    switch v {
    case .int(let i): Double(i)
    case .double(let d): d
    default: nil
    }
  }

  static func badValue(_ v: JSONValue) -> KubeFieldError.BadValue {
    switch v {
    case .int(let i): .int(i)
    case .double(let d): .double(d)
    default: KubeFieldError.BadValue(v)
    }
  }

  static func checkNumber(_ data: JSONValue, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    guard let x = numericValue(data) else { return }
    if let m = s.multipleOf, m > 0 {
      let q = x / m
      if q != q.rounded() {
        errs.append(.invalid(path, badValue(data), "\(body(path)) should be a multiple of \(GoFormat.float(m))"))
      }
    }
    if let max = s.maximum {
      if s.exclusiveMaximum ? x >= max : x > max {
        let verb = s.exclusiveMaximum ? "less than" : "less than or equal to"
        errs.append(.invalid(path, badValue(data), "\(body(path)) should be \(verb) \(GoFormat.float(max))"))
      }
    }
    if let min = s.minimum {
      if s.exclusiveMinimum ? x <= min : x < min {
        let verb = s.exclusiveMinimum ? "greater than" : "greater than or equal to"
        errs.append(.invalid(path, badValue(data), "\(body(path)) should be \(verb) \(GoFormat.float(min))"))
      }
    }
  }

  static func enumEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    if let x = numericValue(a), let y = numericValue(b) { return x == y }
    return a == b
  }

  static func checkEnum(_ data: JSONValue, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    guard let values = s.enumValues, !values.isEmpty else { return }
    if values.contains(where: { enumEqual($0, data) }) { return }
    let supported = values.map { v -> String in
      if case .string(let str) = v { return str }
      return (try? String(decoding: KubeJSON.encode(v), as: UTF8.self)) ?? "\(v)"
    }
    errs.append(.notSupported(path, KubeFieldError.BadValue(data), supported: supported))
  }

  static func composite(_ path: String, _ message: String) -> KubeFieldError {
    .invalid("", .string(""), GoFormat.quote(path) + " " + message)
  }

  static func checkComposition(_ data: JSONValue, _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    if !s.allOf.isEmpty {
      var valid = 0
      var inner: [KubeFieldError] = []
      for sub in s.allOf {
        var e: [KubeFieldError] = []
        validate(data, sub, path: path, errs: &e)
        if e.isEmpty { valid += 1 }
        inner += e
      }
      errs += inner
      if valid != s.allOf.count {
        errs.append(composite(path, "must validate all the schemas (allOf)" + (valid == 0 ? "Found none valid" : "")))
      }
    }
    if !s.anyOf.isEmpty {
      var best: [KubeFieldError]?
      var succeeded = false
      for sub in s.anyOf {
        var e: [KubeFieldError] = []
        validate(data, sub, path: path, errs: &e)
        if e.isEmpty {
          succeeded = true
          best = nil
          break
        }
        if best == nil { best = e }
      }
      if !succeeded {
        errs.append(composite(path, "must validate at least one schema (anyOf)"))
        errs += best ?? []
      }
    }
    if !s.oneOf.isEmpty {
      var valid = 0
      var best: [KubeFieldError]?
      for sub in s.oneOf {
        var e: [KubeFieldError] = []
        validate(data, sub, path: path, errs: &e)
        if e.isEmpty { valid += 1 } else if best == nil { best = e }
      }
      if valid != 1 {
        let extra = valid == 0 ? "Found none valid" : "Found \(valid) valid alternatives"
        errs.append(composite(path, "must validate one and only one schema (oneOf). " + extra))
        if valid == 0 { errs += best ?? [] }
      }
    }
    if let not = s.not {
      var e: [KubeFieldError] = []
      validate(data, not, path: path, errs: &e)
      if e.isEmpty { errs.append(composite(path, "must not validate the schema (not)")) }
    }
  }

  static func checkObject(_ o: [String: JSONValue], _ s: StructuralSchema, path: String, errs: inout [KubeFieldError]) {
    if let min = s.minProperties, o.count < min {
      errs.append(.invalid(path, .int(min), "\(body(path)) should have at least \(min) properties"))
      return
    }
    if let max = s.maxProperties, o.count > max {
      errs.append(.tooMany(path, actual: o.count, max: Int(max)))
      return
    }
    func child(_ k: String) -> String { path.isEmpty ? k : path + "." + k }
    if s.additionalPropertiesFalse {
      for k in o.keys.sorted() where s.properties[k] == nil {
        errs.append(.invalid(child(k), .string(k), "\(path).\(k) in body is a forbidden property"))
      }
    } else if let ap = s.additionalProperties {
      for k in o.keys.sorted() where s.properties[k] == nil {
        validate(o[k]!, ap, path: child(k), errs: &errs)
      }
    }
    for k in s.properties.keys.sorted() {
      if let v = o[k] { validate(v, s.properties[k]!, path: child(k), errs: &errs) }
    }
    for k in s.required where o[k] == nil {
      errs.append(.required(child(k)))
    }
  }

  static func matches(_ s: String, _ pattern: String) -> Bool {
    s.range(of: pattern, options: .regularExpression) != nil
  }

  /// `pattern` searched in `s` with the expression compiled when the schema was read.
  static func matches(_ s: String, _ compiled: NSRegularExpression?, _ pattern: String) -> Bool {
    guard let compiled else { return matches(s, pattern) }
    return compiled.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
  }
}
