import CRDModels
import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one line per record as JSON or logfmt.
///
/// Metadata values whose key looks like a secret (`token`, `password`, `secret`,
/// `authorization`, `key` suffixes, …) are replaced by `<redacted>` before anything is
/// written, so a careless `logger.info(…, metadata: ["token": …])` cannot leak one.
public struct StructuredLogHandler: LogHandler {
  public enum Format: String, Sendable, CaseIterable { case json, logfmt }

  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level = .info
  public var metadataProvider: Logger.MetadataProvider?
  private let label: String
  private let format: Format
  private let sink: LogSink

  public init(label: String, format: Format, sink: LogSink = .standardError) {
    self.label = label
    self.format = format
    self.sink = sink
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var all = metadata
    if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
    if let extra = event.metadata { all.merge(extra) { $1 } }
    var fields: [(String, String)] = [
      ("ts", RFC3339.format(Date(), fractionalDigits: 3)), ("level", event.level.rawValue), ("logger", label),
      ("msg", "\(event.message)"),
    ]
    for (k, v) in all.sorted(by: { $0.key < $1.key }) {
      fields.append((k, Self.isSecret(k) ? "<redacted>" : Self.flatten(v)))
    }
    sink.write(format == .json ? Self.json(fields) : Self.logfmt(fields))
  }

  /// True for metadata keys that may carry credentials.
  public static func isSecret(_ key: String) -> Bool {
    let k = key.lowercased()
    return ["token", "password", "passwd", "secret", "authorization", "credential", "privatekey", "private_key"]
      .contains { k.contains($0) } || k.hasSuffix("key") && !k.hasSuffix("objectkey") && k != "key"
  }

  private static func flatten(_ v: Logger.Metadata.Value) -> String {
    switch v {
    case .string(let s): s
    case .stringConvertible(let c): c.description
    case .array(let a): "[" + a.map(flatten).joined(separator: ",") + "]"
    case .dictionary(let d):
      "{"
        + d.sorted { $0.key < $1.key }.map { "\($0.key)=\(isSecret($0.key) ? "<redacted>" : flatten($0.value))" }
        .joined(separator: ",") + "}"
    }
  }

  static func json(_ fields: [(String, String)]) -> String {
    "{" + fields.map { "\(quote($0.0)):\(quote($0.1))" }.joined(separator: ",") + "}"
  }

  static func logfmt(_ fields: [(String, String)]) -> String {
    fields.map { k, v in
      let needsQuotes = v.isEmpty || v.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
      return "\(k)=\(needsQuotes ? quote(v) : v)"
    }.joined(separator: " ")
  }

  private static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }
}

/// Where log lines go: standard error, or a closure (tests).
public struct LogSink: Sendable {
  let write: @Sendable (String) -> Void
  public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }
  func write(_ line: String) { write(line) }

  public static let standardError = LogSink { line in
    let data = Data((line + "\n").utf8)
    FileHandle.standardError.write(data)
  }
}
