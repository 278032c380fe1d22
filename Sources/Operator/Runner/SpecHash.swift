import CRDModels
import Foundation

/// A stable hash of a value's JSON (sorted keys): the same on every run and every replica,
/// unlike `Hasher`, which is seeded per process.
enum SpecHash {
  /// 64-bit FNV-1a over the sorted-key JSON, as 16 hex digits.
  static func of<T: Encodable>(_ value: T) -> String {
    let bytes = (try? KubeJSON.encodeBytes(value)) ?? []
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
