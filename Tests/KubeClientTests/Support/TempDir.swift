import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDir {
  let path: String
  init() throws {
    path = NSTemporaryDirectory() + "kubeclient-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  @discardableResult
  func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
    let p = path + "/" + name
    try FileManager.default.createDirectory(
      atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: p) }
    return p
  }
  func remove() { try? FileManager.default.removeItem(atPath: path) }
}
