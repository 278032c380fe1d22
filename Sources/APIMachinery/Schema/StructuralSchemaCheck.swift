import CRDModels

extension StructuralSchema {
  /// The API server's structural-schema check for a CRD version's `openAPIV3Schema`
  /// (`apiextensions-apiserver/pkg/apiserver/schema.ValidateStructural` and the
  /// `additionalProperties` rule of CRD validation). `path` is where the schema sits in the CRD,
  /// e.g. `spec.versions[0].schema.openAPIV3Schema`. An empty result means the schema is
  /// accepted; otherwise the server answers 422 for the CRD
  /// (`Status.invalid(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", …)`).
  ///
  /// Checked: a `type` on every node (root: `must not be empty at the root`; properties:
  /// `must not be empty for specified object fields`; items: `must not be empty for specified
  /// array items`) except int-or-string and embedded-resource nodes; `object` at the root;
  /// `items` on arrays; `additionalProperties` together with `properties`; structural keywords
  /// (`type`, `additionalProperties`, `default`, `nullable`, `description`, `title`,
  /// `x-kubernetes-*`) inside `allOf`/`anyOf`/`oneOf`/`not`, except the
  /// int-or-string `anyOf: [{type: integer}, {type: string}]` pattern;
  /// `x-kubernetes-preserve-unknown-fields: false`; embedded resources; and the root `metadata`
  /// schema, which may only constrain `name` and `generateName`.
  public static func structuralErrors(of schema: JSONValue, at path: String) -> [KubeFieldError] {
    var errs: [KubeFieldError] = []
    StructuralCheck.check(schema, level: .root, path: path, errs: &errs)
    return errs
  }
}

enum StructuralCheck {
  enum Level { case root, item, field }

  static func key(_ path: String, _ child: String, _ k: String) -> String { "\(path).\(child)[\(k)]" }

  static func isIntOrStringAnyOf(_ o: [String: JSONValue]) -> Bool {
    guard let any = o["anyOf"]?.arrayValue, any.count == 2 else { return false }
    return any[0]["type"].stringValue == "integer" && any[1]["type"].stringValue == "string"
  }

