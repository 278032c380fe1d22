import CRDModels

extension Status {
  /// The 422 `Invalid` answer the API server builds from field errors (`errors.NewInvalid`):
  /// message `<Kind>.<group> "<name>" is invalid: <errors>` (one error alone, several as
  /// `[a, b]`, duplicates dropped; `<Kind>` alone for the core group), and one cause per error
  /// with its reason (`FieldValueRequired`, …), its body as message and its field path.
  public static func invalid(group: String, kind: String, name: String, errors: [KubeFieldError]) -> Status {
    let qualified = group.isEmpty ? kind : kind + "." + group
    var seen: Set<String> = []
    var unique: [KubeFieldError] = []
    for e in errors where seen.insert(e.description).inserted { unique.append(e) }
    let message =
      unique.isEmpty
      ? "\(qualified) \(GoFormat.quote(name)) is invalid"
      : "\(qualified) \(GoFormat.quote(name)) is invalid: \(unique.aggregateMessage)"
    return Status(
      message: message, reason: "Invalid",
      details: StatusDetails(name: name, group: group, kind: kind, causes: errors.map(\.cause)), code: 422)
  }
}
