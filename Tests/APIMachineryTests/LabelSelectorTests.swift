import CRDModels
import Testing

@testable import APIMachinery

@Suite struct LabelSelectorTests {
  /// (selector, labels, matches) from labels/selector_test.go style tables.
  static let matching: [(String, [String: String], Bool)] = [
    ("", ["x": "y"], true),
    ("x=y", ["x": "y"], true),
    ("x=y", ["x": "z"], false),
    ("x==y", ["x": "y"], true),
    ("x!=y", ["x": "z"], true),
    ("x!=y", [:], true),
    ("x!=y", ["x": "y"], false),
    ("x in (y,z)", ["x": "z"], true),
    ("x in (y,z)", [:], false),
    ("x notin (y,z)", [:], true),
    ("x notin (y,z)", ["x": "y"], false),
    ("x", ["x": ""], true),
    ("x", ["y": "1"], false),
    ("!x", ["y": "1"], true),
    ("!x", ["x": "1"], false),
    ("x=y,a", ["x": "y", "a": "b"], true),
    ("x=y,a", ["x": "y"], false),
    ("x in (),y", ["x": "", "y": "1"], true),
    ("x=", ["x": ""], true),
    ("x>1", ["x": "2"], true),
    ("x>1", ["x": "1"], false),
    ("x<1", ["x": "0"], true),
    ("x>1", ["x": "abc"], false),
    ("x in (in)", ["x": "in"], true),
    ("app.kubernetes.io/name=gra", ["app.kubernetes.io/name": "gra"], true),
    ("  x = y ,  z  ", ["x": "y", "z": ""], true),
  ]

  @Test(arguments: matching)
  func parsesAndMatches(selector: String, labels: [String: String], expected: Bool) throws {
    #expect(try LabelSelectorMatcher.parse(selector).matches(labels) == expected, "\(selector)")
  }

  static let roundTrip: [(String, String)] = [
    ("x=y,a!=b", "a!=b,x=y"),
    ("e in (y,x)", "e in (x,y)"),
    ("!h,g", "g,!h"),
    ("x in (,a)", "x in (,a)"),
    ("k>3", "k>3"),
  ]

  @Test(arguments: roundTrip)
  func stringFormIsSortedByKey(input: String, output: String) throws {
    #expect(try LabelSelectorMatcher.parse(input).description == output)
  }