  static func check(_ schema: JSONValue, level: Level, path: String, errs: inout [KubeFieldError]) {
    guard let o = schema.objectValue else { return }
    let type = o["type"]?.stringValue ?? ""
    let embedded = o["x-kubernetes-embedded-resource"]?.boolValue ?? false
    let intOrString = o["x-kubernetes-int-or-string"]?.boolValue ?? false
    let preserve = o["x-kubernetes-preserve-unknown-fields"]

    if type == "array" && o["items"] == nil {
      errs.append(.required(path + ".items", "must be specified"))
    }
    if let items = o["items"] {
      check(items, level: .item, path: path + ".items", errs: &errs)
    }
    for k in (o["properties"]?.objectValue ?? [:]).keys.sorted() {
      check(o["properties"]![k], level: .field, path: key(path, "properties", k), errs: &errs)
    }
    if let ap = o["additionalProperties"] {
      if o["properties"]?.objectValue?.isEmpty == false {
        errs.append(
          .forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"))
      }
      if ap.objectValue != nil {
        check(ap, level: .field, path: path + ".additionalProperties", errs: &errs)
      }
    }
    if preserve == .bool(false) {
      errs.append(.invalid(path + ".x-kubernetes-preserve-unknown-fields", .bool(false), "must be true or undefined"))
    }
    if intOrString, !type.isEmpty {
      errs.append(.invalid(path + ".type", .string(type), "must be empty if x-kubernetes-int-or-string is true"))
    }

    let skipAnyOf = intOrString && isIntOrStringAnyOf(o)
    for combinator in ["allOf", "anyOf", "oneOf"] {
      guard let branches = o[combinator]?.arrayValue else { continue }
      if combinator == "anyOf" && skipAnyOf { continue }
      for (i, b) in branches.enumerated() {
        checkValueValidation(b, path: "\(path).\(combinator)[\(i)]", errs: &errs)
      }
    }
    if let not = o["not"] { checkValueValidation(not, path: path + ".not", errs: &errs) }

    if embedded && type != "object" {
      if type.isEmpty {
        errs.append(.required(path + ".type", "must be object if x-kubernetes-embedded-resource is true"))
      } else {
        errs.append(.invalid(path + ".type", .string(type), "must be object if x-kubernetes-embedded-resource is true"))
      }
    } else if type.isEmpty && !embedded && !intOrString {
      switch level {
      case .root: errs.append(.required(path + ".type", "must not be empty at the root"))
      case .item: errs.append(.required(path + ".type", "must not be empty for specified array items"))
      case .field: errs.append(.required(path + ".type", "must not be empty for specified object fields"))
      }
    }
    if level == .root && !type.isEmpty && type != "object" {
      errs.append(.invalid(path + ".type", .string(type), "must be object at the root"))
    }

    let checkMetadata = level == .root || embedded
    let props = o["properties"]?.objectValue ?? [:]
    if checkMetadata {
      if let kind = props["kind"], kind["type"].stringValue != "string" {
        errs.append(
          .invalid(key(path, "properties", "kind") + ".type", .string(kind["type"].stringValue ?? ""), "must be string")
        )
      }
      if let av = props["apiVersion"], av["type"].stringValue != "string" {
        errs.append(
          .invalid(
            key(path, "properties", "apiVersion") + ".type", .string(av["type"].stringValue ?? ""), "must be string"))
      }
      if let md = props["metadata"], md["type"].stringValue != "object" {
        errs.append(
          .invalid(
            key(path, "properties", "metadata") + ".type", .string(md["type"].stringValue ?? ""), "must be object"))
      }
    }
    if level == .root, let md = props["metadata"]?.objectValue {
      var rest = md
      rest.removeValue(forKey: "type")
      rest.removeValue(forKey: "default")
      if var mprops = rest["properties"]?.objectValue {
        mprops.removeValue(forKey: "name")
        mprops.removeValue(forKey: "generateName")
        if mprops.isEmpty { rest.removeValue(forKey: "properties") }
      }
      if !rest.isEmpty {
        errs.append(
          .forbidden(
            key(path, "properties", "metadata"),
            "must not specify anything other than name and generateName, but metadata is implicitly specified"))
      }
    }
    if embedded && preserve != .bool(true) && props.isEmpty {
      errs.append(
        .required(
          path + ".properties",
          "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
    }
  }

  /// Inside `allOf`/`anyOf`/`oneOf`/`not` (kube's `NestedValueValidation`) only value
  /// validations may appear; `properties` and `items` may nest further value validations.
  static func checkValueValidation(_ schema: JSONValue, path: String, errs: inout [KubeFieldError]) {
    guard let o = schema.objectValue else { return }
    for combinator in ["allOf", "anyOf", "oneOf"] {
      for (i, b) in (o[combinator]?.arrayValue ?? []).enumerated() {
        checkValueValidation(b, path: "\(path).\(combinator)[\(i)]", errs: &errs)
      }
    }
    if let not = o["not"] { checkValueValidation(not, path: path + ".not", errs: &errs) }
    if let items = o["items"] { checkValueValidation(items, path: path + ".items", errs: &errs) }
    for k in (o["properties"]?.objectValue ?? [:]).keys.sorted() {
      checkValueValidation(o["properties"]![k], path: key(path, "properties", k), errs: &errs)
    }
    let rules: [(String, String)] = [
      ("type", "must be empty to be structural"),
      ("additionalProperties", "must be undefined to be structural"),
      ("default", "must be undefined to be structural"),
      ("title", "must be empty to be structural"),
      ("description", "must be empty to be structural"),
      ("nullable", "must be false to be structural"),
      ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
      ("x-kubernetes-embedded-resource", "must be false to be structural"),
      ("x-kubernetes-int-or-string", "must be false to be structural"),
    ]
    for (k, message) in rules where o[k] != nil && o[k] != .bool(false) {
      errs.append(.forbidden(path + "." + k, message))
    }
  }
}
