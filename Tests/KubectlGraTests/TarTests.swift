import Foundation
import Testing

@testable import kubectl_gra

/// The tar writer and reader, including what Python's tarfile and GNU tar produce.
@Suite struct TarTests {
  func archive(_ build: (inout TarWriter) throws -> Void) throws -> [UInt8] {
    let box = Box()
    var w = TarWriter { box.bytes += $0 }
    try build(&w)
    try w.finish()
    return box.bytes
  }

  final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }

  func read(_ bytes: [UInt8]) throws -> [(TarEntry, [UInt8])] {
    var offset = 0
    let r = TarReader { n in
      let end = min(offset + n, bytes.count)
      defer { offset = end }
      return Array(bytes[offset..<end])
    }
    var out: [(TarEntry, [UInt8])] = []
    while let h = try r.next() {
      guard let e = h.entry else { continue }
      var data: [UInt8] = []
      try r.readData(size: h.size) { data += $0 }
      out.append((e, data))
    }
    return out
  }

  @Test func roundTripsFilesDirectoriesSymlinksAndLongNames() throws {
    let long = "dir/" + String(repeating: "n", count: 150) + ".txt"
    let target = String(repeating: "t", count: 120)
    let content = Array("hello".utf8)
    let bytes = try archive { w in
      try w.writeHeader(TarEntry(name: "dir", kind: .directory, mode: 0o755))
      try w.writeHeader(TarEntry(name: long, kind: .file, mode: 0o640, size: 5))
      try w.writeData(content)
      try w.finishFile(size: 5)
      try w.writeHeader(TarEntry(name: "dir/link", kind: .symlink(target), mode: 0o777))
    }
    #expect(bytes.count % 512 == 0)
    let entries = try read(bytes)
    #expect(entries.map(\.0.name) == ["dir", long, "dir/link"])
    #expect(entries[0].0.kind == .directory)
    #expect(entries[1].0.mode == 0o640 && entries[1].1 == content)
    #expect(entries[2].0.kind == .symlink(target))
  }

  @Test func readsPaxPathsAndSizes() throws {
    // A pax extended header (as Python's default PAX_FORMAT writes for non-ASCII names).
    let name = "café/ü.txt"
    let record = " path=\(name)\n"
    var len = record.utf8.count + 2
    if String(len).count + record.utf8.count != len { len = String(len + 1).count + record.utf8.count }
    let pax = Array("\(len)\(record)".utf8)
    var bytes = TarWriter.header(name: "PaxHeader", mode: 0, size: Int64(pax.count), mtime: 0, type: "x", link: "")
    bytes += TarWriter.padded(pax)
    bytes += TarWriter.header(name: "caf_/_.txt", mode: 0o644, size: 2, mtime: 0, type: "0", link: "")
    bytes += TarWriter.padded(Array("ok".utf8))
    bytes += [UInt8](repeating: 0, count: 1024)
    let entries = try read(bytes)
    #expect(entries.count == 1)
    #expect(entries[0].0.name == name && entries[0].1 == Array("ok".utf8))
  }

  @Test func aCorruptHeaderIsAnError() throws {
    var bytes = TarWriter.header(name: "a", mode: 0o644, size: 0, mtime: 0, type: "0", link: "")
    bytes[0] = UInt8(ascii: "b")  // checksum no longer matches
    #expect(throws: TarReader.Failure.self) { try read(bytes + [UInt8](repeating: 0, count: 1024)) }
  }

  @Test func aTruncatedFileIsAnError() throws {
    let bytes = TarWriter.header(name: "a", mode: 0o644, size: 1000, mtime: 0, type: "0", link: "") + [1, 2, 3]
    #expect(throws: TarReader.Failure.self) { try read(bytes) }
  }

  @Test func hugeSizesUseBase256() {
    let h = TarWriter.header(name: "big", mode: 0o644, size: 10 << 30, mtime: 0, type: "0", link: "")
    #expect(TarReader.number(h[124..<136]) == 10 << 30)
    #expect(TarReader.number(ArraySlice(Array("0000644 \u{0}".utf8))) == 0o644)
  }
}
