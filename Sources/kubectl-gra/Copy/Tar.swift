import Foundation

/// One entry of a tar archive, as `kubectl gra cp` reads and writes them.
struct TarEntry: Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    case file
    case directory
    /// The link's target.
    case symlink(String)
  }
  /// Relative path with `/` separators, no leading `./`.
  var name: String
  var kind: Kind
  /// Permission bits.
  var mode: UInt32
  var size: Int64 = 0
  var modified: Int64 = 0
}

/// Writes a tar stream (POSIX ustar, with GNU `L` records for long names and base-256 for
/// sizes of 8 GiB and more, which GNU tar and Python's tarfile read).
struct TarWriter {
  let sink: (ArraySlice<UInt8>) throws -> Void
  private(set) var written: Int64 = 0

  init(sink: @escaping (ArraySlice<UInt8>) throws -> Void) { self.sink = sink }

  private mutating func emit(_ bytes: [UInt8]) throws {
    try sink(bytes[...])
    written += Int64(bytes.count)
  }

  /// Writes the header; for files, follow with ``writeData(_:)`` calls totalling `size`, then
  /// ``finishFile(size:)``.
  mutating func writeHeader(_ e: TarEntry) throws {
    var name = e.name
    if case .directory = e.kind, !name.hasSuffix("/") { name += "/" }
    var linkTarget = ""
    if case .symlink(let t) = e.kind { linkTarget = t }
    if Array(linkTarget.utf8).count > 100 {
      try emit(
        Self.header(
          name: "././@LongLink", mode: 0, size: Int64(linkTarget.utf8.count + 1), mtime: 0, type: "K", link: ""))
      try emit(Self.padded(Array(linkTarget.utf8) + [0]))
    }
    if Array(name.utf8).count > 100 {
      try emit(
        Self.header(name: "././@LongLink", mode: 0, size: Int64(name.utf8.count + 1), mtime: 0, type: "L", link: ""))
      try emit(Self.padded(Array(name.utf8) + [0]))
    }
    let type: Character
    switch e.kind {
    case .file: type = "0"
    case .directory: type = "5"
    case .symlink: type = "2"
    }
    let size: Int64 = e.kind == .file ? e.size : 0
    try emit(Self.header(name: name, mode: e.mode, size: size, mtime: e.modified, type: type, link: linkTarget))
  }

  mutating func writeData(_ bytes: [UInt8]) throws { try emit(bytes) }

  /// Pads the file's data to a whole block.
  mutating func finishFile(size: Int64) throws {
    let rest = Int(size % 512)
    if rest != 0 { try emit([UInt8](repeating: 0, count: 512 - rest)) }
  }

  /// The two zero blocks that end an archive.
  mutating func finish() throws { try emit([UInt8](repeating: 0, count: 1024)) }

  static func padded(_ b: [UInt8]) -> [UInt8] {
    let rest = b.count % 512
    return rest == 0 ? b : b + [UInt8](repeating: 0, count: 512 - rest)
  }

  static func header(name: String, mode: UInt32, size: Int64, mtime: Int64, type: Character, link: String) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ bytes: [UInt8], _ at: Int, _ len: Int) {
      for (i, b) in bytes.prefix(len).enumerated() { h[at + i] = b }
    }
    func octal(_ v: Int64, _ at: Int, _ len: Int) {
      put(Array((String(v, radix: 8).leftPad(len - 1)).utf8) + [0], at, len)
    }
    put(Array(name.utf8), 0, 100)
    octal(Int64(mode & 0o7777), 100, 8)
    octal(0, 108, 8)
    octal(0, 116, 8)
    if size < 0o77777777777 {
      octal(size, 124, 12)
    } else {
      h[124] = 0x80
      var v = size
      for i in stride(from: 135, to: 124, by: -1) {
        h[i] = UInt8(v & 0xFF)
        v >>= 8
      }
    }
    octal(max(0, mtime), 136, 12)
    put(Array("        ".utf8), 148, 8)
    h[156] = type.asciiValue ?? 0x30
    put(Array(link.utf8), 157, 100)
    put(Array("ustar\u{0}00".utf8), 257, 8)
    let sum = h.reduce(0) { $0 + Int($1) }
    put(Array(String(sum, radix: 8).leftPad(6).utf8) + [0, 0x20], 148, 8)
    return h
  }
}

/// Reads a tar stream: ustar, GNU (`L`/`K` long names, base-256 sizes) and pax (`x` path,
/// linkpath and size) headers. Other entry types (devices, hard links, fifos) are reported
/// with ``Kind`` nil so the caller can skip them.
struct TarReader {
  /// Returns up to `n` bytes; fewer only at the end of the input.
  let read: (Int) throws -> [UInt8]

  struct Header {
    var entry: TarEntry?
    /// The entry's type flag, for messages about skipped entries.
    var typeFlag: UInt8
    var name: String
    var size: Int64
  }

  enum Failure: Error, CustomStringConvertible {
    case truncated
    case badHeader(String)
    var description: String {
      switch self {
      case .truncated: return "the tar stream ended in the middle of an entry"
      case .badHeader(let why): return "not a tar stream: \(why)"
      }
    }
  }

