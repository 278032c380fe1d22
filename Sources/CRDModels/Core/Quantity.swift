import Foundation

/// `resource.Quantity`: a fixed-point number with a suffix, as Kubernetes writes CPU, memory,
/// storage and GPU amounts (`500m`, `1Gi`, `2`, `1e3`).
///
/// Parsing and printing follow apimachinery's `pkg/api/resource`:
/// - the value is exact (never a floating point number) and non-zero values are rounded up,
///   away from zero, to a multiple of 1n (10⁻⁹);
/// - the suffix family (decimal SI `m k M G T P E`, binary SI `Ki … Ei`, or a decimal exponent
///   `e3`) is remembered and reused when printing;
/// - printing uses the canonical form: no fractional digits, the largest suffix that loses no
///   precision (`1000m` → `1`, `0.5` → `500m`, `1.5Gi` → `1536Mi`, `1024Mi` → `1Gi`); binary
///   values below 1024 or with a fraction print as decimal SI;
/// - binary SI values are capped at 2⁶³−1;
/// - like Go, a string that is already canonical (and parsed on Go's fast path) is printed back
///   exactly as written, so `+1` stays `+1` and `1E3` stays `1E3`.
///
/// One deliberate difference: Go prints a decimal SI value of 10²¹ or more without any suffix
/// (so `1000E` would print as `1`); gra prints it with `E` and extra digits (`1000E`).
///
/// Equality, hashing and ordering compare values, as apimachinery's semantic equality does:
/// `Quantity("1") == Quantity("1000m")` even though they print differently.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The suffix family used when printing.
  public enum Format: String, Sendable, Codable {
    case decimalSI = "DecimalSI"
    case binarySI = "BinarySI"
    case decimalExponent = "DecimalExponent"
  }

  /// The magnitude: decimal digits, most significant first, without leading or trailing
  /// zeros (empty for zero). The value is `±digits × 10^exponent`.
  private var digits: [UInt8]
  private var exponent: Int
  private var negative: Bool
  /// How the quantity prints.
  public var format: Format
  /// The input string when Go would print it back unchanged.
  private var verbatim: String?

  /// Zero, printed as `0`.
  public static let zero = Quantity(digits: [], exponent: 0, negative: false, format: .decimalSI)

  private init(
    digits: [UInt8], exponent: Int, negative: Bool, format: Format, verbatim: String? = nil
  ) {
    var d = digits
    var e = exponent
    var firstNonZero = 0
    while firstNonZero < d.count, d[firstNonZero] == 0 { firstNonZero += 1 }
    d.removeFirst(firstNonZero)
    while let last = d.last, last == 0 {
      d.removeLast()
      e += 1
    }
    if d.isEmpty { e = 0 }
    self.digits = d
    self.exponent = e
    self.negative = d.isEmpty ? false : negative
    self.format = format
    self.verbatim = verbatim
  }

  /// Parses a quantity string; throws ``QuantityError`` with Kubernetes' own messages.
  public init(parsing string: String) throws(QuantityError) {
    self = try QuantityParser.parse(string)
  }

  /// An integer amount, e.g. `Quantity(2)` (CPUs) or `Quantity(1 << 30, format: .binarySI)`.
  public init(_ value: Int64, format: Format = .decimalSI) {
    self.init(
      digits: Quantity.decimalDigits(value.magnitude), exponent: 0, negative: value < 0,
      format: format)
  }

  /// `value × 10^scale`, e.g. `Quantity(500, scale: -3)` is `500m`.
  public init(_ value: Int64, scale: Int, format: Format = .decimalSI) {
    self.init(
      digits: Quantity.decimalDigits(value.magnitude), exponent: scale, negative: value < 0,
      format: format)
  }

  /// A thousandth-based amount, e.g. `Quantity(milli: 250)` is `250m`.
  public init(milli: Int64) { self.init(milli, scale: -3) }

  internal static func make(
    digits: [UInt8], exponent: Int, negative: Bool, format: Format, verbatim: String?
  )
    -> Quantity
  {
    Quantity(
      digits: digits, exponent: exponent, negative: negative, format: format, verbatim: verbatim)
  }

  public var isZero: Bool { digits.isEmpty }
  /// -1, 0 or 1.
  public var sign: Int { isZero ? 0 : (negative ? -1 : 1) }

  // MARK: Printing

  /// The canonical string (or the verbatim input when Go keeps it).
  public var description: String { verbatim ?? canonicalString }

  /// The canonical form, ignoring how the input was written.
  public var canonicalString: String {
    if isZero { return "0" }
    var fmt = format
    if fmt == .binarySI {
      let isSmall = Quantity.compareMagnitude(digits, exponent, [1, 0, 2, 4], 0) < 0
      if isSmall || exponent < 0 { fmt = .decimalSI }
    }
    let sign = negative ? "-" : ""
    if fmt == .binarySI {
      // An integer: remove factors of 1024.
      var n = digits + [UInt8](repeating: 0, count: exponent)
      var power = 0
      while power < 6 {
        let (q, r) = Quantity.divide(n, by: 1024)
        if r != 0 { break }
        n = q
        power += 1
      }
      let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
      return sign + Quantity.string(n) + suffixes[power]
    }
    var d = digits
    var e = exponent
    while ((e % 3) + 3) % 3 != 0 {
      d.append(0)
      e -= 1
    }
    if fmt == .decimalExponent {
      return sign + Quantity.string(d) + (e == 0 ? "" : "e\(e)")
    }
    if e > 18 {
      d += [UInt8](repeating: 0, count: e - 18)
      e = 18
    }
    let suffix: String =
      switch e {
      case -9: "n"
      case -6: "u"
      case -3: "m"
      case 3: "k"
      case 6: "M"
      case 9: "G"
      case 12: "T"
      case 15: "P"
      case 18: "E"
      default: ""
      }
    return sign + Quantity.string(d) + suffix
  }

  // MARK: Numbers

  /// `ceil(|q| / 10^scale)` with the sign of `q` (rounded away from zero), saturating at the
  /// `Int64` range. `scaledValue(0)` is Go's `Value()`, `scaledValue(-3)` its `MilliValue()`.
  public func scaledValue(_ scale: Int) -> Int64 {
    if isZero { return 0 }
    let shift = exponent - scale
    var integer: [UInt8]
    var roundUp = false
    if shift >= 0 {
      if digits.count + shift > 19 { return negative ? Int64.min : Int64.max }
      integer = digits + [UInt8](repeating: 0, count: shift)
    } else {
      let keep = digits.count + shift
      integer = keep > 0 ? Array(digits[0..<keep]) : []
      roundUp = true  // the dropped digits are non-zero: digits has no trailing zeros
    }
    var v: UInt64 = 0
    for d in integer {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(d))
      if o1 || o2 { return negative ? Int64.min : Int64.max }
      v = a
    }
    if roundUp { v += 1 }
    if negative { return v > UInt64(Int64.max) ? Int64.min : -Int64(v) }
    return v > UInt64(Int64.max) ? Int64.max : Int64(v)
  }

  /// Go's `Value()`: the value rounded up to an integer.
  public var value: Int64 { scaledValue(0) }
  /// Go's `MilliValue()`: the value in thousandths, rounded up.
  public var milliValue: Int64 { scaledValue(-3) }
  /// An approximation, for display and ratios only.
  public var doubleValue: Double {
    var v = 0.0
    for d in digits { v = v * 10 + Double(d) }
    return (negative ? -v : v) * pow10(exponent)
  }

  private func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(e) { r *= 10 }
    return e < 0 ? 1 / r : r
  }

  // MARK: Comparison

  public static func == (a: Quantity, b: Quantity) -> Bool {
    a.negative == b.negative && a.digits == b.digits && a.exponent == b.exponent
  }
  public func hash(into h: inout Hasher) {
    h.combine(negative)
    h.combine(digits)
    h.combine(exponent)
  }
  public static func < (a: Quantity, b: Quantity) -> Bool {
    if a.sign != b.sign { return a.sign < b.sign }
    let c = compareMagnitude(a.digits, a.exponent, b.digits, b.exponent)
    return a.negative ? c > 0 : c < 0
  }

  // MARK: Digit arithmetic

  static func decimalDigits(_ v: UInt64) -> [UInt8] {
    if v == 0 { return [] }
    return String(v).utf8.map { $0 - 48 }
  }

  static func string(_ d: [UInt8]) -> String {
    var i = 0
    while i < d.count - 1, d[i] == 0 { i += 1 }
    return String(decoding: d[i...].map { $0 + 48 }, as: UTF8.self)
  }

  /// Compares `a × 10^ea` with `b × 10^eb` (normalized digit arrays).
  static func compareMagnitude(_ a: [UInt8], _ ea: Int, _ b: [UInt8], _ eb: Int) -> Int {
    if a.isEmpty || b.isEmpty { return (a.isEmpty ? 0 : 1) - (b.isEmpty ? 0 : 1) }
    let la = a.count + ea
    let lb = b.count + eb
    if la != lb { return la < lb ? -1 : 1 }
    for i in 0..<max(a.count, b.count) {
      let x = i < a.count ? a[i] : 0
      let y = i < b.count ? b[i] : 0
      if x != y { return x < y ? -1 : 1 }
    }
    return 0
  }

  static func multiply(_ d: [UInt8], by m: UInt32) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: d.count)
    var carry: UInt32 = 0
    for i in stride(from: d.count - 1, through: 0, by: -1) {
      let p = UInt32(d[i]) * m + carry
      out[i] = UInt8(p % 10)
      carry = p / 10
    }
    var prefix: [UInt8] = []
    while carry > 0 {
      prefix.insert(UInt8(carry % 10), at: 0)
      carry /= 10
    }
    return prefix + out
  }

  static func divide(_ d: [UInt8], by m: UInt32) -> ([UInt8], UInt32) {
    var out: [UInt8] = []
    out.reserveCapacity(d.count)
    var rem: UInt32 = 0
    for x in d {
      let cur = rem * 10 + UInt32(x)
      out.append(UInt8(cur / m))
      rem = cur % m
    }
    return (out, rem)
  }

  /// Adds one unit at the last position of `d`.
  static func increment(_ d: [UInt8]) -> [UInt8] {
    var out = d
    var i = out.count - 1
    while i >= 0 {
      if out[i] < 9 {
        out[i] += 1
        return out
      }
      out[i] = 0
      i -= 1
    }
    return [1] + out
  }
}

