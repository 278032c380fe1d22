import CRDModels
import Foundation

/// A container instance's log file in the CRI format containerd writes:
/// `<RFC3339Nano time> <stdout|stderr> <F|P> <line>` (`P` marks a partial line).
///
/// One file per container instance (`<pod dir>/logs/<container>/<restartCount>.log`), as in
/// `/var/log/pods`, so `previous` reads the instance before the current one.
final class ContainerLogWriter: @unchecked Sendable {
  let url: URL
  private let lock = NSLock()
  private let handle: FileHandle
  private var partial: [String: [UInt8]] = [:]
  private var closed = false
  private static let maxLine = 16 * 1024

  init(url: URL) throws {
    self.url = url
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    handle = try FileHandle(forWritingTo: url)
    handle.seekToEndOfFile()
    OpenLogs.shared.set(url.path, open: true)
  }

  /// Appends bytes read from `stream` (`stdout` or `stderr`).
  func append(stream: String, _ bytes: [UInt8]) {
    lock.lock()
    defer { lock.unlock() }
    guard !closed else { return }
    var buf = partial[stream, default: []] + bytes
    var out = [UInt8]()
    while let nl = buf.firstIndex(of: 10) {
      out += Self.line(stream, "F", buf[..<nl])
      buf.removeSubrange(...nl)
    }
    while buf.count >= Self.maxLine {
      out += Self.line(stream, "P", buf[..<Self.maxLine])
      buf.removeSubrange(..<Self.maxLine)
    }
    partial[stream] = buf
    if !out.isEmpty { handle.write(Data(out)) }
  }

  /// Flushes partial lines (as full ones, as containerd does at end of stream) and closes.
  func close() {
    lock.lock()
    defer { lock.unlock() }
    guard !closed else { return }
    var out = [UInt8]()
    for (stream, buf) in partial.sorted(by: { $0.key < $1.key }) where !buf.isEmpty {
      out += Self.line(stream, "F", buf[...])
    }
    if !out.isEmpty { handle.write(Data(out)) }
    try? handle.close()
    closed = true
    OpenLogs.shared.set(url.path, open: false)
  }

  private static func line(_ stream: String, _ tag: String, _ content: ArraySlice<UInt8>) -> [UInt8] {
    Array("\(RFC3339.format(Date(), fractionalDigits: 9)) \(stream) \(tag) ".utf8) + content + [10]
  }
}

/// Which log files still have a writer (so `follow` knows when to stop).
final class OpenLogs: @unchecked Sendable {
  static let shared = OpenLogs()
  private let lock = NSLock()
  private var open: Set<String> = []
  func set(_ path: String, open isOpen: Bool) {
    lock.lock()
    if isOpen { open.insert(path) } else { open.remove(path) }
    lock.unlock()
  }
  func isOpen(_ path: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return open.contains(path)
  }
}

/// One parsed CRI log line.
struct LogRecord: Equatable {
  var time: Date
  var timestamp: String
  var stream: String
  var partial: Bool
  var content: [UInt8]

  /// Parses `<time> <stream> <tag> <content>`; nil for a malformed line.
  init?(line: ArraySlice<UInt8>) {
    let parts = line.split(separator: 32, maxSplits: 3, omittingEmptySubsequences: false)
    guard parts.count >= 3, let ts = String(bytes: parts[0], encoding: .utf8), let t = RFC3339.parse(ts) else {
      return nil
    }
    time = t
    timestamp = ts
    stream = String(decoding: parts[1], as: UTF8.self)
    partial = parts[2].elementsEqual("P".utf8)
    content = parts.count > 3 ? Array(parts[3]) : []
  }

  /// The bytes as the container wrote them (a newline after full lines).
  func output(timestamps: Bool) -> [UInt8] {
    (timestamps ? Array((timestamp + " ").utf8) : []) + content + (partial ? [] : [10])
  }
}

/// Reads container logs with the `pods/log` options.
enum ContainerLogReader {
  /// The records of a file's complete lines, from byte `offset`; returns the offset after the
  /// last complete line.
  static func records(path: String, from offset: UInt64) -> ([LogRecord], UInt64) {
    guard let h = FileHandle(forReadingAtPath: path) else { return ([], offset) }
    defer { try? h.close() }
    return records(handle: h, from: offset)
  }

  /// As `records(path:from:)`, from a file already open.
  static func records(handle h: FileHandle, from offset: UInt64) -> ([LogRecord], UInt64) {
    h.seek(toFileOffset: offset)
    let data = [UInt8](h.readDataToEndOfFile())
    guard let lastNL = data.lastIndex(of: 10) else { return ([], offset) }
    var out: [LogRecord] = []
    for line in data[...lastNL].split(separator: 10) {
      if let r = LogRecord(line: line) { out.append(r) }
    }
    return (out, offset + UInt64(lastNL + 1))
  }

  /// Applies `sinceSeconds` and `tailLines` (lines counted as the container wrote them).
  static func select(_ records: [LogRecord], options: LogOptions, now: Date) -> [LogRecord] {
    var r = records
    if let since = options.sinceSeconds {
      let cutoff = now.addingTimeInterval(-Double(since))
      r = r.filter { $0.time >= cutoff }
    }
    if let tail = options.tailLines {
      if tail <= 0 { return [] }
      var count = 0
      var start = r.count
      var i = r.count - 1
      while i >= 0 {
        if !r[i].partial {
          if count == tail { break }
          count += 1
        }
        start = i
        i -= 1
      }
      r = Array(r[start...])
    }
    return r
  }

  /// The log as chunks: existing lines, then (with `follow`) new ones until the writer closes.
  ///
  /// The file stays open for the whole stream, as the kubelet's does: a pod deleted while
  /// its log is followed removes the file, and the follower still reads the last lines.
  static func stream(path: String, options: LogOptions) -> AsyncThrowingStream<[UInt8], any Error> {
    AsyncThrowingStream { continuation in
      guard let handle = FileHandle(forReadingAtPath: path) else { return continuation.finish() }
      let task = Task {
        defer { try? handle.close() }
        var remaining = options.limitBytes ?? Int.max
        func emit(_ recs: [LogRecord]) -> Bool {
          var out: [UInt8] = []
          for r in recs { out += r.output(timestamps: options.timestamps) }
          if out.count > remaining { out = Array(out[0..<remaining]) }
          remaining -= out.count
          if !out.isEmpty { continuation.yield(out) }
          return remaining > 0
        }
        var (recs, offset) = records(handle: handle, from: 0)
        guard emit(select(recs, options: options, now: Date())) else { return continuation.finish() }
        while options.follow && !Task.isCancelled {
          let wasOpen = OpenLogs.shared.isOpen(path)
          (recs, offset) = records(handle: handle, from: offset)
          if !recs.isEmpty, !emit(recs) { break }
          if !wasOpen { break }
          try? await Task.sleep(for: .milliseconds(100))
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  /// The last 80 lines or 2048 bytes of a log, whichever is shorter (`FallbackToLogsOnError`).
  static func tail(path: String) -> String {
    let (recs, _) = records(path: path, from: 0)
    var out: [UInt8] = []
    for r in recs.suffix(80) { out += r.output(timestamps: false) }
    if out.count > 2048 { out = Array(out.suffix(2048)) }
    return String(decoding: out, as: UTF8.self)
  }
}
