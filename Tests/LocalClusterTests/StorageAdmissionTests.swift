import CRDModels
import Foundation
import Testing

/// StorageClasses and PersistentVolumeClaims as kube-apiserver 1.32 admits them:
/// `DefaultStorageClass`, `PersistentVolumeClaimResize`, and the claim's update validation.
@Suite struct StorageAdmissionTests {
  static let claims = "/api/v1/namespaces/default/persistentvolumeclaims"
  static let merge = "application/merge-patch+json"

  static func claim(_ name: String, size: String = "1Gi", storageClass: String? = nil) -> String {
    let sc = storageClass.map { #","storageClassName":""# + $0 + #"""# } ?? ""
    return #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":""# + name
      + #""},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":""# + size + #""}}"# + sc
      + "}}"
  }

  /// Binds the claim as a provisioner would (the local kubelet does this when it runs).
  static func bind(_ c: TestCluster, _ name: String, capacity: String = "1Gi") async throws {
    let r = try await c.request(
      "PATCH", "\(claims)/\(name)/status",
      body: #"{"status":{"phase":"Bound","capacity":{"storage":""# + capacity + #""}}}"#, contentType: merge)
    #expect(r.code == 200, "\(r.text)")
  }

  static func grow(_ c: TestCluster, _ name: String, to size: String) async throws -> Reply {
    try await c.request(
      "PATCH", "\(claims)/\(name)",
      body: #"{"spec":{"resources":{"requests":{"storage":""# + size + #""}}}}"#, contentType: merge)
  }

  @Test func theDefaultStorageClassIsExpandableAndGivenToClaimsWithoutAClass() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let sc = try await c.request("GET", "/apis/storage.k8s.io/v1/storageclasses/standard")
    #expect(sc.code == 200)
    #expect(sc.json["allowVolumeExpansion"] == true)
    #expect(sc.json["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true")
    #expect(sc.json["reclaimPolicy"] == "Delete")
    #expect(sc.json["volumeBindingMode"] == "Immediate")

    let unset = try await c.request("POST", Self.claims, body: Self.claim("unset"))
    #expect(unset.code == 201)
    #expect(unset.json["spec"]["storageClassName"] == "standard")
    // "" asks for no class at all (static binding); the plugin leaves it alone.
    let empty = try await c.request("POST", Self.claims, body: Self.claim("empty", storageClass: ""))
    #expect(empty.json["spec"]["storageClassName"] == "")

    // With two defaults the newest wins (the same second: the first by name).
    let fast = try await c.request(
      "POST", "/apis/storage.k8s.io/v1/storageclasses",
      body:
        #"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast","annotations":{"storageclass.beta.kubernetes.io/is-default-class":"true"}},"provisioner":"example.com/ssd"}"#
    )
    #expect(fast.code == 201)
    let second = try await c.request("POST", Self.claims, body: Self.claim("second"))
    #expect(second.json["spec"]["storageClassName"] == "fast")

    let noModes = try await c.request(
      "POST", Self.claims,
      body: #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"bad"},"spec":{"resources":{}}}"#)
    #expect(noModes.code == 422)
    #expect(
      noModes.json["message"]
        == #"PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]"#
    )
  }

  @Test func growingAClaimNeedsAnExpandableStorageClass() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let fixed = try await c.request(
      "POST", "/apis/storage.k8s.io/v1/storageclasses",
      body:
        #"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fixed"},"provisioner":"example.com/disk"}"#
    )
    #expect(fixed.code == 201, "\(fixed.text)")
    #expect(fixed.json["allowVolumeExpansion"].isNull)

    _ = try await c.request("POST", Self.claims, body: Self.claim("data", storageClass: "fixed"))
    try await Self.bind(c, "data")
    let refused = try await Self.grow(c, "data", to: "2Gi")
    #expect(refused.code == 403)
    #expect(refused.json["reason"] == "Forbidden")
    #expect(
      refused.json["message"]
        == #"persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"#
    )
    #expect(refused.json["details"]["kind"] == "persistentvolumeclaims")
    #expect(refused.json["details"]["name"] == "data")
    let unchanged = try await c.request("GET", "\(Self.claims)/data")
    #expect(unchanged.json["spec"]["resources"]["requests"]["storage"] == "1Gi")

    // The same with no class at all.
    _ = try await c.request("POST", Self.claims, body: Self.claim("static", storageClass: ""))
    try await Self.bind(c, "static")
    #expect(try await Self.grow(c, "static", to: "2Gi").code == 403)

    // The default class allows it; labels and the same size are not a resize.
    _ = try await c.request("POST", Self.claims, body: Self.claim("ws"))
    try await Self.bind(c, "ws")
    let grown = try await Self.grow(c, "ws", to: "2Gi")
    #expect(grown.code == 200, "\(grown.text)")
    #expect(grown.json["spec"]["resources"]["requests"]["storage"] == "2Gi")
    #expect(
      try await c.request(
        "PATCH", "\(Self.claims)/data", body: #"{"metadata":{"labels":{"a":"b"}}}"#, contentType: Self.merge
      ).code == 200)

