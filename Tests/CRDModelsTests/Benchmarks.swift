import Foundation
import Testing

@testable import CRDModels

/// Figures, not assertions: run with `GRA_BENCH=1 swift test --filter CRDModelsTests.Benchmarks`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GRA_BENCH"] != nil))
struct Benchmarks {
  private func time(_ label: String, _ n: Int, _ body: () throws -> Void) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<n { try body() }
    let perOp = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n) / 1000
    print("bench \(label): \(String(format: "%.1f", perOp)) µs/op")
  }

  @Test func podDecodeAndWriteBack() throws {
    let data = Data(podJSON.utf8)
    let n = 2000
    try time("decode Pod (typed + raw)", n) { _ = try KubeJSON.decode(Pod.self, from: data) }
    try time("decode Pod (typed + raw), Foundation JSONDecoder", n) {
      _ = try JSONDecoder().decode(Pod.self, from: data)
    }
    try time("decode JSONValue only", n) { _ = try KubeJSON.decode(JSONValue.self, from: data) }
    try time("decode JSONValue only, Foundation JSONDecoder", n) {
      _ = try JSONDecoder().decode(JSONValue.self, from: data)
    }
    var pod = try KubeJSON.decode(Pod.self, from: data)
    pod.spec?.containers[0].image = "x:2"
    try time("encode Pod with three-way merge", n) { _ = try KubeJSON.encode(pod) }
    var plain = pod
    plain.dropRaw()
    try time("encode Pod typed only", n) { _ = try KubeJSON.encode(plain) }
    try time("parse+print quantity", n * 10) { _ = try Quantity(parsing: "1536Mi").description }
  }
}
