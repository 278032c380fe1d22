import APIMachinery
import CRDModels
import Foundation
import LocalCluster
import Testing

@testable import KubeClient

@Suite("KubeClient against the local API server", .timeLimit(.minutes(1))) struct RESTIntegrationTests {
  @Test func createGetListReplaceDelete() async throws {
    try await withLocalCluster { c in
      let api = c.configMaps
      let created = try await api.create(configMap("a", ["k": "v"], labels: ["app": "web"]))
      #expect(created.metadata.uid?.isEmpty == false)
      #expect(created.metadata.resourceVersion?.isEmpty == false)
      _ = try await api.create(configMap("b", labels: ["app": "db"]))

      #expect(try await api.get("a").data == ["k": "v"])
      #expect(try await api.getIfExists("missing") == nil)
      let web = try await api.list(ListParams(labelSelector: "app=web"))
      #expect(web.items.map { $0.metadata.name } == ["a"])
      let byName = try await api.list(ListParams(fieldSelector: "metadata.name=b"))
      #expect(byName.items.map { $0.metadata.name } == ["b"])

      var changed = created
      changed.data = ["k": "v2"]
      let replaced = try await api.replace(changed)
      #expect(replaced.data == ["k": "v2"])
      #expect(replaced.metadata.resourceVersion != created.metadata.resourceVersion)

      // The stale resourceVersion of `created` makes a second PUT conflict.
      await #expect {
        _ = try await api.replace(created)
      } throws: { e in
        (e as? KubeError)?.isConflict == true
      }
      await #expect {
        _ = try await api.create(configMap("a"))
      } throws: { e in
        (e as? KubeError)?.isAlreadyExists == true
      }

      // Preconditions.
      await #expect {
        _ = try await api.delete("a", DeleteParams(preconditionUID: "not-the-uid"))
      } throws: { e in
        (e as? KubeError)?.isConflict == true
      }
      let result = try await api.delete(
        "a", DeleteParams(propagationPolicy: .background, preconditionUID: created.metadata.uid))
      if case .deleting(let o) = result { Issue.record("configmap without finalizers still exists: \(o)") }
      await #expect {
        _ = try await api.get("a")
      } throws: { e in
        (e as? KubeError)?.isNotFound == true
      }
    }
  }

  @Test func dryRunDoesNotPersist() async throws {
    try await withLocalCluster { c in
      let dry = try await c.configMaps.create(configMap("dry", ["x": "1"]), PostParams(dryRun: true))
      #expect(dry.metadata.name == "dry")
      #expect(try await c.configMaps.getIfExists("dry") == nil)
    }
  }

  @Test func patches() async throws {
    try await withLocalCluster { c in
      let api = c.configMaps
      let a = try await api.create(configMap("p", ["keep": "1", "drop": "2"]))
      let merged = try await api.patch("p", .merge(["data": ["drop": nil, "new": "3"]]))
      #expect(merged.data == ["keep": "1", "new": "3"])

      let patched = try await api.patch(
        "p", .json(JSONPatch([.test("/data/keep", "1"), .replace("/data/keep", "one")])))
      #expect(patched.data?["keep"] == "one")
      await #expect {
        _ = try await api.patch("p", .json(JSONPatch([.test("/data/keep", "1"), .remove("/data/keep")])))
      } throws: { e in
        guard let k = e as? KubeError else { return false }
        return k.isInvalid || k.code == 409
      }

      // A merge patch carrying a stale resourceVersion is a conflict.
      await #expect {
        _ = try await api.patch(
          "p", .merge(["metadata": ["resourceVersion": .string(a.metadata.resourceVersion!)], "data": ["x": "y"]]))
      } throws: { e in
        (e as? KubeError)?.isConflict == true
      }

      // Server-side apply needs a field manager.
      await #expect(throws: KubeError.self) {
        _ = try await api.patch("p", .apply(["apiVersion": "v1", "kind": "ConfigMap"]))
      }
      var intent = configMap("applied", ["owned": "yes"])
      intent.metadata.namespace = nil
      let applied = try await api.apply(intent, fieldManager: "gra-test")
      #expect(applied.data == ["owned": "yes"])
      #expect(applied.metadata.managedFields?.isEmpty == false)
    }
  }

  @Test func statusSubresource() async throws {
    try await withLocalCluster { c in
      let pods = c.client.dynamic(
        ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true),
        namespace: "default")
      var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
      pod["metadata"] = ["name": "s"]
      pod["spec"] = ["containers": [["name": "main", "image": "busybox"]]]
      let created = try await pods.create(pod)
      #expect(created.identity.name == "s")

      let patched = try await pods.patchStatus("s", .merge(["status": ["message": "hello from status"]]))
      #expect(patched["status"]["message"].stringValue == "hello from status")
      #expect(try await pods.getStatus("s")["status"]["message"].stringValue == "hello from status")

      // Status written through the main resource is ignored.
      let viaMain = try await pods.patch(
        "s", .merge(["status": ["message": "ignored"], "metadata": ["labels": ["x": "y"]]]))
      #expect(viaMain["metadata"]["labels"]["x"].stringValue == "y")
      #expect(viaMain["status"]["message"].stringValue == "hello from status")

      // PUT /status with a stale resourceVersion conflicts.
      var stale = patched
      stale["status"]["message"] = "stale"
      await #expect {
        _ = try await pods.replaceStatus(stale)
      } throws: { e in
        (e as? KubeError)?.isConflict == true
      }
    }
  }

  @Test func paginationFetchesEveryPage() async throws {
    try await withLocalCluster { c in
      for i in 0..<25 { _ = try await c.configMaps.create(configMap("page-\(i)", labels: ["set": "pages"])) }
      let before = c.requests.all.count
      let all = try await c.configMaps.listAll(ListParams(labelSelector: "set=pages"), pageSize: 10)
      #expect(all.items.count == 25)
      #expect(Set(all.items.compactMap(\.metadata.name)).count == 25)
      #expect(all.metadata.resourceVersion?.isEmpty == false)
      let lists = c.requests.all.dropFirst(before).filter { $0.method == "GET" }
      #expect(lists.count == 3)
      #expect(lists.allSatisfy { $0.path == "/api/v1/namespaces/{namespace}/configmaps" && $0.code == 200 })
      let first = try await c.configMaps.list(ListParams(labelSelector: "set=pages", limit: 10))
      #expect(first.items.count == 10)
      #expect(first.metadata.continue?.isEmpty == false)
    }
  }

  @Test func authenticationAndAuthorizationErrors() async throws {
    try await withLocalCluster { c in
      let bad = try c.client(token: "not-a-token")
      await #expect {
        _ = try await bad.api(TestConfigMap.self, namespace: "default").list()
      } throws: { e in
        (e as? KubeError)?.isUnauthorized == true
      }
      try await bad.shutdown()
      let nobody = try c.client(token: await c.server.issueToken(user: "nobody"))
      await #expect {
        _ = try await nobody.api(TestConfigMap.self, namespace: "default").list()
      } throws: { e in
        (e as? KubeError)?.isForbidden == true
      }
      try await nobody.shutdown()
    }
  }
}