/// A quantity string Kubernetes would refuse, with the API server's own message.
public struct QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
  public var input: String
  public var message: String
  public var description: String { message }

  static func format(_ s: String) -> QuantityError {
    QuantityError(
      input: s,
      message:
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
  }
  static func numeric(_ s: String) -> QuantityError {
    QuantityError(input: s, message: "unable to parse numeric part of quantity")
  }
  static func suffix(_ s: String) -> QuantityError {
    QuantityError(input: s, message: "unable to parse quantity's suffix")
  }
}

extension Quantity: Codable {
  /// Accepts a JSON string (`"500m"`) or a JSON number (`2`, `0.5`), as the API server does.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let text: String
    if let s = try? c.decode(String.self) {
      text = s.trimmingCharacters(in: .whitespaces)
    } else if let i = try? c.decode(Int64.self) {
      text = String(i)
    } else {
      text = String(try c.decode(Double.self))
    }
    do {
      self = try Quantity(parsing: text)
    } catch {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(text): \(error.message)")
    }
  }

  /// Always a JSON string.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}

extension Quantity: ExpressibleByStringLiteral {
  /// For literals in code and tests; traps on an invalid literal.
  public init(stringLiteral value: String) {
    do {
      self = try Quantity(parsing: value)
    } catch {
      preconditionFailure("invalid quantity literal \(value): \(error.message)")
    }
  }
}

extension Quantity: ExpressibleByIntegerLiteral {
  /// `1` for one GPU, `2` for two CPUs.
  public init(integerLiteral value: Int64) { self.init(value) }
}
