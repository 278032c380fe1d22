/// A duration in Go's `time.ParseDuration` syntax (`30m`, `1h30m`, `1.5h`, `300ms`, `-2s`), the
/// format Kubernetes users know from `kubectl wait --timeout` and controller flags.
///
/// Units: `ns`, `us` (also `µs`, `μs`), `ms`, `s`, `m`, `h`; `0` alone needs no unit. Values
/// are whole nanoseconds and must fit in an `Int64`, as in Go.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
  public var nanoseconds: Int64

  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
  public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }

  public var seconds: Double { Double(nanoseconds) / 1e9 }

  public static func < (a: GoDuration, b: GoDuration) -> Bool { a.nanoseconds < b.nanoseconds }

  /// Parses Go's syntax; the error explains what is wrong in Go's words.
  public init(parsing s: String) throws(GoDurationError) {
    let orig = s
    var b = Array(s.unicodeScalars)
    var neg = false
    if let f = b.first, f == "-" || f == "+" {
      neg = f == "-"
      b.removeFirst()
    }
    if b.count == 1, b[0] == "0" {
      self.nanoseconds = 0
      return
    }
    if b.isEmpty { throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"") }
    var total: UInt64 = 0
    var i = 0
    func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    while i < b.count {
      guard isDigit(b[i]) || b[i] == "." else {
        throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"")
      }
      var whole: UInt64 = 0
      var sawDigits = false
      var overflow = false
      while i < b.count, isDigit(b[i]) {
        let (m, o1) = whole.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(UInt64(b[i].value - 48))
        overflow = overflow || o1 || o2
        whole = a
        sawDigits = true
        i += 1
      }
      if overflow { throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"") }
      var frac: UInt64 = 0
      var scale: Double = 1
      if i < b.count, b[i] == "." {
        i += 1
        while i < b.count, isDigit(b[i]) {
          if frac < UInt64(1) << 60 {  // extra digits beyond precision are dropped, as in Go
            frac = frac * 10 + UInt64(b[i].value - 48)
            scale *= 10
          }
          sawDigits = true
          i += 1
        }
      }
      if !sawDigits { throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"") }
      let unitStart = i
      while i < b.count, b[i] != ".", !isDigit(b[i]) { i += 1 }
      let unit = String(String.UnicodeScalarView(b[unitStart..<i]))
      if unit.isEmpty {
        throw GoDurationError(input: orig, message: "missing unit in duration \"\(orig)\"")
      }
      let perUnit: UInt64
      switch unit {
      case "ns": perUnit = 1
      case "us", "µs", "μs": perUnit = 1_000
      case "ms": perUnit = 1_000_000
      case "s": perUnit = 1_000_000_000
      case "m": perUnit = 60_000_000_000
      case "h": perUnit = 3_600_000_000_000
      default:
        throw GoDurationError(
          input: orig, message: "unknown unit \"\(unit)\" in duration \"\(orig)\"")
      }
      let (v, o1) = whole.multipliedReportingOverflow(by: perUnit)
      if o1 || v > UInt64(Int64.max) {
        throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"")
      }
      var part = v
      if frac > 0 {
        part += UInt64(Double(frac) * (Double(perUnit) / scale))
      }
      let (t, o2) = total.addingReportingOverflow(part)
      if o2 || t > UInt64(Int64.max) {
        throw GoDurationError(input: orig, message: "invalid duration \"\(orig)\"")
      }
      total = t
    }
    self.nanoseconds = neg ? -Int64(total) : Int64(total)
  }

  /// Go's `Duration.String()`: `1h30m0s`, `1m32s`, `1.5s`, `500ms`, `0s`.
  public var description: String {
    if nanoseconds == 0 { return "0s" }
    let neg = nanoseconds < 0
    let u = nanoseconds.magnitude
    var out: String
    if u < 1_000_000_000 {
      let (unit, per): (String, UInt64) =
        u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
      out = Self.decimal(u, per) + unit
    } else {
      let h = u / 3_600_000_000_000
      let m = (u / 60_000_000_000) % 60
      let rest = u % 60_000_000_000
      out = Self.decimal(rest, 1_000_000_000) + "s"
      if h > 0 || m > 0 { out = "\(m)m" + out }
      if h > 0 { out = "\(h)h" + out }
    }
    return neg ? "-" + out : out
  }

  private static func decimal(_ v: UInt64, _ per: UInt64) -> String {
    let whole = v / per
    var frac = v % per
    if frac == 0 { return String(whole) }
    var digits = String(frac)
    let width = String(per).count - 1
    digits = String(repeating: "0", count: width - digits.count) + digits
    while digits.hasSuffix("0") {
      digits.removeLast()
      frac /= 10
    }
    return "\(whole).\(digits)"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let s = try c.decode(String.self)
    do {
      self = try GoDuration(parsing: s)
    } catch {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: error.message)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}

/// Why a string is not a Go duration.
public struct GoDurationError: Error, Sendable, Equatable {
  public var input: String
  public var message: String
}
