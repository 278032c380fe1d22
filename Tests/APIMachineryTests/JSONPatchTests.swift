import CRDModels
import Testing

@testable import APIMachinery

@Suite struct JSONPatchTests {
  func apply(_ patch: String, _ doc: String) throws -> JSONValue {
    try JSONPatch(json: json(patch)).apply(to: json(doc))
  }

  /// RFC 6902 Appendix A examples that succeed.
  static let rfcSuccesses: [(String, String, String, String)] = [
    (
      "A.1 add object member", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#,
      #"{"baz":"qux","foo":"bar"}"#
    ),
    (
      "A.2 add array element", #"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
      #"{"foo":["bar","qux","baz"]}"#
    ),
    ("A.3 remove member", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
    (
      "A.4 remove element", #"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#,
      #"{"foo":["bar","baz"]}"#
    ),
    (
      "A.5 replace", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#,
      #"{"baz":"boo","foo":"bar"}"#
    ),
    (
      "A.6 move member", #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
      #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
      #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
    ),
    (
      "A.7 move element", #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
      #"{"foo":["all","cows","eat","grass"]}"#
    ),
    (
      "A.8 test success", #"{"baz":"qux","foo":["a",2,"c"]}"#,
      #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
      #"{"baz":"qux","foo":["a",2,"c"]}"#
    ),
    (
      "A.10 add nested member", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
      #"{"foo":"bar","child":{"grandchild":{}}}"#
    ),
    (
      "A.11 ignore unrecognised members", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#,
      #"{"foo":"bar","baz":"qux"}"#
    ),
    ("A.14 ~ escapes", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
    (
      "A.16 add array value", #"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
      #"{"foo":["bar",["abc","def"]]}"#
    ),
    (
      "~1 in label key", #"{"metadata":{"labels":{}}}"#,
      #"[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}]"#,
      #"{"metadata":{"labels":{"app.kubernetes.io/name":"x"}}}"#
    ),
    (
      "finalizer append with -", #"{"metadata":{"finalizers":["a"]}}"#,
      #"[{"op":"test","path":"/metadata/finalizers","value":["a"]},{"op":"add","path":"/metadata/finalizers/-","value":"b"}]"#,
      #"{"metadata":{"finalizers":["a","b"]}}"#
    ),
    (
      "finalizer removal guarded by test", #"{"metadata":{"finalizers":["a","b"]}}"#,
      #"[{"op":"test","path":"/metadata/finalizers/1","value":"b"},{"op":"remove","path":"/metadata/finalizers/1"}]"#,
      #"{"metadata":{"finalizers":["a"]}}"#
    ),
    ("copy", #"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#, #"{"a":{"b":1},"c":{"b":1}}"#),
    ("kube quirk: negative index", #"{"a":[1,2,3]}"#, #"[{"op":"remove","path":"/a/-1"}]"#, #"{"a":[1,2]}"#),
    (
      "kube quirk: replace of missing member adds it", #"{"a":{}}"#, #"[{"op":"replace","path":"/a/b","value":1}]"#,
      #"{"a":{"b":1}}"#
    ),
    (
      "kube quirk: test null against missing member", #"{"a":{}}"#, #"[{"op":"test","path":"/a/b","value":null}]"#,
      #"{"a":{}}"#
    ),
    ("replace root", #"{"a":1}"#, #"[{"op":"replace","path":"","value":{"b":2}}]"#, #"{"b":2}"#),
  ]

  @Test(arguments: rfcSuccesses)
  func appliesRFCExamples(name: String, doc: String, patch: String, result: String) throws {
    #expect(try apply(patch, doc) == json(result), "\(name)")
  }

  /// RFC 6902 Appendix A failures and kube-specific failures, with the error the server maps to 422.
  static let failures: [(String, String, String, JSONPatchError.Kind, String)] = [
    (
      "A.9 test failure", #"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#, .testFailed,
      "testing value /baz failed: test failed"
    ),
    (
      "A.12 add to nonexistent target", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
      .missingPath,
      #"add operation does not apply: doc is missing path: "/baz/bat": missing value"#
    ),
    (
      "A.15 string vs number", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#, .testFailed,
      "testing value /~01 failed: test failed"
    ),
    (
      "remove missing member", #"{"a":{}}"#, #"[{"op":"remove","path":"/a/b"}]"#, .missingPath,
      "error in remove for path: '/a/b': Unable to remove nonexistent key: b: missing value"
    ),
    (
      "add past end", #"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":2}]"#, .invalidIndex,
      "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"
    ),
    (
      "replace out of range", #"{"a":[1]}"#, #"[{"op":"replace","path":"/a/3","value":2}]"#, .invalidIndex,
      "replace operation does not apply: doc is missing key: /a/3: missing value"
    ),
    ("unknown op", #"{}"#, #"[{"op":"frob","path":"/a"}]"#, .invalidOperation, "Unexpected kind: frob"),
    (
      "test of finalizer that moved", #"{"metadata":{"finalizers":["b"]}}"#,
      #"[{"op":"test","path":"/metadata/finalizers/0","value":"a"}]"#,
      .testFailed, "testing value /metadata/finalizers/0 failed: test failed"
    ),
    (
      "int vs double differ", #"{"a":1}"#, #"[{"op":"test","path":"/a","value":1.5}]"#, .testFailed,
      "testing value /a failed: test failed"
    ),
  ]

  @Test(arguments: failures)
  func failsLikeTheAPIServer(name: String, doc: String, patch: String, kind: JSONPatchError.Kind, message: String) {
    #expect(throws: JSONPatchError(kind, message), "\(name)") { try apply(patch, doc) }
  }

  @Test func failedOperationIsA422WithTheGenericMessage() throws {
    let error = #expect(throws: JSONPatchError.self) {
      try apply(#"[{"op":"test","path":"/a","value":2}]"#, #"{"a":1}"#)
    }
    let status = try #require(error?.status)
    #expect(status.code == 422)
    #expect(status.reason == "Invalid")
    #expect(status.message == "the server rejected our request due to an error in our request")
    #expect(status.details?.causes == nil)
  }

  @Test func patchDocumentMustBeAnArray() {
    let error = #expect(throws: JSONPatchError.self) { try JSONPatch(json: json(#"{"op":"add"}"#)) }
    #expect(error?.code == 400)
    #expect(error?.status.reason == "BadRequest")
    #expect(error?.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
  }

  @Test func tooManyOperationsIs413() {
    let ops = JSONValue.array(Array(repeating: json(#"{"op":"test","path":"/a","value":1}"#), count: 10_001))
    let error = #expect(throws: JSONPatchError.self) { try JSONPatch(json: ops) }
    #expect(error?.code == 413)
  }

  @Test func failureLeavesNoPartialResult() throws {
    let patch = try JSONPatch(json: json(#"[{"op":"add","path":"/b","value":1},{"op":"test","path":"/a","value":9}]"#))
    #expect(throws: JSONPatchError.self) { try patch.apply(to: json(#"{"a":1}"#)) }
  }

  @Test func pointerEscapesRoundTrip() {
    let p = JSONPointer("/a~1b/c~0d/")
    #expect(p?.tokens == ["a/b", "c~d", ""])
    #expect(p?.description == "/a~1b/c~0d/")
    #expect(JSONPointer("no-slash") == nil)
    #expect(JSONPointer("")?.tokens == [])
  }

  @Test func addAtRootIsRejectedAsOnTheServer() {
    #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"add","path":"","value":{}}]"#, "{}") }
  }
}
