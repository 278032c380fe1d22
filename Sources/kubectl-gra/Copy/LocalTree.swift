import Foundation

/// Packs a local file or directory into a tar file, and unpacks a tar into a local path, with
/// `kubectl cp`'s safety rules: nothing is written outside the destination (absolute names and
/// `..` are refused, symlinks pointing outside are skipped with a warning).
enum LocalTree {
  struct Failure: Error, CustomStringConvertible {
    var description: String
    var notFound = false
  }

  /// Tars `path` (a symlink given as the path is followed) with root name `basename(path)`.
  /// Returns the number of bytes written.
  @discardableResult
  static func pack(_ path: String, into out: FileHandle) throws -> Int64 {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
      throw Failure(description: "\(path): no such file or directory", notFound: true)
    }
    var writer = TarWriter { out.write(Data($0)) }
    let root = (path as NSString).standardizingPath
    let rootName = (root as NSString).lastPathComponent
    try add(root, name: rootName.isEmpty || rootName == "/" ? "root" : rootName, follow: true, writer: &writer)
    try writer.finish()
    return writer.written
  }

  private static func add(_ path: String, name: String, follow: Bool, writer: inout TarWriter) throws {
    var st = stat()
    let rc = follow ? stat(path, &st) : lstat(path, &st)
    guard rc == 0 else { throw Failure(description: "\(path): \(String(cString: strerror(errno)))") }
    let mode = UInt32(st.st_mode) & 0o7777
    let mtime = Int64(st.st_mtim.tv_sec)
    switch UInt32(st.st_mode) & UInt32(S_IFMT) {
    case UInt32(S_IFDIR):
      try writer.writeHeader(TarEntry(name: name, kind: .directory, mode: mode, modified: mtime))
      let children = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
      for c in children { try add(path + "/" + c, name: name + "/" + c, follow: false, writer: &writer) }
    case UInt32(S_IFLNK):
      let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
      try writer.writeHeader(TarEntry(name: name, kind: .symlink(target), mode: mode, modified: mtime))
    case UInt32(S_IFREG):
      let size = Int64(st.st_size)
      try writer.writeHeader(TarEntry(name: name, kind: .file, mode: mode, size: size, modified: mtime))
      guard let h = FileHandle(forReadingAtPath: path) else { throw Failure(description: "\(path): cannot read") }
      defer { try? h.close() }
      var left = size
      while left > 0 {
        let data = h.readData(ofLength: Int(min(left, 1 << 20)))
        if data.isEmpty { throw Failure(description: "\(path): changed size while being read") }
        try writer.writeData(Array(data))
        left -= Int64(data.count)
      }
      try writer.finishFile(size: size)
    default:
      FileHandle.standardError.write(Data("warning: skipping \(path): not a file, directory or symlink\n".utf8))
    }
  }

  /// Where a copy of something named `name` lands for destination `dest`: inside `dest` when
  /// it is an existing directory or ends in `/`, else `dest` itself.
  static func target(dest: String, name: String) -> String {
    var isDir: ObjCBool = false
    let expanded = (dest as NSString).expandingTildeInPath
    if dest.hasSuffix("/") || (FileManager.default.fileExists(atPath: expanded, isDirectory: &isDir) && isDir.boolValue)
    {
      return (expanded as NSString).appendingPathComponent(name)
    }
    return expanded
  }

  /// Unpacks a tar whose entries share one root component to `target`: that root becomes
  /// `target` and everything else goes below it. Returns the number of entries written.
  @discardableResult
  static func unpack(_ reader: TarReader, to destination: String, warn: (String) -> Void) throws -> Int {
    let fm = FileManager.default
    let target = destination.hasPrefix("/") ? destination : fm.currentDirectoryPath + "/" + destination
    let parent = (target as NSString).deletingLastPathComponent
    if !parent.isEmpty { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
    var count = 0
    while let h = try reader.next() {
      guard let entry = h.entry else {
        warn("skipping \(h.name): not a file, directory or symlink")
        continue
      }
      var parts = entry.name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
      guard !entry.name.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
        throw Failure(description: "refusing archive member \"\(entry.name)\": it would land outside \(target)")
      }
      parts.removeFirst()
      let path = parts.isEmpty ? target : target + "/" + parts.joined(separator: "/")
      switch entry.kind {
      case .directory:
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, mode_t(entry.mode == 0 ? 0o755 : entry.mode))
      case .file:
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        guard fm.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
          throw Failure(description: "\(path): cannot create the file")
        }
        defer { try? h.close() }
        try reader.readData(size: entry.size) { h.write(Data($0)) }
        chmod(path, mode_t(entry.mode & 0o777 == 0 ? 0o644 : entry.mode & 0o777))
      case .symlink(let linkTarget):
        let depth = parts.count - 1
        if linkTarget.hasPrefix("/") || escapes(linkTarget, depth: depth) {
          warn("skipping symlink \(entry.name) -> \(linkTarget): it points outside the copy")
          continue
        }
        try? fm.removeItem(atPath: path)
        try fm.createSymbolicLink(atPath: path, withDestinationPath: linkTarget)
      }
      count += 1
    }
    return count
  }

  /// Whether a relative link `depth` directories below the copy's root climbs out of it.
  static func escapes(_ link: String, depth: Int) -> Bool {
    var level = depth
    for part in link.split(separator: "/") {
      if part == ".." { level -= 1 } else if part != "." { level += 1 }
      if level < 0 { return true }
    }
    return false
  }
}
