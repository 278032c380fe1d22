import CRDModels
import Foundation
import Testing

@testable import KubeClient

/// A ConfigMap as the tests decode it.
struct TestConfigMap: KubernetesObject, Equatable {
  static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
  var apiVersion: String? = "v1"
  var kind: String? = "ConfigMap"
  var metadata: ObjectMeta
  var data: [String: String]?
}

@Suite struct WatchFramingTests {
  /// Four events as a real API server streams them (ADDED, MODIFIED, BOOKMARK, DELETED),
  /// one with a multi-byte UTF-8 value, then an ERROR.
  static let payload = Array(
    (#"""
    {"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"default","uid":"u1","resourceVersion":"101","creationTimestamp":"2024-05-01T10:00:00Z"},"data":{"k":"v"}}}
    {"type":"MODIFIED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"default","uid":"u1","resourceVersion":"102"},"data":{"k":"grüße ✓"}}}
    {"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"150","annotations":{"k8s.io/initial-events-end":"true"}}}}
    {"type":"DELETED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"default","uid":"u1","resourceVersion":"151"}}}
    {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (151)","reason":"Expired","code":410}}

    """# as String).utf8)

  static func check(_ events: [WatchEvent<TestConfigMap>]) {
    #expect(events.count == 5)
    guard events.count == 5 else { return }
    #expect(events[0].type == .added)
    #expect(events[0].object?.metadata.resourceVersion == "101")
    #expect(events[1].object?.data?["k"] == "grüße ✓")
    guard case .bookmark(let rv, let ann) = events[2] else {
      Issue.record("want a bookmark, got \(events[2].type)")
      return
    }
    #expect(rv == "150")
    #expect(ann["k8s.io/initial-events-end"] == "true")
    #expect(events[3].type == .deleted)
    guard case .error(let status) = events[4] else {
      Issue.record("want an error event")
      return
    }
    #expect(KubeError(status: status).isGone)
  }

  @Test func wholePayloadInOneChunk() throws {
    var d = WatchEventDecoder<TestConfigMap>()
    var events = try d.push(Self.payload)
    if let last = try d.finish() { events.append(last) }
    Self.check(events)
  }

  @Test func splitAtEveryByteBoundary() throws {
    for cut in 0...Self.payload.count {
      var d = WatchEventDecoder<TestConfigMap>()
      var events = try d.push(Self.payload[0..<cut])
      events += try d.push(Self.payload[cut...])
      if let last = try d.finish() { events.append(last) }
      Self.check(events)
    }
  }

  @Test func splitIntoThreePiecesAtManyBoundaries() throws {
    let n = Self.payload.count
    for a in stride(from: 0, through: n, by: 7) {
      for b in stride(from: a, through: n, by: 13) {
        var d = WatchEventDecoder<TestConfigMap>()
        var events = try d.push(Self.payload[0..<a])
        events += try d.push(Self.payload[a..<b])
        events += try d.push(Self.payload[b...])
        if let last = try d.finish() { events.append(last) }
        Self.check(events)
      }
    }
  }

  @Test func byteByByteNeverEndsEarly() throws {
    var d = WatchEventDecoder<TestConfigMap>()
    var events: [WatchEvent<TestConfigMap>] = []
    for b in Self.payload { events += try d.push([b]) }
    Self.check(events)
    #expect(try d.finish() == nil)
  }

  @Test func chunkWithoutNewlineIsHeldNotDropped() throws {
    var f = LineFramer()
    #expect(try f.push(Array(#"{"type":"ADD"#.utf8)).isEmpty)
    #expect(f.pendingByteCount == 12)
    let lines = try f.push(Array("ED\"}\r\n\n{\"x\"".utf8))
    #expect(lines.map { String(decoding: $0, as: UTF8.self) } == [#"{"type":"ADDED"}"#])
    #expect(f.finish().map { String(decoding: $0, as: UTF8.self) } == #"{"x""#)
  }

  @Test func dynamicObjectsDecodeToo() throws {
    var d = WatchEventDecoder<DynamicObject>()
    let events = try d.push(Self.payload)
    #expect(events.count == 5)
    #expect(events[1].object?.identity.resourceVersion == "102")
    #expect(events[1].object?["data"]["k"].stringValue == "grüße ✓")
  }

  @Test func aBadLineIsADecodingErrorThatNamesTheProblem() {
    var d = WatchEventDecoder<TestConfigMap>(context: "watch configmaps")
    #expect {
      _ = try d.push(Array("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":5}}}\n".utf8))
    } throws: { e in
      let s = "\(e)"
      return s.contains("watch configmaps") && s.contains("object.metadata.name")
    }
  }

  @Test func tooLongLineIsAnError() {
    var f = LineFramer(maxLineLength: 10)
    #expect(throws: KubeError.self) { _ = try f.push(Array(repeating: UInt8(ascii: "x"), count: 11)) }
  }

  @Test func theScanFindsTypeAndObjectInEitherOrder() throws {
    let object = #"{"kind":"ConfigMap","metadata":{"name":"a}b\"c"},"data":{"k":"[{\\"}}"#
    for line in [
      #"{"type":"ADDED","object":"# + object + "}",
      #" { "object" : "# + object + #" , "type" : "MODIFIED" } "#,
    ] {
      let m = try #require(WatchLineScan.members(Array(line.utf8)))
      #expect(String(decoding: m.object, as: UTF8.self) == object)
      #expect(String(decoding: m.type, as: UTF8.self).hasSuffix(#"""#))
    }
  }

  @Test(arguments: [#"{"type":"ADDED"}"#, #"{"type":"ADDED","object":{"a":1}"#, #"["type"]"#, #"{"type":"#, ""])
  func theScanGivesUpOnWhatItDoesNotExpect(_ line: String) {
    #expect(WatchLineScan.members(Array(line.utf8)) == nil)
  }

  @Test func recentlyDecodedGivesOnlyEqualBytesOfTheSameTypeOnceAndForgetsTheOldest() throws {
    let recent = RecentlyDecoded(capacity: 2)
    let a = Array(#"{"metadata":{"name":"a"}}"#.utf8)
    let b = Array(#"{"metadata":{"name":"b"}}"#.utf8)
    let c = Array(#"{"metadata":{"name":"c"}}"#.utf8)
    recent.remember(a[...], TestConfigMap(metadata: ObjectMeta(name: "a")))
    #expect(recent.take(b[...], as: TestConfigMap.self) == nil)
    #expect(recent.take(a[...], as: String.self) == nil)
    #expect(recent.take(a[...], as: TestConfigMap.self)?.metadata.name == "a")
    #expect(recent.take(a[...], as: TestConfigMap.self) == nil)
    for (bytes, name) in [(a, "a"), (b, "b"), (c, "c")] {
      recent.remember(bytes[...], TestConfigMap(metadata: ObjectMeta(name: name)))
    }
    #expect(recent.take(a[...], as: TestConfigMap.self) == nil)
    #expect(recent.take(c[...], as: TestConfigMap.self)?.metadata.name == "c")
    #expect(recent.reused == 2)
  }
}
