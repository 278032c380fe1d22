import CRDModels
import Foundation
import Testing

@testable import kubectl_gra

/// The image `describe`, `list -o wide` and the MCP runner tools show: what the Runner's pod
/// runs (the operator may have been started with `--runner-image`), never the built-in default
/// passed off as the Runner's image.
@Suite struct RunnerImageTests {
  let configured = "registry.example.com/team/gra-runner:dev-42"

  func runner(image: String? = nil, pod: Bool = true) -> Runner {
    var spec = RunnerSpec()
    spec.image = image
    var r = Runner(metadata: ObjectMeta(name: "demo", namespace: "team"), spec: spec)
    r.metadata.uid = "uid-demo"
    r.metadata.creationTimestamp = Time(Date(timeIntervalSince1970: 0))
    if pod { r.status = RunnerStatus(podName: "demo") }
    return r
  }

  /// The pod the operator makes for `demo`: a sidecar first, the `runner` container second.
  func pod(image: String, owner: String = "demo", uid: String = "uid-demo") -> Pod {
    var meta = ObjectMeta(name: "demo", namespace: "team")
    meta.ownerReferences = [
      OwnerReference(apiVersion: "gra.dev/v1alpha1", kind: "Runner", name: owner, uid: uid, controller: true)
    ]
    return Pod(
      metadata: meta,
      spec: PodSpec(containers: [Container(name: "helper", image: "busybox"), Container(name: "runner", image: image)]))
  }

  @Test func theRunnerContainersImageIsShownWhenThereIsAPod() {
    #expect(RunnerImage.shown(runner(), pod: pod(image: configured)) == configured)
    // Also when the Runner names one: the pod is what runs (e.g. before it is replaced).
    #expect(
      RunnerImage.shown(runner(image: "ghcr.io/x/new:2"), pod: pod(image: "ghcr.io/x/old:1")) == "ghcr.io/x/old:1")
  }

  @Test func withoutAPodTheSpecOrTheOperatorDefaultIsShown() {
    #expect(RunnerImage.shown(runner(image: "ghcr.io/x/r:1", pod: false), pod: nil) == "ghcr.io/x/r:1")
    #expect(RunnerImage.shown(runner(pod: false), pod: nil) == "<operator default>")
    #expect(RunnerImage.shown(runner(image: ""), pod: nil) == "<operator default>")
  }

  @Test func aPodOfAnotherRunnerIsNotTaken() {
    #expect(RunnerImage.shown(runner(), pod: pod(image: configured, owner: "other")) == "<operator default>")
    #expect(RunnerImage.shown(runner(), pod: pod(image: configured, uid: "uid-earlier")) == "<operator default>")
    var unowned = pod(image: configured)
    unowned.metadata.ownerReferences = nil
    #expect(RunnerImage.shown(runner(), pod: unowned) == "<operator default>")
  }

  @Test func wideListingShowsThePodsImage() throws {
    let other = {
      var r = runner(pod: false)
      r.metadata.name = "idle"
      r.metadata.uid = "uid-idle"
      return r
    }()
    let out = try RunnerPrinter.print(
      [runner(), other], format: .wide, now: Date(timeIntervalSince1970: 60),
      pods: [RunnerImage.key(runner()): pod(image: configured)])
    let lines = out.split(separator: "\n").map(String.init)
    #expect(lines.count == 3, "\(out)")
    #expect(lines[1].hasPrefix("demo") && lines[1].contains(configured), "\(out)")
    #expect(lines[2].hasPrefix("idle") && lines[2].contains("<operator default>"), "\(out)")
    #expect(!out.contains(GraDefaults.runnerImage))
  }

  @Test func describeShowsThePodsImage() {
    let withPod = DescribeCommand.render(runner(), events: [], now: Date(), pod: pod(image: configured))
    #expect(withPod.contains("Image:          \(configured)\n"), "\(withPod)")
    let without = DescribeCommand.render(runner(pod: false), events: [], now: Date())
    #expect(without.contains("Image:          <operator default>\n"), "\(without)")
  }

  @Test func mcpRunnerToolsShowThePodsImage() {
    #expect(RunnerTools.summary(runner(), pod: pod(image: configured))["image"] == .string(configured))
    #expect(RunnerTools.summary(runner(pod: false))["image"] == .string("<operator default>"))
    #expect(RunnerTools.describe(runner(), pod: pod(image: configured)).contains("image: \(configured)\n"))
  }
}
