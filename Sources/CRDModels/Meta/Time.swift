import Foundation

/// `metav1.Time`: RFC 3339 in UTC with whole seconds, e.g. `2024-05-01T10:00:00Z`.
///
/// Decoding also accepts fractional seconds and offsets, as the API server does.
public struct Time: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public var date: Date
  public init(_ date: Date) { self.date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
  public static func now() -> Time { Time(Date()) }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let s = try c.decode(String.self)
    guard let d = RFC3339.parse(s) else {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 time: \(s)")
    }
    self.date = d
  }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
  public var description: String { RFC3339.format(date, fractionalDigits: 0) }
  public static func < (a: Time, b: Time) -> Bool { a.date < b.date }
}

/// `metav1.MicroTime`: RFC 3339 in UTC with exactly six fractional digits
/// (`2024-05-01T10:00:00.123456Z`), used by Leases and events.k8s.io/v1 Events.
public struct MicroTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public var date: Date
  public init(_ date: Date) {
    self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded(.down) / 1_000_000)
  }
  public static func now() -> MicroTime { MicroTime(Date()) }
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let s = try c.decode(String.self)
    guard let d = RFC3339.parse(s) else {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 time: \(s)")
    }
    self.date = d
  }
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
  public var description: String { RFC3339.format(date, fractionalDigits: 6) }
  public static func < (a: MicroTime, b: MicroTime) -> Bool { a.date < b.date }
}

/// RFC 3339 parsing and formatting without `DateFormatter` (which is slow and not Sendable).
public enum RFC3339 {
  /// Formats `date` in UTC with `fractionalDigits` digits after the seconds (0 omits the dot).
  public static func format(_ date: Date, fractionalDigits: Int) -> String {
    let t = date.timeIntervalSince1970
    let secs = Int64(t.rounded(.down))
    var (days, rem) = secs.quotientAndRemainder(dividingBy: 86_400)
    if rem < 0 {
      rem += 86_400
      days -= 1
    }
    let (y, m, d) = civil(fromDays: days)
    let hh = rem / 3600
    let mm = (rem % 3600) / 60
    let ss = rem % 60
    var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2))"
    if fractionalDigits > 0 {
      var scale: Int64 = 1
      for _ in 0..<fractionalDigits { scale *= 10 }
      let frac = Int64(((t - Double(secs)) * Double(scale)).rounded(.down))
      s += "." + pad(min(frac, scale - 1), fractionalDigits)
    }
    return s + "Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; nil when malformed.
  public static func parse(_ s: String) -> Date? {
    let b = Array(s.utf8)
    guard b.count >= 20 else { return nil }
    func num(_ from: Int, _ len: Int) -> Int64? {
      var v: Int64 = 0
      for i in from..<(from + len) {
        guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
        v = v * 10 + Int64(b[i] - 48)
      }
      return v
    }
    guard let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
      b[10] == 84 || b[10] == 116, let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58,
      let se = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61
    else { return nil }
    var i = 19
    var frac = 0.0
    if i < b.count, b[i] == 46 {
      i += 1
      var scale = 0.1
      let start = i
      while i < b.count, b[i] >= 48, b[i] <= 57 {
        frac += Double(b[i] - 48) * scale
        scale /= 10
        i += 1
      }
      if i == start { return nil }
    }
    guard i < b.count else { return nil }
    var offset: Int64 = 0
    if b[i] == 90 || b[i] == 122 {
      i += 1
    } else if b[i] == 43 || b[i] == 45 {
      guard let oh = num(i + 1, 2), b.count > i + 3, b[i + 3] == 58, let om = num(i + 4, 2) else { return nil }
      offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
      i += 6
    } else {
      return nil
    }
    guard i == b.count else { return nil }
    let days = days(fromCivil: y, mo, d)
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset
    return Date(timeIntervalSince1970: Double(secs) + frac)
  }

  private static func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  }

  // Howard Hinnant's days-from-civil algorithms.
  private static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
  private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }
}
