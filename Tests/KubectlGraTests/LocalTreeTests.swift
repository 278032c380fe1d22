import Foundation
import Testing

@testable import kubectl_gra

/// Packing a local tree and unpacking a tar locally, with kubectl cp's safety rules.
@Suite struct LocalTreeTests {
  let root: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("gra-localtree-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  func reader(_ path: String) -> TarReader {
    let h = FileHandle(forReadingAtPath: path)!
    return TarReader { Array(h.readData(ofLength: $0)) }
  }

  func tarFile(_ entries: [(String, TarEntry.Kind, String)]) throws -> String {
    let path = root + "/in-\(UUID().uuidString).tar"
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let h = FileHandle(forWritingAtPath: path)!
    var w = TarWriter { h.write(Data($0)) }
    for (name, kind, text) in entries {
      let data = Array(text.utf8)
      try w.writeHeader(TarEntry(name: name, kind: kind, mode: 0o644, size: kind == .file ? Int64(data.count) : 0))
      if kind == .file {
        try w.writeData(data)
        try w.finishFile(size: Int64(data.count))
      }
    }
    try w.finish()
    try h.close()
    return path
  }

  @Test func packThenUnpackReproducesTheTreeUnderTheNewName() throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: root + "/src/sub", withIntermediateDirectories: true)
    try "a".write(toFile: root + "/src/a.txt", atomically: true, encoding: .utf8)
    try "b".write(toFile: root + "/src/sub/b.txt", atomically: true, encoding: .utf8)
    chmod(root + "/src/a.txt", 0o755)
    try fm.createSymbolicLink(atPath: root + "/src/sub/up", withDestinationPath: "../a.txt")
    let tar = root + "/out.tar"
    _ = fm.createFile(atPath: tar, contents: nil)
    let h = FileHandle(forWritingAtPath: tar)!
    try LocalTree.pack(root + "/src", into: h)
    try h.close()
    let n = try LocalTree.unpack(reader(tar), to: root + "/copy", warn: { Issue.record("unexpected warning \($0)") })
    #expect(n == 5)
    #expect(try String(contentsOfFile: root + "/copy/sub/b.txt", encoding: .utf8) == "b")
    #expect(try fm.destinationOfSymbolicLink(atPath: root + "/copy/sub/up") == "../a.txt")
    #expect((try fm.attributesOfItem(atPath: root + "/copy/a.txt")[.posixPermissions] as? Int) == 0o755)
  }

  @Test func refusesMembersThatClimbOut() throws {
    let tar = try tarFile([("x", .directory, ""), ("x/../../escaped", .file, "pwned")])
    #expect(throws: LocalTree.Failure.self) { try LocalTree.unpack(reader(tar), to: root + "/dest", warn: { _ in }) }
    #expect(!FileManager.default.fileExists(atPath: root + "/escaped"))
  }

  @Test func refusesAbsoluteMembers() throws {
    let tar = try tarFile([("/etc/gra-test-absolute", .file, "pwned")])
    #expect(throws: LocalTree.Failure.self) { try LocalTree.unpack(reader(tar), to: root + "/dest", warn: { _ in }) }
    #expect(!FileManager.default.fileExists(atPath: "/etc/gra-test-absolute"))
  }

  @Test func skipsSymlinksThatPointOutside() throws {
    let tar = try tarFile([
      ("x", .directory, ""), ("x/abs", .symlink("/etc/passwd"), ""), ("x/up", .symlink("../../secret"), ""),
    ])
    let warnings = Warnings()
    try LocalTree.unpack(reader(tar), to: root + "/dest", warn: { warnings.add($0) })
    #expect(warnings.list.count == 2)
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/dest/abs")) == nil)
  }

  final class Warnings: @unchecked Sendable {
    var list: [String] = []
    func add(_ s: String) { list.append(s) }
  }

  @Test func aDestinationThatIsADirectoryReceivesTheSourceInside() throws {
    try FileManager.default.createDirectory(atPath: root + "/existing", withIntermediateDirectories: true)
    #expect(LocalTree.target(dest: root + "/existing", name: "f") == root + "/existing/f")
    #expect(LocalTree.target(dest: root + "/new/", name: "f") == root + "/new/f")
    #expect(LocalTree.target(dest: root + "/new", name: "f") == root + "/new")
  }

  @Test(arguments: [
    ("..", 0, true), ("../x", 1, false), ("../../x", 1, true), ("a/../../b", 0, true), ("./a", 0, false),
  ])
  func linkEscapes(link: String, depth: Int, escapes: Bool) {
    #expect(LocalTree.escapes(link, depth: depth) == escapes)
  }
}
