import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Testing

@testable import Operator

/// What the Runner controller does when the API server refuses what it writes: a pod that
/// fails pod validation (422) and a workspace resize that admission forbids (403).
@Suite(.serialized) struct RunnerAPIRefusalIntegrationTests {
  init() throws {
    try #require(LocalKubelet.unsupportedReason == nil, "the local kubelet cannot run here")
  }

  /// gra's own checks accept these, the API server does not: a non-ASCII env var name (kube
  /// 1.32 takes printable ASCII other than '='; gra refuses only '=' and whitespace) and an
  /// extended resource requested without a limit (gra copies requests to limits for
  /// nvidia.com/gpu only). A fractional GPU never gets this far: gra's validation refuses it.
  @Test func aPodTheAPIServerRefusesIsReportedOnceAndNotRetried() async throws {
    try await RunnerTestCluster.with { c in
      let refusals = RefusedCreates(c.fixture.client)
      var spec = RunnerSpec()
      spec.env = [EnvVar(name: "CAFÉ", value: "au lait")]
      try await c.create("latte", spec)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("latte").status?.conditions?[type: "Ready"]?.reason == "PodInvalid"
        })
      let r = try await c.runners.get("latte")
      let ready = try #require(r.status?.conditions?[type: "Ready"])
      #expect(ready.status == .false)
      #expect(ready.message.contains(#"Pod "latte" is invalid: spec.containers[0].env"#), "\(ready.message)")
      #expect(ready.message.contains(#"Invalid value: "CAFÉ""#), "\(ready.message)")
      #expect(r.validate().isEmpty)
      #expect(try await c.pods.getIfExists("latte") == nil)
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "latte").contains {
            $0["reason"].stringValue == "PodInvalid" && $0["type"].stringValue == "Warning"
          }
        })

      // Not retried in a loop: once both refused Runners have their claims bound (their last
      // status change), the refused creates stop, give or take the pass each Runner's own
      // last status write triggers. Another Runner going to Ready is the clock (no sleeps).
      var fpga = RunnerSpec()
      fpga.resources = ResourceRequirements(requests: ["example.com/fpga": "1"])
      try await c.create("fpga", fpga)
      #expect(
        try await eventually(timeout: .seconds(60)) {
          try await c.runners.get("fpga").status?.conditions?[type: "Ready"]?.message.contains(
            "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources")
            == true
        })
      for name in ["latte", "fpga"] {
        #expect(
          try await eventually(timeout: .seconds(60)) {
            try await c.runners.get(name).status?.conditions?[type: "WorkspaceReady"]?.status == .true
          })
      }
      let settled = refusals.count
      #expect(settled >= 2)
      try await c.create("plain")
      #expect(try await c.waitFor("plain", .ready))
      #expect(refusals.count - settled <= 2, "\(refusals.count - settled) more refused creates")
      let warnings = try await c.events(about: "latte").filter { $0["reason"].stringValue == "PodInvalid" }
      #expect(warnings.count == 1)
      #expect((warnings.first?["count"].intValue ?? 1) == 1)

      // Fixing the spec brings the pod.
      _ = try await c.runners.patch("latte", .merge(["spec": ["env": [["name": "CAFE", "value": "au lait"]]]]))
      #expect(try await c.waitFor("latte", .ready))
    }
  }

  /// The workspace grows only through a StorageClass with `allowVolumeExpansion: true`
  /// (the local cluster's default `standard` has it); otherwise the PersistentVolumeClaimResize
  /// admission plugin's 403 shows in WorkspaceReady and a Warning Event.
  @Test func aRefusedResizeIsReportedWithTheAdmissionMessage() async throws {
    try await RunnerTestCluster.with { c in
      let classes = c.fixture.client.dynamic(
        ResourceDescriptor(
          group: "storage.k8s.io", version: "v1", plural: "storageclasses", kind: "StorageClass", namespaced: false),
        namespace: nil)
      var sc: DynamicObject = ["apiVersion": "storage.k8s.io/v1", "kind": "StorageClass"]
      sc["metadata"] = ["name": "fixed"]
      sc["provisioner"] = "example.com/disk"
      _ = try await classes.create(sc)

      var spec = RunnerSpec()
      spec.workspace = WorkspaceSpec(size: "1Gi", storageClassName: "fixed")
      try await c.create("boxed", spec)
      #expect(try await c.waitFor("boxed", .ready))
      _ = try await c.runners.patch("boxed", .merge(["spec": ["workspace": ["size": "2Gi"]]]))
      #expect(
        try await eventually(timeout: .seconds(30)) {
          let ws = try await c.runners.get("boxed").status?.conditions?[type: "WorkspaceReady"]
          return ws?.status == .false && ws?.reason == "ResizeFailed"
            && ws?.message.contains("the storageclass that provisions the pvc must support resize") == true
        })
      #expect(
        try await eventually(timeout: .seconds(40)) {
          try await c.events(about: "boxed").contains {
            $0["reason"].stringValue == "ResizeFailed" && $0["type"].stringValue == "Warning"
          }
        })
      #expect(try await c.claims.get("boxed-workspace").spec?.resources?.requests?["storage"] == "1Gi")
      #expect(try await c.runners.get("boxed").status?.phase == .ready)
    }
  }
}
