import CRDModels
import Foundation
import Testing

@testable import APIMachinery

/// Throughput figures for the report; run with `GRA_BENCH=1 swift test --filter APIMachineryBenchmarks`.
/// They print, they do not assert.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] != nil))
struct APIMachineryBenchmarks {
  func time(_ label: String, _ n: Int, _ body: () throws -> Void) rethrows {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
      "BENCH \(label): \(n) in \(String(format: "%.3f", seconds)) s = \(String(format: "%.1f", seconds / Double(n) * 1e6)) µs each"
    )
  }

  @Test func figures() throws {
    let schema = StructuralSchema(json: json(StructuralSchemaTests.runnerSchemaJSON))
    let objects = (0..<10_000).map { i in
      json(
        #"{"apiVersion":"gra.dev/v1alpha1","kind":"Runner","metadata":{"name":"r\#(i)","labels":{"app":"gra","i":"\#(i % 10)"}},"spec":{"image":"img","tags":["a"],"env":[{"name":"A"}],"unknown":1}}"#
      )
    }
    try time("normalize+validate runner", objects.count) {
      for o in objects {
        let r = schema.normalize(o)
        if !schema.validate(r.object).isEmpty { throw CancellationError() }
      }
    }
    let selector = try LabelSelectorMatcher.parse("app=gra,i in (1,2,3)")
    var matched = 0
    time("label selector match", objects.count) {
      for o in objects where selector.matches(object: o) { matched += 1 }
    }
    let pod = json(
      #"{"metadata":{"name":"p","finalizers":["a"]},"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"X","value":"1"}]},{"name":"b"}]}}"#
    )
    let patch = json(
      #"{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"a","image":"y"}]}}"#)
    let podSchema = StrategicMergeSchema.forKind(group: "", kind: "Pod")
    try time("strategic merge patch", 10_000) {
      for _ in 0..<10_000 { _ = try StrategicMergePatch.apply(patch, to: pod, schema: podSchema) }
    }
    let authz = RBACAuthorizer(objects: RBACBootstrapPolicy.objects).withAggregatedClusterRoles()
    let attrs = RequestAttributes(
      user: RequestUser(name: "bob", groups: ["system:authenticated"]), verb: "list", resource: "pods", namespace: "x")
    time("RBAC deny over bootstrap policy", 10_000) {
      for _ in 0..<10_000 { _ = authz.authorize(attrs) }
    }
  }
}
