import Foundation
import Testing

@testable import APIMachinery

/// The byte-level name checks against the regular expressions kube documents in its messages.
@Suite struct NameValidationTests {
  static let samples: [String] = [
    "", "a", "A", "0", "-", ".", "_", "a-", "-a", "a.", ".a", "a_", "_a", "a-b", "a_b", "a.b", "a..b", "a--b",
    "MyName", "my.name", "123-abc", "example.com", "sub.example.com", "a.-b", "a-.b", "Example.com", "a b",
    "é", "aé", "a/b", "a:b", "x" + String(repeating: "y", count: 70), "1-2-3", "a.b-c.d", "0.0", "A-", "a-Z",
  ]

  static func regex(_ value: String, _ pattern: String) -> Bool {
    value.range(of: "^(?:" + pattern + ")$", options: .regularExpression) != nil
  }

  @Test(arguments: samples) func agreesWithTheRegularExpressions(_ s: String) {
    let u = Substring(s).utf8
    #expect(NameValidation.isQualifiedName(u) == Self.regex(s, NameValidation.qualifiedNameFmt))
    #expect(NameValidation.isDNS1123Label(u) == Self.regex(s, NameValidation.dns1123LabelFmt))
    #expect(NameValidation.isDNS1123Subdomain(s) == Self.regex(s, NameValidation.dns1123SubdomainFmt))
    #expect(
      NameValidation.labelValueErrors(s).isEmpty == (s.utf8.count <= 63 && Self.regex(s, NameValidation.labelValueFmt)))
  }

  /// Go's `$` matches only at the end of the text; ICU's also before a final newline, which let
  /// `a\n` through when these checks were regular expressions.
  @Test func aTrailingNewlineIsInvalidAsInGo() {
    #expect(!NameValidation.labelValueErrors("a\n").isEmpty)
    #expect(!NameValidation.dns1123LabelErrors("a\n").isEmpty)
    #expect(!NameValidation.dns1123SubdomainErrors("a.b\n").isEmpty)
    #expect(!NameValidation.qualifiedNameErrors("a\n").isEmpty)
  }
}
