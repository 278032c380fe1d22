import CRDModels
import Foundation

/// The string `format`s the API server checks in custom resources (kube-openapi's `strfmt`
/// registry as apiextensions-apiserver configures it). Unknown formats are not checked, and
/// neither are `int32`/`int64`/`float`/`double`: kube-openapi accepts any integer for
/// `format: int32`.
enum StringFormats {
  /// nil for a format the server does not check.
  static func isValid(format: String, _ s: String) -> Bool? {
    switch format {
    case "date-time", "datetime": return matches(s, dateTime)
    case "date": return matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    case "uuid": return matches(s, "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
    case "uuid3":
      return matches(s, "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?3[0-9a-fA-F]{3}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
    case "uuid4":
      return matches(s, "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?4[0-9a-fA-F]{3}-?[89abAB][0-9a-fA-F]{3}-?[0-9a-fA-F]{12}$")
    case "uuid5":
      return matches(s, "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?5[0-9a-fA-F]{3}-?[89abAB][0-9a-fA-F]{3}-?[0-9a-fA-F]{12}$")
    case "byte": return Data(base64Encoded: s) != nil
    case "ipv4": return isIPv4(s)
    case "ipv6": return s.contains(":") && matches(s, "^[0-9a-fA-F:.]+$")
    case "cidr":
      let parts = s.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let bits = Int(parts[1]) else { return false }
      if isIPv4(String(parts[0])) { return (0...32).contains(bits) }
      return parts[0].contains(":") && (0...128).contains(bits)
    case "hostname":
      return s.utf8.count <= 255
        && matches(
          s, "^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\\.?$")
    case "email": return matches(s, "^[^@\\s]+@[^@\\s]+$")
    case "mac": return matches(s, "^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")
    case "uri": return URL(string: s)?.scheme != nil
    case "duration": return (try? GoDuration(parsing: s)) != nil
    default: return nil
    }
  }

  static let dateTime =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?$"

  static func matches(_ s: String, _ pattern: String) -> Bool {
    s.range(of: pattern, options: .regularExpression) != nil
  }

  static func isIPv4(_ s: String) -> Bool {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4
      && parts.allSatisfy { p in p.count <= 3 && Int(p).map { (0...255).contains($0) } == true && !p.isEmpty }
  }
}