    // Back down towards the capacity is allowed (recovery from a failed expansion), to it or
    // below it is not.
    #expect(try await Self.grow(c, "ws", to: "1536Mi").code == 200)
    let shrunk = try await Self.grow(c, "ws", to: "1Gi")
    #expect(shrunk.code == 422)
    #expect(
      shrunk.json["message"]
        == #"PersistentVolumeClaim "ws" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"#
    )

    // An unbound claim's spec is immutable: validation answers before the resize plugin.
    _ = try await c.request("POST", Self.claims, body: Self.claim("pending"))
    let early = try await Self.grow(c, "pending", to: "2Gi")
    #expect(early.code == 422)
    #expect(
      early.json["details"]["causes"][0]["message"].stringValue?.hasPrefix(
        "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
      ) == true)
    let modes = try await c.request(
      "PATCH", "\(Self.claims)/ws", body: #"{"spec":{"accessModes":["ReadWriteMany"]}}"#, contentType: Self.merge)
    #expect(modes.code == 422)
  }

  @Test func kubectlShowsTheDefaultClassAndTheRefusal() async throws {
    guard TestCluster.hasKubectl else { throw KubectlMissing() }
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    var r = try await c.kubectl(["get", "sc"])
    #expect(r.code == 0, "\(r.err)")
    let lines = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
    #expect(
      lines.first == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"])
    #expect(
      lines.dropFirst().first?.prefix(6) == [
        "standard", "(default)", "gra.dev/local-kubelet", "Delete", "Immediate", "true",
      ])

    _ = try await c.request(
      "POST", "/apis/storage.k8s.io/v1/storageclasses",
      body:
        #"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fixed"},"provisioner":"example.com/disk"}"#
    )
    _ = try await c.request("POST", Self.claims, body: Self.claim("data", storageClass: "fixed"))
    try await Self.bind(c, "data")
    r = try await c.kubectl(["patch", "pvc", "data", "-p", #"{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}"#])
    #expect(r.code != 0)
    #expect(
      r.err
        == "Error from server (Forbidden): persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize\n"
    )
  }

  @Test func storageClassFieldsAreImmutable() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let path = "/apis/storage.k8s.io/v1/storageclasses/standard"
    let r = try await c.request(
      "PATCH", path, body: #"{"provisioner":"other.example.com/x","reclaimPolicy":"Retain"}"#, contentType: Self.merge)
    #expect(r.code == 422)
    #expect(
      r.json["message"]
        == #"StorageClass.storage.k8s.io "standard" is invalid: [provisioner: Forbidden: updates to provisioner are forbidden., reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.]"#
    )
    let ok = try await c.request(
      "PATCH", path, body: #"{"allowVolumeExpansion":false}"#, contentType: Self.merge)
    #expect(ok.code == 200)
    let noProvisioner = try await c.request(
      "POST", "/apis/storage.k8s.io/v1/storageclasses",
      body: #"{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"x"}}"#)
    #expect(
      noProvisioner.json["message"] == #"StorageClass.storage.k8s.io "x" is invalid: provisioner: Required value"#)
  }
}