  private func exactly(_ n: Int) throws -> [UInt8] {
    let b = try read(n)
    guard b.count == n else { throw Failure.truncated }
    return b
  }

  /// The next header, or nil at the end of the archive. After a file header, call
  /// ``readData(size:chunk:)`` to consume its data.
  func next() throws -> Header? {
    var longName: String?
    var longLink: String?
    var pax: [String: String] = [:]
    while true {
      let h = try read(512)
      if h.isEmpty || h.allSatisfy({ $0 == 0 }) { return nil }
      guard h.count == 512 else { throw Failure.truncated }
      let stored = Self.number(h[148..<156])
      var sum = 0
      for (i, b) in h.enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(b) }
      guard stored == Int64(sum) else { throw Failure.badHeader("header checksum mismatch") }
      let type = h[156]
      var size = Self.number(h[124..<136])
      switch type {
      case UInt8(ascii: "L"), UInt8(ascii: "K"):
        let data = try readAll(size: size)
        let s = Self.cString(data[...])
        if type == UInt8(ascii: "L") { longName = s } else { longLink = s }
        continue
      case UInt8(ascii: "x"):
        pax.merge(Self.paxRecords(try readAll(size: size))) { _, new in new }
        continue
      case UInt8(ascii: "g"):
        _ = try readAll(size: size)
        continue
      default: break
      }
      var name = Self.cString(h[0..<100])
      let prefix = Self.cString(h[345..<500])
      if h[257..<262].elementsEqual("ustar".utf8), !prefix.isEmpty { name = prefix + "/" + name }
      name = pax["path"] ?? longName ?? name
      let link = pax["linkpath"] ?? longLink ?? Self.cString(h[157..<257])
      if let s = pax["size"], let v = Int64(s) { size = v }
      let mode = UInt32(truncatingIfNeeded: Self.number(h[100..<108]))
      let mtime = pax["mtime"].flatMap { Double($0) }.map { Int64($0) } ?? Self.number(h[136..<148])
      let clean = Self.clean(name)
      var entry: TarEntry?
      switch type {
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
        entry = TarEntry(
          name: clean, kind: name.hasSuffix("/") ? .directory : .file, mode: mode, size: size, modified: mtime)
      case UInt8(ascii: "5"): entry = TarEntry(name: clean, kind: .directory, mode: mode, modified: mtime)
      case UInt8(ascii: "2"): entry = TarEntry(name: clean, kind: .symlink(link), mode: mode, modified: mtime)
      case UInt8(ascii: "1"): entry = nil  // a hard link carries no data
      default: try skip(size: size)  // devices, fifos, sparse files: their data is skipped here
      }
      return Header(entry: entry, typeFlag: type, name: clean, size: entry?.kind == .file ? size : 0)
    }
  }

  /// Consumes a file's data in pieces, with its padding.
  func readData(size: Int64, chunk: ([UInt8]) throws -> Void) throws {
    var left = size
    while left > 0 {
      let n = Int(min(left, 1 << 20))
      try chunk(try exactly(n))
      left -= Int64(n)
    }
    let rest = Int(size % 512)
    if rest != 0 { _ = try exactly(512 - rest) }
  }

  func skip(size: Int64) throws { try readData(size: size) { _ in } }

  private func readAll(size: Int64) throws -> [UInt8] {
    guard size <= 1 << 20 else { throw Failure.badHeader("a metadata record of \(size) bytes") }
    var out: [UInt8] = []
    try readData(size: size) { out += $0 }
    return out
  }

  static func cString(_ b: ArraySlice<UInt8>) -> String {
    String(decoding: b.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// Octal (space or NUL terminated), or GNU base-256 when the high bit of the first byte is set.
  static func number(_ b: ArraySlice<UInt8>) -> Int64 {
    if let first = b.first, first & 0x80 != 0 {
      var v: Int64 = Int64(first & 0x7F)
      for byte in b.dropFirst() { v = (v << 8) | Int64(byte) }
      return v
    }
    let s = String(decoding: b.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    return Int64(s, radix: 8) ?? 0
  }

  /// `"%d %s=%s\n"` records.
  static func paxRecords(_ data: [UInt8]) -> [String: String] {
    var out: [String: String] = [:]
    var i = data.startIndex
    while i < data.endIndex {
      guard let space = data[i...].firstIndex(of: 0x20),
        let len = Int(String(decoding: data[i..<space], as: UTF8.self)),
        len > 0, i + len <= data.endIndex
      else { break }
      let record = data[(space + 1)..<(i + len)]
      let body = record.last == 0x0A ? record.dropLast() : record
      if let eq = body.firstIndex(of: UInt8(ascii: "=")) {
        out[String(decoding: body[body.startIndex..<eq], as: UTF8.self)] = String(
          decoding: body[(eq + 1)...], as: UTF8.self)
      }
      i += len
    }
    return out
  }

  /// Drops `./` prefixes and trailing slashes; leaves `..` and leading `/` for the caller to reject.
  static func clean(_ name: String) -> String {
    var n = name
    while n.hasPrefix("./") { n.removeFirst(2) }
    while n.hasSuffix("/") && n.count > 1 { n.removeLast() }
    return n
  }
}

extension String {
  fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
