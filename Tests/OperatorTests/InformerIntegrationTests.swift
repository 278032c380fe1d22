import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Synchronization
import Testing

@testable import Operator

/// A ConfigMap as the informer tests need it: a name and one data key.
struct TestConfigMap: KubernetesObject, Equatable {
  static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
  var apiVersion: String? = "v1"
  var kind: String? = "ConfigMap"
  var metadata: ObjectMeta
  var data: [String: String]?
  init(_ name: String, _ value: String = "0") {
    metadata = ObjectMeta(name: name, namespace: "default", labels: ["test": "informer"])
    data = ["v": value]
  }
}

/// A kind no API server serves.
struct UnservedKind: KubernetesObject {
  static let resource = ResourceDescriptor(
    group: "unserved.gra.dev", version: "v1", plural: "things", kind: "Thing", namespaced: true)
  var metadata: ObjectMeta
}

@Suite(.serialized) struct InformerIntegrationTests {
  @Test func listsThenFollowsCreatesUpdatesAndDeletes() async throws {
    let f = try await LocalClusterFixture.start()
    let api = f.client.api(TestConfigMap.self, namespace: "default")
    _ = try await api.create(TestConfigMap("before"))

    let informer = Informer(api: api, config: WatcherConfig(labelSelector: "test=informer"), logger: quietLogger)
    let seen = Mutex<[String]>([])
    informer.onEvent { e in
      switch e {
      case .applied(_, let n): seen.withLock { $0.append("apply \(n.metadata.name!)") }
      case .deleted(let o): seen.withLock { $0.append("delete \(o.metadata.name!)") }
      }
    }
    let task = Task { await informer.run() }
    await informer.waitUntilSynced()
    #expect(informer.cache.get(ObjectKey(namespace: "default", name: "before")) != nil)

    _ = try await api.create(TestConfigMap("after"))
    _ = try await api.delete("before")
    #expect(
      await eventually {
        informer.cache.count == 1 && informer.cache.get(ObjectKey(namespace: "default", name: "after")) != nil
      })
    #expect(seen.withLock { $0 } == ["apply before", "apply after", "delete before"])
    task.cancel()
    await f.stop()
  }

  /// Managed fields are not cached: objects listed and watched come without them, while the
  /// server keeps them.
  @Test func cachedObjectsCarryNoManagedFields() async throws {
    let f = try await LocalClusterFixture.start()
    let api = f.client.api(TestConfigMap.self, namespace: "default")
    let written = PostParams(fieldManager: "informer-test")
    _ = try await api.create(TestConfigMap("listed"), written)
    let informer = Informer(api: api, config: WatcherConfig(labelSelector: "test=informer"), logger: quietLogger)
    let handed = Mutex<[ObjectMeta]>([])
    informer.onEvent { e in
      if case .applied(_, let n) = e { handed.withLock { $0.append(n.metadata) } }
    }
    let task = Task { await informer.run() }
    await informer.waitUntilSynced()
    _ = try await api.create(TestConfigMap("watched"), written)
    #expect(await eventually { informer.cache.count == 2 })

    for name in ["listed", "watched"] {
      #expect(try await api.get(name).metadata.managedFields?.first?["manager"].stringValue == "informer-test")
      #expect(informer.cache.get(ObjectKey(namespace: "default", name: name))?.metadata.managedFields == nil)
    }
    #expect(handed.withLock { $0.map(\.name) } == ["listed", "watched"])
    #expect(handed.withLock { $0.allSatisfy { $0.managedFields == nil } })
    task.cancel()
    await f.stop()
  }

  /// A kind the controller can do without: a 404 on its list counts as synced and empty, but
  /// only for an informer that says so.
  @Test func aKindTheServerDoesNotServeIsEmptyOnlyWhenOptional() async throws {
    let f = try await LocalClusterFixture.start()
    let api = f.client.api(UnservedKind.self, namespace: "default")
    let optional = Informer(api: api, emptyWhenNotServed: true, logger: quietLogger)
    let required = Informer(api: api, logger: quietLogger)
    let tasks = [Task { await optional.run() }, Task { await required.run() }]
    await optional.waitUntilSynced()
    #expect(optional.cache.count == 0)
    try await Task.sleep(for: .seconds(1))
    #expect(!required.hasSynced)
    for t in tasks { t.cancel() }
    await f.stop()
  }

  @Test func recoversFromServerTimeoutsAndGoneWithoutMissingObjects() async throws {
    // A tiny watch history and one-second watches: the server cuts the watch constantly and
    // the resourceVersion the client resumes from is often too old (410 Gone → relist).
    var options = LocalAPIServer.Options()
    options.watchHistorySize = 5
    let f = try await LocalClusterFixture.start(options)
    let api = f.client.api(TestConfigMap.self, namespace: "default")
    var config = WatcherConfig(labelSelector: "test=informer", timeoutSeconds: 1)
    config.initialBackoff = .milliseconds(10)
    let informer = Informer(api: api, config: config, logger: quietLogger)
    let task = Task { await informer.run() }
    await informer.waitUntilSynced()

    for round in 0..<4 {
      for i in 0..<25 { _ = try await api.create(TestConfigMap("cm-\(round)-\(i)")) }
      try await Task.sleep(for: .milliseconds(700))
    }
    _ = try await api.delete("cm-0-0")
    let converged = await eventually(timeout: .seconds(20)) {
      informer.cache.count == 99 && informer.cache.get(ObjectKey(namespace: "default", name: "cm-0-0")) == nil
    }
    #expect(converged, "cache has \(informer.cache.count) objects, expected 99")
    task.cancel()
    await f.stop()
  }
}
