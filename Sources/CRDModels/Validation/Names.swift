/// Kubernetes' rules for names, labels and keys, with the API server's messages.
public enum NameRules {
  /// Label: lowercase letters, digits and `-`, starting and ending with a letter or digit, ≤ 63.
  public static func dns1123LabelProblem(_ s: String, maxLength: Int = 63) -> String? {
    if s.isEmpty { return "must not be empty" }
    if s.count > maxLength { return "must be no more than \(maxLength) characters" }
    if !isDNS1123Label(s) {
      return
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
    }
    return nil
  }

  /// Subdomain: labels joined by dots, ≤ 253.
  public static func dns1123SubdomainProblem(_ s: String) -> String? {
    if s.isEmpty { return "must not be empty" }
    if s.count > 253 { return "must be no more than 253 characters" }
    if !s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({
      isDNS1123Label(String($0))
    }) {
      return
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
    }
    return nil
  }

  /// DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter.
  public static func dns1035LabelProblem(_ s: String, maxLength: Int = 63) -> String? {
    if let p = dns1123LabelProblem(s, maxLength: maxLength) { return p }
    if let f = s.utf8.first, !(f >= 97 && f <= 122) {
      return "a DNS-1035 label must start with a lowercase letter (e.g. 'my-name', or 'abc-123')"
    }
    return nil
  }

  /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of
  /// letters, digits, `-`, `_`, `.` (≤ 63) starting and ending with a letter or digit.
  public static func qualifiedNameProblem(_ s: String) -> String? {
    let parts = s.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count > 2 {
      return
        "a qualified name must be a name with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    }
    if parts.count == 2, let p = dns1123SubdomainProblem(String(parts[0])) {
      return "prefix part " + p
    }
    let name = String(parts.last!)
    if name.isEmpty || name.count > 63 || !isLabelValue(name) {
      return
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters (e.g. 'MyName', or 'my.name', or '123-abc')"
    }
    return nil
  }

  /// A label value: empty, or ≤ 63 of letters, digits, `-`, `_`, `.`, starting and ending alphanumeric.
  public static func labelValueProblem(_ s: String) -> String? {
    if s.isEmpty { return nil }
    if s.count > 63 || !isLabelValue(s) {
      return
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters"
    }
    return nil
  }

  static func isDNS1123Label(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard !b.isEmpty, b.count <= 63 else { return false }
    func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    return alnum(b.first!) && alnum(b.last!) && b.allSatisfy { alnum($0) || $0 == 45 }
  }

  static func isLabelValue(_ s: String) -> Bool {
    let b = Array(s.utf8)
    func alnum(_ c: UInt8) -> Bool {
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    }
    guard let f = b.first, let l = b.last else { return true }
    return alnum(f) && alnum(l) && b.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
  }
}
