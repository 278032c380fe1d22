/// Checks of a container image reference (`[registry[:port]/]path[:tag][@digest]`) by the
/// grammar of the distribution project's `reference` package, which is what a container runtime
/// parses: a reference it rejects would leave every Runner's pod in `InvalidImageName`.
enum ImageReference {
  /// What is wrong with `reference`, or nil when it is a valid reference.
  static func problem(_ reference: String) -> String? {
    if reference.isEmpty { return "is empty" }
    if reference.contains(where: { $0.isWhitespace }) { return "contains a space" }
    var rest = Substring(reference)
    if let at = rest.firstIndex(of: "@") {
      let digest = rest[rest.index(after: at)...]
      rest = rest[..<at]
      guard digest.wholeMatch(of: /[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}/) != nil else {
        return "has an invalid digest \"\(digest)\" (expected e.g. sha256: and 64 hex digits)"
      }
    }
    let lastSlash = rest.lastIndex(of: "/")
    if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
      let tag = rest[rest.index(after: colon)...]
      rest = rest[..<colon]
      guard tag.wholeMatch(of: /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/) != nil else {
        return "has an invalid tag \"\(tag)\" (letters, digits, _ . -, at most 128, not starting with . or -)"
      }
    }
    if rest.isEmpty { return "has no repository name" }
    if rest.count > 255 { return "has a repository name longer than 255 characters" }
    var components = rest.split(separator: "/", omittingEmptySubsequences: false)
    if components.count > 1, let first = components.first,
      first.contains(".") || first.contains(":") || first == "localhost"
    {
      guard first.wholeMatch(of: /[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9A-Fa-f:]+\](?::[0-9]+)?/) != nil else {
        return "has an invalid registry \"\(first)\""
      }
      components.removeFirst()
    }
    for c in components {
      guard c.wholeMatch(of: /[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*/) != nil else {
        if c.contains(where: \.isUppercase) { return "has upper-case letters in its repository name \"\(rest)\"" }
        return "has an invalid repository name \"\(rest)\" (lower-case letters, digits and . _ - between them)"
      }
    }
    return nil
  }
}
