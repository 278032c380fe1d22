import CRDModels
import Foundation

/// Turns the chunks of a watch body into typed events: lines are framed incrementally
/// (``LineFramer``) and each line is decoded once into a `WatchEvent<K>`.
public struct WatchEventDecoder<K: Decodable & Sendable>: Sendable {
  private var framer = LineFramer()
  /// Names the watch in decoding errors.
  let context: String
  /// What the client's own writes returned: their echoes are not decoded again.
  let written: WrittenObjects?

  public init(context: String = "watch") { self.init(context: context, written: nil) }

  init(context: String, written: WrittenObjects?) {
    self.context = context
    self.written = written
  }

  /// The events completed by `chunk`.
  public mutating func push<C: Collection<UInt8>>(_ chunk: C) throws -> [WatchEvent<K>] {
    try framer.push(chunk).map(decode)
  }

  /// The event in an unterminated last line, if the body ended without a newline.
  public mutating func finish() throws -> WatchEvent<K>? {
    try framer.finish().map(decode)
  }

  func decode(_ line: [UInt8]) throws -> WatchEvent<K> {
    if let written, !written.isEmpty, let m = WatchLineScan.members(line),
      let object = written.object(m.object, as: K.self)
    {
      switch m.type {
      case _ where m.type.elementsEqual(#""ADDED""#.utf8): return .added(object)
      case _ where m.type.elementsEqual(#""MODIFIED""#.utf8): return .modified(object)
      case _ where m.type.elementsEqual(#""DELETED""#.utf8): return .deleted(object)
      default: break
      }
    }
    do {
      return try KubeJSON.decode(WatchEvent<K>.self, from: line)
    } catch let e as DecodingError {
      let start = String(decoding: line.prefix(120), as: UTF8.self)
      throw KubeError.decoding("\(context): \(KubernetesClient.describe(e)) in event \(start)")
    }
  }
}
