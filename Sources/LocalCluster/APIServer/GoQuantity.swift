import APIMachinery
import Foundation

/// How kube-apiserver holds a `resource.Quantity` after decoding a pod (apimachinery's
/// `ParseQuantity` fast path, then the v1 defaulter's `RoundUp(-3)`), printed with Go's `%#v`.
///
/// Some validation errors pass the Quantity itself as the bad value (`ValidateResourceQuantityValue`'s
/// `must be an integer`); `Quantity.String` has a pointer receiver, so `field.Error` prints the
/// struct: `resource.Quantity{i:resource.int64Amount{value:5, scale:-1}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}`.
/// Values Go keeps as an `inf.Dec` (more than 18 digits, a fraction of a binary suffix, below
/// 1n) print a pointer there, which differs per process; a fixed one is printed.
struct GoQuantity {
  var value: Int64 = 0
  var scale: Int = 0
  var isDec = false
  var s = ""
  var format = "DecimalSI"

  init?(parsing input: String) {
    let str = input.trimmingCharacters(in: .whitespaces)
    if str.isEmpty { return nil }
    if str == "0" {
      s = str
      return
    }
    guard let p = Self.split(str), let (exponent, format) = Self.suffix(p.suffix) else { return nil }
    self.format = format
    var scale = 0
    var precision = 0
    var mantissa: Int64 = 1
    if format == "BinarySI" {
      if exponent >= 0 && p.denom.isEmpty {
        mantissa = 1 << Int64(exponent)
        precision = 15 - p.num.count - Int(Float(exponent) * 3 / 10) - 1
      } else {
        precision = -1
      }
    } else {
      scale = exponent
      precision = 18 - (p.num.count + p.denom.count)
    }
    if precision >= 0 {
      scale -= p.denom.count
      let shifted = p.num + p.denom
      if scale >= -9, let v = Int64(shifted) {
        let (result, overflow) = v.multipliedReportingOverflow(by: mantissa)
        if !overflow {
          self.value = p.positive ? result : -result
          self.scale = scale
          if format == "BinarySI" {
            if exponent % 10 == 0 && v & 7 != 0 { s = str }
          } else if scale % 3 == 0 && !shifted.hasSuffix("000") && shifted.first != "0" {
            s = str
          }
          roundUpToMilli()
          return
        }
      }
    }
    isDec = true
  }

  /// The v1 defaulter's `RoundUp(-3)`: finer values go up to a multiple of 1m and forget
  /// their string.
  private mutating func roundUpToMilli() {
    guard !isDec, scale < -3 else { return }
    s = ""
    var v = value.magnitude
    var rest: UInt64 = 0
    for _ in 0..<(-3 - scale) {
      rest |= v % 10
      v /= 10
    }
    if rest != 0 { v += 1 }
    value = value < 0 ? -Int64(v) : Int64(v)
    scale = -3
  }

  /// `%#v` of the struct.
  var goSyntax: String {
    let i = isDec ? "resource.int64Amount{value:0, scale:0}" : "resource.int64Amount{value:\(value), scale:\(scale)}"
    let d = isDec ? "resource.infDecAmount{Dec:(*inf.Dec)(0xc000010000)}" : "resource.infDecAmount{Dec:(*inf.Dec)(nil)}"
    return "resource.Quantity{i:\(i), d:\(d), s:\(GoFormat.quote(s)), Format:\(GoFormat.quote(format))}"
  }

  private struct Parts {
    var positive = true
    var num = ""
    var denom = ""
    var suffix = ""
  }

  /// apimachinery's `parseQuantityString`: sign, numerator without leading zeros, fraction,
  /// suffix.
  private static func split(_ str: String) -> Parts? {
    var p = Parts()
    var chars = Substring(str)
    if let f = chars.first, f == "+" || f == "-" {
      p.positive = f == "+"
      chars = chars.dropFirst()
    }
    chars = chars.drop { $0 == "0" }
    let num = chars.prefix { $0.isASCII && $0.isNumber }
    chars = chars.dropFirst(num.count)
    p.num = num.isEmpty ? "0" : String(num)
    if chars.first == "." {
      chars = chars.dropFirst()
      let denom = chars.prefix { $0.isASCII && $0.isNumber }
      p.denom = String(denom)
      chars = chars.dropFirst(denom.count)
    }
    p.suffix = String(chars)
    return p
  }

  /// apimachinery's suffixer: the decimal exponent (or binary, for `Ki`…) and the format.
  private static func suffix(_ s: String) -> (Int, String)? {
    let decimal: [String: Int] = [
      "": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    if let e = decimal[s] { return (e, "DecimalSI") }
    let binary: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]
    if let e = binary[s] { return (e, "BinarySI") }
    if let f = s.first, f == "e" || f == "E", let e = Int(s.dropFirst()) { return (e, "DecimalExponent") }
    return nil
  }
}