  /// Messages of labels.Parse for malformed selectors.
  static let errors: [(String, String)] = [
    ("x=a,", "found '', expected: identifier after ','"),
    ("x in y", "unable to parse requirement: found 'y' expected: '('"),
    ("x in (y", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"),
    ("x=y=z", "found '=', expected: ',' or 'end of string'"),
    ("=x", "found '=', expected: !, identifier, or 'end of string'"),
    ("x (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
    (
      "x>a",
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"
    ),
    ("x=a b", "found 'b', expected: ',' or 'end of string'"),
    (
      "x=a@b",
      "unable to parse requirement: values[0][x]: Invalid value: \"a@b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    ),
    (
      "-x=1",
      "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    ),
    (
      "Ex.com/x=1",
      "unable to parse requirement: <nil>: Invalid value: \"Ex.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ),
  ]

  @Test(arguments: errors)
  func rejectsWithKubeMessages(selector: String, message: String) {
    #expect(throws: LabelSelectorError(message)) { try LabelSelectorMatcher.parse(selector) }
  }

  @Test func parseErrorIsA400() {
    let error = #expect(throws: LabelSelectorError.self) { try LabelSelectorMatcher.parse("x in y") }
    #expect(error?.status.code == 400)
    #expect(error?.status.reason == "BadRequest")
  }

  @Test func structuredSelector() throws {
    let s = try LabelSelectorMatcher(
      json: json(
        #"{"matchLabels":{"app":"gra"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"gone","operator":"DoesNotExist"}]}"#
      ))
    #expect(s.matches(["app": "gra", "tier": "b"]))
    #expect(!s.matches(["app": "gra", "tier": "c"]))
    #expect(!s.matches(["app": "gra", "tier": "a", "gone": "x"]))
    #expect(s.description == "app=gra,!gone,tier in (a,b)")
  }

  @Test func nilSelectorMatchesNothingEmptyMatchesEverything() throws {
    #expect(try !LabelSelectorMatcher(json: .null).matches([:]))
    #expect(try LabelSelectorMatcher(json: json("{}")).matches(["a": "b"]))
  }

  @Test func structuredSelectorErrors() {
    #expect(throws: LabelSelectorError(#""Foo" is not a valid label selector operator"#)) {
      try LabelSelectorMatcher(json: json(#"{"matchExpressions":[{"key":"a","operator":"Foo"}]}"#))
    }
    #expect(
      throws: LabelSelectorError(
        #"values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"#)
    ) {
      try LabelSelectorMatcher(json: json(#"{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}"#))
    }
  }

  @Test func matchesObjectLabels() throws {
    let pod = json(#"{"metadata":{"name":"p","labels":{"app":"gra"}}}"#)
    #expect(try LabelSelectorMatcher.parse("app=gra").matches(object: pod))
    #expect(try !LabelSelectorMatcher.parse("app=other").matches(object: pod))
  }

  @Test func requiredValue() throws {
    #expect(try LabelSelectorMatcher.parse("a=b,c in (d)").requiredValue(for: "c") == "d")
    #expect(try LabelSelectorMatcher.parse("a!=b").requiredValue(for: "a") == nil)
  }
}

@Suite struct FieldSelectorTests {
  @Test func parsesTermsAndReportsFields() throws {
    let s = try FieldSelector.parse("metadata.name=x,metadata.namespace!=y")
    #expect(s.fields == ["metadata.name", "metadata.namespace"])
    #expect(s.matches(["metadata.name": "x", "metadata.namespace": "z"]))
    #expect(!s.matches(["metadata.name": "x", "metadata.namespace": "y"]))
    #expect(s.requiredValue(for: "metadata.name") == "x")
  }

  @Test func doubleEqualsAndMissingFieldsReadAsEmpty() throws {
    let s = try FieldSelector.parse("spec.nodeName==")
    #expect(s.matches { _ in nil })
    #expect(!s.matches(["spec.nodeName": "n1"]))
  }

  @Test func escapedValues() throws {
    let s = try FieldSelector.parse(#"metadata.name=a\,b\=c"#)
    #expect(s.terms == [.init(field: "metadata.name", op: .equals, value: "a,b=c")])
    #expect(s.description == #"metadata.name=a\,b\=c"#)
  }

  @Test func emptyIsEverything() throws {
    #expect(try FieldSelector.parse("").isEmpty)
    #expect(try FieldSelector.parse("").matches([:]))
  }

  static let errors: [(String, String)] = [
    ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    (#"a=b\c"#, #"invalid field selector: invalid escape sequence: \c"#),
    ("a=b=c", "invalid field selector: unescaped character in value: ="),
    (#"a=b\"#, #"invalid field selector: invalid escape sequence: \"#),
  ]

  @Test(arguments: errors)
  func rejectsWithKubeMessages(selector: String, message: String) {
    #expect(throws: FieldSelectorError(message)) { try FieldSelector.parse(selector) }
  }

  @Test func unsupportedFieldMessages() {
    #expect(
      FieldSelector.unsupportedFieldMessage("spec.x")
        == #""spec.x" is not a known field selector: only "metadata.name", "metadata.namespace""#)
    #expect(FieldSelector.fieldLabelNotSupportedMessage("spec.x") == "field label not supported: spec.x")
  }
}

@Suite struct TypedLabelSelectorTests {
  @Test func fromCRDModelsLabelSelector() throws {
    let typed = CRDModels.LabelSelector(
      matchLabels: ["app": "gra"],
      matchExpressions: [LabelSelectorRequirement(key: "tier", operator: "NotIn", values: ["x"])])
    let m = try LabelSelectorMatcher(typed)
    #expect(m.matches(["app": "gra", "tier": "y"]))
    #expect(!m.matches(["app": "gra", "tier": "x"]))
    #expect(try !LabelSelectorMatcher(nil as CRDModels.LabelSelector?).matches([:]))
  }
}
