import CRDModels
import Testing

@testable import APIMachinery

@Suite struct JSONMergePatchTests {
  /// RFC 7386 Appendix A, every row.
  static let rfcExamples: [(String, String, String)] = [
    (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
    (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
    (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
    (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
    (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
    (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
    (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
    (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
    (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
    (#"{"a":"foo"}"#, #"null"#, #"null"#),
    (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
    (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
    (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
    (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
  ]

  @Test(arguments: rfcExamples)
  func rfc7386AppendixA(original: String, patch: String, result: String) {
    #expect(JSONMergePatch.apply(json(patch), to: json(original)) == json(result))
  }

  @Test func listsAreReplacedWhole() {
    let pod = json(#"{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b"}]}}"#)
    let patched = JSONMergePatch.apply(json(#"{"spec":{"containers":[{"name":"a","image":"y"}]}}"#), to: pod)
    #expect(patched == json(#"{"spec":{"containers":[{"name":"a","image":"y"}]}}"#))
  }

  @Test func nullPatchBodyIsNotAcceptable() {
    #expect(!JSONMergePatch.isAcceptablePatchBody(.null))
    #expect(JSONMergePatch.isAcceptablePatchBody(json("{}")))
  }

  static let createCases: [(String, String, String)] = [
    (#"{"a":1}"#, #"{"a":1}"#, #"{}"#),
    (#"{"a":1}"#, #"{"a":2}"#, #"{"a":2}"#),
    (#"{"a":1,"b":2}"#, #"{"a":1}"#, #"{"b":null}"#),
    (#"{"m":{"x":1,"y":2}}"#, #"{"m":{"x":1,"y":3,"z":4}}"#, #"{"m":{"y":3,"z":4}}"#),
    (#"{"l":[1,2]}"#, #"{"l":[1,2,3]}"#, #"{"l":[1,2,3]}"#),
    (#"{"m":{"x":1}}"#, #"{"m":"s"}"#, #"{"m":"s"}"#),
    (#"{"metadata":{"labels":{"a":"1"}}}"#, #"{"metadata":{"labels":{}}}"#, #"{"metadata":{"labels":{"a":null}}}"#),
  ]

  @Test(arguments: createCases)
  func createsMinimalPatch(original: String, modified: String, expected: String) {
    let patch = JSONMergePatch.create(from: json(original), to: json(modified))
    #expect(patch == json(expected))
    #expect(JSONMergePatch.apply(patch, to: json(original)) == json(modified))
  }
}
