/// Parses Kubernetes resource quantities (`500m`, `2`, `1Gi`, `128974848`, `1e3`) into
/// milli-units, enough to compare requests with a node's allocatable resources.
enum KubeletQuantity {
  static func milli(_ s: String) -> Int64? {
    let t = s.trimmingCharacters(in: .whitespaces)
    guard !t.isEmpty else { return nil }
    let suffixes: [(String, Double)] = [
      ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
      ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
      ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15),
      ("E", 1e18),
    ]
    for (suffix, factor) in suffixes where t.hasSuffix(suffix) {
      guard let v = Double(t.dropLast(suffix.count)) else { return nil }
      return Int64((v * factor * 1000).rounded(.up))
    }
    guard let v = Double(t) else { return nil }
    return Int64((v * 1000).rounded(.up))
  }
}

import Foundation
