import CRDModels
import Foundation

/// Turns the chunks of a watch body into typed events: lines are framed incrementally
/// (``LineFramer``) and each line is decoded once into a `WatchEvent<K>`.
public struct WatchEventDecoder<K: Decodable & Sendable>: Sendable {
  private var framer = LineFramer()
  /// Names the watch in decoding errors.
  let context: String
  /// Objects the client decoded moments ago: an echo of its own write is not decoded twice.
  let recent: RecentlyDecoded?

  public init(context: String = "watch") { self.init(context: context, recent: nil) }

  init(context: String, recent: RecentlyDecoded?) {
    self.context = context
    self.recent = recent
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
    guard let recent, recent.writing, let m = WatchLineScan.members(line), let make = Self.event(m.type) else {
      return try decodeLine(line)
    }
    if let object = recent.take(m.object, as: K.self) { return make(object) }
    let event = try decodeLine(line)
    if let object = event.object { recent.remember(m.object, object) }
    return event
  }

  /// The case of an event that carries an object, from the `type` member's JSON.
  private static func event(_ type: ArraySlice<UInt8>) -> ((K) -> WatchEvent<K>)? {
    if type.elementsEqual(#""ADDED""#.utf8) { return { .added($0) } }
    if type.elementsEqual(#""MODIFIED""#.utf8) { return { .modified($0) } }
    if type.elementsEqual(#""DELETED""#.utf8) { return { .deleted($0) } }
    return nil
  }

  private func decodeLine(_ line: [UInt8]) throws -> WatchEvent<K> {
    do {
      return try KubeJSON.decode(WatchEvent<K>.self, from: line)
    } catch let e as DecodingError {
      let start = String(decoding: line.prefix(120), as: UTF8.self)
      throw KubeError.decoding("\(context): \(KubernetesClient.describe(e)) in event \(start)")
    }
  }
}
