/// The scanner behind ``Quantity/init(parsing:)``, following apimachinery's
/// `parseQuantityString` and `ParseQuantity` (including which inputs Go prints back verbatim).
enum QuantityParser {
  static func parse(_ str: String) throws(QuantityError) -> Quantity {
    if str.isEmpty { throw .format(str) }
    if str == "0" {
      return .make(digits: [], exponent: 0, negative: false, format: .decimalSI, verbatim: "0")
    }
    let b = Array(str.utf8)
    let end = b.count
    var pos = 0
    var negative = false
    if b[0] == UInt8(ascii: "-") {
      negative = true
      pos += 1
    } else if b[0] == UInt8(ascii: "+") {
      pos += 1
    }
    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    while pos < end, b[pos] == UInt8(ascii: "0") { pos += 1 }
    var num: [UInt8] = []
    var denom: [UInt8] = []
    var suffix: [UInt8] = []
    scan: do {
      while pos < end, isDigit(b[pos]) {
        num.append(b[pos] - 48)
        pos += 1
      }
      if pos < end, b[pos] == UInt8(ascii: ".") {
        pos += 1
        while pos < end, isDigit(b[pos]) {
          denom.append(b[pos] - 48)
          pos += 1
        }
      }
      let suffixStart = pos
      let letters = Set("eEinumkKMGTP".utf8)
      while pos < end, letters.contains(b[pos]) { pos += 1 }
      if pos < end, b[pos] == UInt8(ascii: "-") || b[pos] == UInt8(ascii: "+") { pos += 1 }
      while pos < end, isDigit(b[pos]) { pos += 1 }
      if pos < end { throw .format(str) }
      suffix = Array(b[suffixStart..<end])
    }
    let numberLength = max(num.count, 1) + denom.count

    // Interpret the suffix.
    let base: Int
    let power: Int
    let format: Quantity.Format
    switch String(decoding: suffix, as: UTF8.self) {
    case "": (base, power, format) = (10, 0, .decimalSI)
    case "n": (base, power, format) = (10, -9, .decimalSI)
    case "u": (base, power, format) = (10, -6, .decimalSI)
    case "m": (base, power, format) = (10, -3, .decimalSI)
    case "k": (base, power, format) = (10, 3, .decimalSI)
    case "M": (base, power, format) = (10, 6, .decimalSI)
    case "G": (base, power, format) = (10, 9, .decimalSI)
    case "T": (base, power, format) = (10, 12, .decimalSI)
    case "P": (base, power, format) = (10, 15, .decimalSI)
    case "E": (base, power, format) = (10, 18, .decimalSI)
    case "Ki": (base, power, format) = (2, 10, .binarySI)
    case "Mi": (base, power, format) = (2, 20, .binarySI)
    case "Gi": (base, power, format) = (2, 30, .binarySI)
    case "Ti": (base, power, format) = (2, 40, .binarySI)
    case "Pi": (base, power, format) = (2, 50, .binarySI)
    case "Ei": (base, power, format) = (2, 60, .binarySI)
    case let s where s.count > 1 && (s.first == "e" || s.first == "E"):
      guard let e = parseGoInt(s.dropFirst()) else { throw .suffix(str) }
      (base, power, format) = (10, e, .decimalExponent)
    default:
      throw .suffix(str)
    }

    // Would Go keep the input string as the printed form (its int64 fast path)?
    var verbatim: String? = nil
    let shifted = (num.isEmpty ? [0] : num) + denom
    let value = shifted.reduce(UInt64(0)) { $0 &* 10 &+ UInt64($1) }
    if format == .binarySI {
      let precision = 15 - max(num.count, 1) - Int(Float(power) * 3 / 10) - 1
      if denom.isEmpty, precision >= 0, value & 0x07 != 0 { verbatim = str }
    } else if 18 - numberLength >= 0, power - denom.count >= -9 {
      let scale = power - denom.count
      if scale % 3 == 0, !(shifted.count >= 3 && shifted.suffix(3) == [0, 0, 0]), shifted[0] != 0 {
        verbatim = str
      }
    }

    // The exact value: digits × 10^exponent.
    var digits = num + denom
    var exponent = -denom.count
    if base == 10 {
      exponent += power
    } else {
      for _ in 0..<(power / 10) { digits = Quantity.multiply(digits, by: 1024) }
    }
    while let f = digits.first, f == 0 { digits.removeFirst() }
    while let l = digits.last, l == 0 {
      digits.removeLast()
      exponent += 1
    }
    // Round non-zero values up (away from zero) to a multiple of 1n.
    if !digits.isEmpty, exponent < -9 {
      let drop = -9 - exponent
      if drop >= digits.count {
        digits = [1]
      } else {
        digits = Quantity.increment(Array(digits[0..<(digits.count - drop)]))
      }
      exponent = -9
    }
    var fmt = format
    if fmt == .binarySI {
      let maxInt64: [UInt8] = Quantity.decimalDigits(UInt64(Int64.max))
      if Quantity.compareMagnitude(digits, exponent, maxInt64, 0) > 0 {
        digits = maxInt64
        exponent = 0
      }
      if !digits.isEmpty, Quantity.compareMagnitude(digits, exponent, [1], 0) < 0 {
        fmt = .decimalSI
      }
    }
    return .make(
      digits: digits, exponent: exponent, negative: negative, format: fmt, verbatim: verbatim)
  }

  /// `strconv.ParseInt(s, 10, 64)` for exponents: optional sign, then at least one digit.
  private static func parseGoInt(_ s: Substring) -> Int? {
    var t = s
    var neg = false
    if let f = t.first, f == "+" || f == "-" {
      neg = f == "-"
      t = t.dropFirst()
    }
    guard !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isNumber }), t.count < 10, let v = Int(t)
    else { return nil }
    return neg ? -v : v
  }
}
