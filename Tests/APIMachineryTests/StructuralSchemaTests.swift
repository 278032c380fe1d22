import CRDModels
import Testing

@testable import APIMachinery

@Suite struct StructuralSchemaTests {
  static let runnerSchemaJSON = #"""
    {"type":"object","properties":{
      "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
      "spec":{"type":"object","required":["image"],"properties":{
        "image":{"type":"string","minLength":1,"maxLength":20},
        "replicas":{"type":"integer","format":"int32","minimum":1,"maximum":5,"default":1},
        "policy":{"type":"string","enum":["Always","IfNotPresent"],"default":"IfNotPresent"},
        "name":{"type":"string","pattern":"^[a-z]+$"},
        "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
        "started":{"type":"string","format":"date-time"},
        "tags":{"type":"array","maxItems":2,"minItems":1,"items":{"type":"string"}},
        "workspace":{"type":"object","default":{},"properties":{
          "size":{"type":"string","default":"10Gi"},
          "mountPath":{"type":"string","default":"/workspace"}}},
        "env":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string","default":"x"}}}},
        "labels":{"type":"object","additionalProperties":{"type":"string"}},
        "note":{"type":"string","nullable":true},
        "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"object","properties":{"a":{"type":"string"}}}}},
        "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}
      }},
      "status":{"type":"object","properties":{"phase":{"type":"string"}}}
    }}
    """#
  let schema = StructuralSchema(json: json(runnerSchemaJSON))

  // MARK: pruning

  @Test func prunesUnknownFieldsAndReportsTheirPaths() {
    let obj = json(
      #"{"apiVersion":"gra.dev/v1alpha1","kind":"Runner","metadata":{"name":"r","bogus":1},"spec":{"image":"i","foo":1,"env":[{"name":"a","zzz":2}]},"top":true}"#
    )
    let r = schema.prune(obj)
    #expect(
      r.object
        == json(
          #"{"apiVersion":"gra.dev/v1alpha1","kind":"Runner","metadata":{"name":"r"},"spec":{"image":"i","env":[{"name":"a"}]}}"#
        ))
    #expect(r.unknownFields == ["metadata.bogus", "spec.env[0].zzz", "spec.foo", "top"])
  }

  @Test func preserveUnknownFieldsKeepsUndeclaredButPrunesDeclared() {
    let obj = json(#"{"spec":{"image":"i","extra":{"anything":{"deep":1},"known":{"a":"x","b":"y"}}}}"#)
    let r = schema.prune(obj)
    #expect(r.object == json(#"{"spec":{"image":"i","extra":{"anything":{"deep":1},"known":{"a":"x"}}}}"#))
    #expect(r.unknownFields == ["spec.extra.known.b"])
  }

  @Test func embeddedResourceKeepsTypeMetaAndCoercesMetadata() {
    let obj = json(
      #"{"spec":{"image":"i","template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","oops":1},"spec":{"containers":[]}}}}"#
    )
    let r = schema.prune(obj)
    #expect(
      r.object
        == json(
          #"{"spec":{"image":"i","template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}}}"#
        ))
    #expect(r.unknownFields == ["spec.template.metadata.oops"])
  }

  // MARK: defaulting

  @Test func appliesDefaultsRecursivelyIncludingInsideDefaultedObjects() {
    let r = schema.normalize(json(#"{"spec":{"image":"i","env":[{"name":"a"}]}}"#))
    #expect(
      r.object
        == json(
          #"{"spec":{"image":"i","replicas":1,"policy":"IfNotPresent","workspace":{"size":"10Gi","mountPath":"/workspace"},"env":[{"name":"a","value":"x"}]}}"#
        ))
  }

  @Test func doesNotOverrideGivenValues() {
    let r = schema.normalize(json(#"{"spec":{"image":"i","replicas":3,"workspace":{"size":"1Gi"}}}"#))
    #expect(r.object["spec"]["replicas"] == 3)
    #expect(r.object["spec"]["workspace"] == json(#"{"size":"1Gi","mountPath":"/workspace"}"#))
  }

  @Test func nonNullableNullIsDefaultedOrDroppedNullableNullIsKept() {
    let r = schema.normalize(json(#"{"spec":{"image":"i","replicas":null,"name":null,"note":null}}"#))
    #expect(r.object["spec"]["replicas"] == 1)
    #expect(r.object["spec"].objectValue?["name"] == nil)
    #expect(r.object["spec"].objectValue?["note"] == .null)
  }

  // MARK: validation

  func messages(_ obj: String) -> [String] {
    schema.validate(schema.normalize(json(obj)).object).map(\.description)
  }

  @Test func validObjectHasNoErrors() {
    #expect(messages(#"{"spec":{"image":"i","port":8080,"started":"2024-01-02T03:04:05Z","tags":["a"]}}"#) == [])
    #expect(messages(#"{"spec":{"image":"i","port":"http"}}"#) == [])
  }

  static let invalid: [(String, String, String)] = [
    (
      #"{"spec":{"image":"i","replicas":"two"}}"#,
      #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
      "FieldValueTypeInvalid"
    ),
    (#"{"spec":{}}"#, "spec.image: Required value", "FieldValueRequired"),
    (
      #"{"spec":{"image":"i","policy":"Never"}}"#,
      #"spec.policy: Unsupported value: "Never": supported values: "Always", "IfNotPresent""#, "FieldValueNotSupported"
    ),
    (
      #"{"spec":{"image":"i","replicas":0}}"#,
      "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1", "FieldValueInvalid"
    ),
    (
      #"{"spec":{"image":"i","replicas":9}}"#,
      "spec.replicas: Invalid value: 9: spec.replicas in body should be less than or equal to 5", "FieldValueInvalid"
    ),
    (
      #"{"spec":{"image":""}}"#,
      #"spec.image: Invalid value: "": spec.image in body should be at least 1 chars long"#, "FieldValueInvalid"
    ),
    (
      #"{"spec":{"image":"aaaaaaaaaaaaaaaaaaaaaaaaa"}}"#, "spec.image: Too long: may not be more than 20 bytes",
      "FieldValueTooLong"
    ),
    (
      #"{"spec":{"image":"i","name":"ABC"}}"#,
      #"spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$'"#, "FieldValueInvalid"
    ),
    (
      #"{"spec":{"image":"i","tags":["a","b","c"]}}"#, "spec.tags: Too many: 3: must have at most 2 items",
      "FieldValueTooMany"
    ),
    (
      #"{"spec":{"image":"i","tags":[]}}"#,
      "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items", "FieldValueInvalid"
    ),
    (
      #"{"spec":{"image":"i","tags":[1]}}"#,
      #"spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer""#,
      "FieldValueTypeInvalid"
    ),
    (
      #"{"spec":{"image":"i","started":"yesterday"}}"#,
      #"spec.started: Invalid value: "yesterday": spec.started in body must be of type date-time: "yesterday""#,
      "FieldValueTypeInvalid"
    ),
    (
      #"{"spec":{"image":"i","labels":{"a":1}}}"#,
      #"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#,
      "FieldValueTypeInvalid"
    ),
    (
      #"{"spec":{"image":"i","workspace":"big"}}"#,
      #"spec.workspace: Invalid value: "string": spec.workspace in body must be of type object: "string""#,
      "FieldValueTypeInvalid"
    ),
  ]

  @Test(arguments: invalid)
  func reportsTheAPIServerMessage(object: String, message: String, reason: String) {
    let errs = schema.validate(schema.normalize(json(object)).object)
    #expect(errs.map(\.description) == [message])
    #expect(errs.first?.cause.reason == reason)
  }

  @Test func intOrStringFailureReportsAnyOfAndClosestBranch() {
    #expect(
      messages(#"{"spec":{"image":"i","port":true}}"#) == [
        #"<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)"#,
        #"spec.port: Invalid value: "boolean": spec.port in body must be of type integer: "boolean""#,
      ])
  }

  @Test func nullForNonNullableWithoutDefaultIsDroppedBeforeValidation() {
    #expect(messages(#"{"spec":{"image":"i","name":null}}"#) == [])
    let errs = schema.validate(json(#"{"spec":{"image":"i","name":null}}"#))
    #expect(
      errs.map(\.description) == [
        #"spec.name: Invalid value: "null": spec.name in body must be of type string: "null""#
      ])
  }

  @Test func int32IsNotRangeChecked() {
    #expect(messages(#"{"spec":{"image":"i","replicas":3.0}}"#) == [])
  }

  @Test func invalidStatusHasKubesShape() throws {
    let errs = schema.validate(schema.normalize(json(#"{"spec":{"replicas":"x"}}"#)).object)
    let status = Status.invalid(group: "gra.dev", kind: "Runner", name: "r1", errors: errs)
    #expect(status.code == 422)
    #expect(status.reason == "Invalid")
    #expect(
      status.message
        == #"Runner.gra.dev "r1" is invalid: [spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", spec.image: Required value]"#
    )
    let causes = try #require(status.details?.causes)
    #expect(causes.map(\.reason) == ["FieldValueTypeInvalid", "FieldValueRequired"])
    #expect(causes.map(\.field) == ["spec.replicas", "spec.image"])
    #expect(causes[1].message == "Required value")
    #expect(status.details?.kind == "Runner")
    #expect(status.details?.group == "gra.dev")
    #expect(status.details?.name == "r1")
  }

  @Test func singleErrorMessageHasNoBrackets() {
    let status = Status.invalid(group: "", kind: "ConfigMap", name: "c", errors: [.required("data")])
    #expect(status.message == #"ConfigMap "c" is invalid: data: Required value"#)
  }
}

@Suite struct StructuralSchemaCheckTests {
  let base = "spec.versions[0].schema.openAPIV3Schema"

  func errors(_ schema: String) -> [String] {
    StructuralSchema.structuralErrors(of: json(schema), at: base).map(\.description)
  }

  @Test func acceptsAStructuralSchema() {
    #expect(StructuralSchemaTests().schema.json.objectValue != nil)
    #expect(errors(StructuralSchemaTests.runnerSchemaJSON) == [])
  }

  static let cases: [(String, String)] = [
    (
      #"{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"
    ),
    (
      #"{"properties":{}}"#,
      "spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root"
    ),
    (
      #"{"type":"string"}"#,
      #"spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root"#
    ),
    (
      #"{"type":"object","properties":{"l":{"type":"array"}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[l].items: Required value: must be specified"
    ),
    (
      #"{"type":"object","properties":{"l":{"type":"array","items":{}}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[l].items.type: Required value: must not be empty for specified array items"
    ),
    (
      #"{"type":"object","properties":{"m":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
    ),
    (
      #"{"type":"object","properties":{"p":{"type":"string","anyOf":[{"type":"string"}]}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[p].anyOf[0].type: Forbidden: must be empty to be structural"
    ),
    (
      #"{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}"#,
      "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"
    ),
  ]

  @Test(arguments: cases)
  func rejectsNonStructuralSchemas(schema: String, message: String) {
    #expect(errors(schema) == [message])
  }

  @Test func metadataMayConstrainNameOnly() {
    #expect(
      errors(
        #"{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10}}}}}"#
      ) == [])
  }

  @Test func intOrStringPatternIsStructural() {
    #expect(
      errors(
        #"{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}}}"#
      ) == [])
  }
}

@Suite struct StrictDecodingTests {
  @Test func strictStatusListsEveryUnknownField() throws {
    let status = try #require(
      StrictDecoding.strictStatus(kind: "Runner", version: "v1alpha1", unknownFields: ["spec.a", "spec.b"]))
    #expect(status.code == 400)
    #expect(status.reason == "BadRequest")
    #expect(
      status.message
        == #"Runner in version "v1alpha1" cannot be handled as a Runner: strict decoding error: unknown field "spec.a", unknown field "spec.b""#
    )
    #expect(StrictDecoding.strictStatus(kind: "Runner", version: "v1alpha1", unknownFields: []) == nil)
  }
}

@Suite struct ListTypeValidationTests {
  let schema = StructuralSchema(
    json: json(
      #"{"type":"object","properties":{"status":{"type":"object","properties":{"#
        + #""conditions":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["type"],"items":{"type":"object","properties":{"type":{"type":"string"},"status":{"type":"string"}}}},"#
        + #""tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}}}}"#))

  @Test func duplicateMapKeysAndSetValues() {
    let obj = json(
      #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Ready","status":"False"}],"tags":["a","b","a"]}}"#
    )
    let errs = schema.validate(obj)
    #expect(
      errs.map(\.description) == [
        #"status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}"#,
        #"status.tags[2]: Duplicate value: "a""#,
      ])
    #expect(errs.map(\.cause.reason) == ["FieldValueDuplicate", "FieldValueDuplicate"])
  }

  @Test func uniqueListsPass() {
    #expect(
      schema.validate(json(#"{"status":{"conditions":[{"type":"Ready"},{"type":"Idle"}],"tags":["a","b"]}}"#)) == [])
  }
}
