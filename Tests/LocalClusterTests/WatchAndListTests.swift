import CRDModels
import Foundation
import Testing

@testable import LocalCluster

@Suite("list and watch")
struct WatchAndListTests {
  static func cm(_ name: String, labels: String = "{}") -> String {
    #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","labels":\#(labels)}}"#
  }

  @Test func initialEventsThenChangesFromResourceVersion() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("a"))
    let initial = try await c.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
    #expect(initial.code == 200)
    let evs = initial.lines.filter { $0["object"]["metadata"]["name"] == "a" }
    #expect(evs.map { $0["type"] } == ["ADDED"])

    let list = try await c.request("GET", "/api/v1/namespaces/default/configmaps")
    let rv = try #require(list.json["metadata"]["resourceVersion"].stringValue)
    _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("b"))
    _ = try await c.request("DELETE", "/api/v1/namespaces/default/configmaps/a")
    let w = try await c.request(
      "GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)&timeoutSeconds=1")
    #expect(w.lines.map { $0["type"] } == ["ADDED", "DELETED"])
    #expect(w.lines.map { $0["object"]["metadata"]["name"] } == ["b", "a"])
    #expect(w.lines[1]["object"]["kind"] == "ConfigMap")
  }

  @Test func labelSelectedWatchSeesObjectsLeaveAsDeleted() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let created = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("a", labels: #"{"app":"x"}"#))
    let rv = created.json["metadata"]["resourceVersion"].stringValue!
    _ = try await c.request(
      "PATCH", "/api/v1/namespaces/default/configmaps/a", body: #"{"metadata":{"labels":{"app":"y"}}}"#,
      contentType: "application/merge-patch+json")
    _ = try await c.request(
      "PATCH", "/api/v1/namespaces/default/configmaps/a", body: #"{"metadata":{"labels":{"app":"x"}}}"#,
      contentType: "application/merge-patch+json")
    let w = try await c.request(
      "GET",
      "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dx&resourceVersion=\(rv)&timeoutSeconds=1")
    #expect(w.lines.map { $0["type"] } == ["DELETED", "ADDED"])
  }

  @Test func bookmarksAndTimeout() async throws {
    let c = try await TestCluster.start(.init(bookmarkInterval: .milliseconds(300)))
    defer { Task { await c.stop() } }
    let rv = try await c.request("GET", "/api/v1/namespaces/default/configmaps").json["metadata"]["resourceVersion"]
      .stringValue!
    let w = try await c.request(
      "GET",
      "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv)&timeoutSeconds=2"
    )
    let bookmarks = w.lines.filter { $0["type"] == "BOOKMARK" }
    #expect(bookmarks.count >= 2)
    #expect(bookmarks.first?["object"]["kind"] == "ConfigMap")
    #expect(bookmarks.first?["object"]["apiVersion"] == "v1")
    #expect(bookmarks.first?["object"]["metadata"]["resourceVersion"].stringValue != nil)
    #expect(w.lines.allSatisfy { $0["type"] == "BOOKMARK" })
  }

  /// Watchers of one kind get one serialization of each event's object, shared; each line must
  /// still be exactly what encoding the whole event would give, and a Table watcher gets its own.
  @Test func watchersShareEachEventsSerialization() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let store = try #require(c.server.store as? StoreAdapter).store
    let r = try #require(await store.lookup(group: "", version: "v1", plural: "configmaps"))
    let rv = try await c.request("GET", "/api/v1/configmaps").json["metadata"]["resourceVersion"].stringValue
    let (_, plain1) = try await store.watchLines(
      r, namespace: "default", resourceVersion: rv, sendInitialEvents: false, matches: { _ in true }, table: nil)
    let (_, plain2) = try await store.watchLines(
      r, namespace: nil, resourceVersion: rv, sendInitialEvents: false, matches: { _ in true }, table: nil)
    let tableRequest = HTTPRequest(
      head: .init(version: .http1_1, method: .GET, uri: "/api/v1/configmaps?watch=true"), body: [])
    let (_, table) = try await store.watchLines(
      r, namespace: nil, resourceVersion: rv, sendInitialEvents: false, matches: { _ in true },
      table: tableRequest)
    let created = try await store.create(
      r, namespace: "default", object: try JSONValue.parse(Array(Self.cm("shared").utf8)))
    var want = (["type": "ADDED", "object": created] as JSONValue).serialized()
    want.append(10)
    var lines: [[UInt8]] = []
    for stream in [plain1, plain2, table] {
      for await line in stream {
        lines.append(line)
        break
      }
    }
    #expect(lines[0] == want)
    #expect(lines[1] == want)
    let row = try JSONValue.parse(lines[2])
    #expect(row["object"]["kind"] == "Table")
    #expect(row["object"]["rows"][0]["cells"][0] == "shared")
  }

  /// A write watched over HTTP is answered with the serialization its watchers were sent, byte
  /// for byte the event's object; a dry run, whose object carries the resourceVersion of the
  /// stored state, is never answered from it.
  @Test func aWatchedWriteIsAnsweredWithTheBytesItsWatchersWereSent() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let store = try #require(c.server.store as? StoreAdapter).store
    let r = try #require(await store.lookup(group: "", version: "v1", plural: "configmaps"))
    let rv = try await c.request("GET", "/api/v1/configmaps").json["metadata"]["resourceVersion"].stringValue
    let (_, stream) = try await store.watchLines(
      r, namespace: "default", resourceVersion: rv, sendInitialEvents: false, matches: { _ in true }, table: nil)
    var lines = stream.makeAsyncIterator()
    // The object's bytes in an event line, `{"object":…,"type":"…"}`.
    func object(of line: [UInt8]?) throws -> Data {
      let line = try #require(line)
      let head = Array(#"{"object":"#.utf8)
      let tail = Array(#","type":"#.utf8)
      let end = try #require(line.indices.last { line[$0...].starts(with: tail) })
      return Data(line[head.count..<end])
    }
    let created = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"w"},"data":{"k":"1"}}"#)
    #expect(created.code == 201)
    #expect(created.body == (try object(of: await lines.next())))
    #expect(created.body == Data(created.json.serialized()))
    let createdRV = try #require(created.json["metadata"]["resourceVersion"].stringValue)
    #expect(store.writtenJSON.take(resourceVersion: createdRV, apiVersion: "v1") == nil, "taken by the answer")

    // A change nobody answers (an in-process write), then a dry run over it: its own object.
    var cm = try JSONValue.parse(Array(created.body))
    cm["data"]["k"] = "2"
    let unanswered = try await c.server.store.update(
      ResourceDescriptor(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true),
      namespace: "default", object: cm)
    _ = await lines.next()
    cm["data"]["k"] = "3"
    cm["metadata"]["resourceVersion"] = nil
    let dryRun = try await c.request(
      "PUT", "/api/v1/namespaces/default/configmaps/w?dryRun=All", body: cm.serializedString())
    #expect(dryRun.code == 200)
    #expect(dryRun.json["data"]["k"] == "3")
    let unansweredRV = try #require(unanswered["metadata"]["resourceVersion"].stringValue)
    #expect(store.writtenJSON.take(resourceVersion: unansweredRV, apiVersion: "v1") != nil)

    cm["data"]["k"] = "4"
    let updated = try await c.request("PUT", "/api/v1/namespaces/default/configmaps/w", body: cm.serializedString())
    #expect(updated.json["data"]["k"] == "4")
    #expect(updated.body == (try object(of: await lines.next())))
  }

  @Test func tooOldResourceVersionIsGone() async throws {
    var opts = LocalAPIServer.Options()
    opts.watchHistorySize = 5
    let c = try await TestCluster.start(opts)
    defer { Task { await c.stop() } }
    for i in 0..<10 { _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("c\(i)")) }
    let w = try await c.request(
      "GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2&timeoutSeconds=5")
    #expect(w.code == 200)
    #expect(w.lines.count == 1)
    let e = w.lines[0]
    #expect(e["type"] == "ERROR")
    #expect(e["object"]["code"] == 410)
    #expect(e["object"]["reason"] == "Expired")
    #expect(e["object"]["message"].stringValue?.hasPrefix("too old resource version: 2 (") == true)

    // A continue token from before the history window is expired too.
    let page = try await c.request("GET", "/api/v1/namespaces/default/configmaps?limit=2")
    let token = try #require(page.json["metadata"]["continue"].stringValue)
    for i in 0..<10 { _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("d\(i)")) }
    let gone = try await c.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
    #expect(gone.code == 410)
    #expect(gone.json["reason"] == "Expired")
    #expect(gone.json["message"].stringValue?.hasPrefix("The provided continue parameter is too old") == true)
  }

  @Test func pagesWithLimitAndContinue() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    for i in 0..<5 { _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("p\(i)")) }
    var names: [String] = []
    var cont: String? = nil
    var pages = 0
    repeat {
      let q = cont.map { "&continue=\($0)" } ?? ""
      let r = try await c.request("GET", "/api/v1/namespaces/default/configmaps?limit=2\(q)")
      names += (r.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue }
      cont = r.json["metadata"]["continue"].stringValue
      pages += 1
    } while cont != nil && pages < 10
    #expect(names.filter { $0.hasPrefix("p") } == ["p0", "p1", "p2", "p3", "p4"])
    #expect(pages == 3)
  }

  @Test func fieldSelectors() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("one"))
    _ = try await c.request("POST", "/api/v1/namespaces/kube-system/configmaps", body: Self.cm("two"))
    let byName = try await c.request("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Dtwo")
    #expect((byName.json["items"].arrayValue ?? []).map { $0["metadata"]["namespace"] } == ["kube-system"])
    let notNS = try await c.request("GET", "/api/v1/configmaps?fieldSelector=metadata.namespace!%3Ddefault")
    #expect((notNS.json["items"].arrayValue ?? []).allSatisfy { $0["metadata"]["namespace"] != "default" })
    let bad = try await c.request("GET", "/api/v1/configmaps?fieldSelector=spec.foo%3Dx")
    #expect(bad.code == 400)
    #expect(bad.json["reason"] == "BadRequest")
    #expect(bad.json["message"] == "field label not supported: spec.foo")
    let pod =
      #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]}}"#
    _ = try await c.request("POST", "/api/v1/namespaces/default/pods", body: pod)
    let onNode = try await c.request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase%3DPending")
    #expect((onNode.json["items"].arrayValue ?? []).map { $0["metadata"]["name"] } == ["p"])
  }

  @Test func singleObjectWatchByName() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("x"))
    _ = try await c.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("y"))
    let w = try await c.request(
      "GET", "/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dx&timeoutSeconds=1")
    #expect(w.lines.map { $0["object"]["metadata"]["name"] } == ["x"])
  }
}
