import Foundation

/// The name and label checks of `k8s.io/apimachinery/pkg/util/validation`, with its messages.
public enum NameValidation {
  static let qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
  static let qualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
  static let labelValueFmt = "(" + qualifiedNameFmt + ")?"
  static let labelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
  static let dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
  static let dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
  static let dns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
  static let dns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"

  /// `validation.RegexError`: note Go's double space before each "or".
  static func regexError(_ msg: String, _ fmt: String, _ examples: [String]) -> String {
    if examples.isEmpty { return msg + " (regex used for validation is '" + fmt + "')" }
    var s = msg + " (e.g. "
    for (i, e) in examples.enumerated() {
      if i > 0 { s += " or " }
      s += "'" + e + "', "
    }
    return s + "regex used for validation is '" + fmt + "')"
  }

  // The four formats above, matched byte by byte: these run for every label, annotation and
  // name of every write, and a regular expression per call cost 8 % of the local API server's
  // CPU at 1,000 Runners. `NameValidationTests` checks them against the expressions.

  static func isAlphanumeric(_ b: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
  }

  static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
  }

  /// `qualifiedNameFmt`: alphanumeric at both ends, `-`, `_` or `.` allowed inside.
  static func isQualifiedName(_ value: Substring.UTF8View) -> Bool {
    guard let first = value.first, let last = value.last, isAlphanumeric(first), isAlphanumeric(last) else {
      return false
    }
    return value.allSatisfy {
      isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
    }
  }

  /// `dns1123LabelFmt`: lower-case alphanumeric at both ends, `-` allowed inside.
  static func isDNS1123Label(_ value: Substring.UTF8View) -> Bool {
    guard let first = value.first, let last = value.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
      return false
    }
    return value.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
  }

  /// `dns1123SubdomainFmt`: DNS-1123 labels joined by dots.
  static func isDNS1123Subdomain(_ value: String) -> Bool {
    value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label($0.utf8) }
  }

  /// `IsQualifiedName` (label and annotation keys, `prefix/name`); empty when valid.
  public static func qualifiedNameErrors(_ value: String) -> [String] {
    var errs: [String] = []
    let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let name: String
    switch parts.count {
    case 1:
      name = parts[0]
    case 2:
      let prefix = parts[0]
      name = parts[1]
      if prefix.isEmpty {
        errs.append("prefix part must be non-empty")
      } else {
        errs += dns1123SubdomainErrors(prefix).map { "prefix part " + $0 }
      }
    default:
      return [
        "a qualified name " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ["MyName", "my.name", "123-abc"])
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
      ]
    }
    if name.isEmpty {
      errs.append("name part must be non-empty")
    } else if name.utf8.count > 63 {
      errs.append("name part must be no more than 63 characters")
    }
    if !isQualifiedName(Substring(name).utf8) {
      errs.append("name part " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ["MyName", "my.name", "123-abc"]))
    }
    return errs
  }

  /// `IsValidLabelValue`; empty when valid.
  public static func labelValueErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 63 { errs.append("must be no more than 63 characters") }
    if !value.isEmpty && !isQualifiedName(Substring(value).utf8) {
      errs.append(regexError(labelValueErrMsg, labelValueFmt, ["MyValue", "my_value", "12345"]))
    }
    return errs
  }

  /// `IsDNS1123Subdomain`; empty when valid.
  public static func dns1123SubdomainErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 253 { errs.append("must be no more than 253 characters") }
    if !isDNS1123Subdomain(value) {
      errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, ["example.com"]))
    }
    return errs
  }

  /// `IsDNS1123Label`; empty when valid.
  public static func dns1123LabelErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 63 { errs.append("must be no more than 63 characters") }
    if !isDNS1123Label(Substring(value).utf8) {
      errs.append(regexError(dns1123LabelErrMsg, dns1123LabelFmt, ["my-name", "123-abc"]))
    }
    return errs
  }
}
