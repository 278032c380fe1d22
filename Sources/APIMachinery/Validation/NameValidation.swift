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

  static func matches(_ value: String, _ pattern: String) -> Bool {
    value.range(of: "^(?:" + pattern + ")$", options: .regularExpression) != nil
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
    if !matches(name, qualifiedNameFmt) {
      errs.append("name part " + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ["MyName", "my.name", "123-abc"]))
    }
    return errs
  }

  /// `IsValidLabelValue`; empty when valid.
  public static func labelValueErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 63 { errs.append("must be no more than 63 characters") }
    if !matches(value, labelValueFmt) {
      errs.append(regexError(labelValueErrMsg, labelValueFmt, ["MyValue", "my_value", "12345"]))
    }
    return errs
  }

  /// `IsDNS1123Subdomain`; empty when valid.
  public static func dns1123SubdomainErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 253 { errs.append("must be no more than 253 characters") }
    if !matches(value, dns1123SubdomainFmt) {
      errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, ["example.com"]))
    }
    return errs
  }

  /// `IsDNS1123Label`; empty when valid.
  public static func dns1123LabelErrors(_ value: String) -> [String] {
    var errs: [String] = []
    if value.utf8.count > 63 { errs.append("must be no more than 63 characters") }
    if !matches(value, dns1123LabelFmt) {
      errs.append(regexError(dns1123LabelErrMsg, dns1123LabelFmt, ["my-name", "123-abc"]))
    }
    return errs
  }
}
