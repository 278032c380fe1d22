import APIMachinery
import CRDModels
import Testing

@testable import Operator

/// A tiny object type so the cache is tested independently of the gra types.
private struct Thing: KubernetesObject, Equatable {
  static let resource = ResourceDescriptor(
    group: "", version: "v1", plural: "things", kind: "Thing", namespaced: true)
  var metadata: ObjectMeta
  var value = 0
  init(
    _ ns: String, _ name: String, owner: String? = nil, value: Int = 0,
    labels: [String: String]? = nil
  ) {
    metadata = ObjectMeta(name: name, namespace: ns)
    metadata.labels = labels
    if let owner {
      metadata.ownerReferences = [
        OwnerReference(apiVersion: "v1", kind: "Owner", name: "o", uid: owner, controller: true)
      ]
    }
    self.value = value
  }
}

@Suite struct ObjectCacheTests {
  @Test func indexesByNamespaceAndOwnerFollowUpdates() {
    let cache = ObjectCache<Thing>()
    cache.apply(Thing("a", "x", owner: "u1"))
    cache.apply(Thing("a", "y", owner: "u1"))
    cache.apply(Thing("b", "x"))
    #expect(cache.list(namespace: "a").count == 2)
    #expect(Set(cache.owned(by: "u1").map { $0.metadata.name! }) == ["x", "y"])

    cache.apply(Thing("a", "y", owner: "u2", value: 1))
    #expect(cache.owned(by: "u1").map { $0.metadata.name! } == ["x"])
    #expect(cache.owned(by: "u2").first?.value == 1)

    cache.remove(Thing("a", "x"))
    #expect(cache.owned(by: "u1").isEmpty)
    #expect(cache.list(namespace: "a").count == 1)
    #expect(cache.count == 2)
  }

  @Test func labelSelectorsUseTheIndexAndFollowRelabelling() throws {
    let cache = ObjectCache<Thing>()
    cache.apply(Thing("a", "x", labels: ["app": "web", "tier": "front"]))
    cache.apply(Thing("a", "y", labels: ["app": "web", "tier": "back"]))
    cache.apply(Thing("b", "z", labels: ["app": "web"]))
    cache.apply(Thing("a", "w", labels: ["app": "db"]))
    func names(_ selector: String, _ ns: String? = nil) throws -> Set<String> {
      Set(
        cache.list(namespace: ns, matching: try LabelSelectorMatcher.parse(selector)).map {
          $0.metadata.name!
        })
    }
    #expect(try names("app=web") == ["x", "y", "z"])
    #expect(try names("app=web", "a") == ["x", "y"])
    #expect(try names("app=web,tier!=back") == ["x", "z"])
    #expect(try names("tier") == ["x", "y"])
    #expect(try names("app in (web,db)", "a") == ["x", "y", "w"])
    #expect(cache.list(matching: .nothing).isEmpty)

    cache.apply(Thing("a", "x", labels: ["app": "db"]))
    #expect(try names("app=web") == ["y", "z"])
    #expect(try names("app=db") == ["x", "w"])
    cache.remove(Thing("a", "w"))
    #expect(try names("app=db") == ["x"])
  }

  @Test func replaceSwapsAtomicallyAndReportsWhatVanished() {
    let cache = ObjectCache<Thing>()
    #expect(!cache.hasSynced)
    cache.apply(Thing("a", "old"))
    let gone = cache.replace(with: [Thing("a", "new")])
    #expect(cache.hasSynced)
    #expect(gone.map { $0.metadata.name! } == ["old"])
    #expect(cache.get(ObjectKey(namespace: "a", name: "new")) != nil)
    #expect(cache.get(ObjectKey(namespace: "a", name: "old")) == nil)
  }

  @Test func handedOutObjectsAreCopies() {
    let cache = ObjectCache<Thing>()
    cache.apply(Thing("a", "x", value: 1))
    var copy = cache.get(ObjectKey(namespace: "a", name: "x"))!
    copy.value = 99
    #expect(cache.get(ObjectKey(namespace: "a", name: "x"))?.value == 1)
  }
}
