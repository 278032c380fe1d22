import CRDModels

/// The PATCH content types the API server accepts, and its answer to any other.
public enum PatchTypes {
  public static let jsonPatch = "application/json-patch+json"
  public static let mergePatch = "application/merge-patch+json"
  public static let strategicMergePatch = "application/strategic-merge-patch+json"
  public static let applyPatch = "application/apply-patch+yaml"

  /// In the order kube-apiserver lists them: custom resources have no strategic merge patch.
  public static func accepted(customResource: Bool) -> [String] {
    customResource ? [jsonPatch, mergePatch, applyPatch] : [jsonPatch, mergePatch, strategicMergePatch, applyPatch]
  }

  /// The 415 answer for a PATCH with another content type (`negotiation.NewUnsupportedMediaTypeError`),
  /// e.g. a strategic merge patch on a custom resource:
  /// `the body of the request was in an unknown format - accepted media types include:
  /// application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`.
  public static func unsupportedMediaTypeStatus(customResource: Bool) -> Status {
    Status(
      message: "the body of the request was in an unknown format - accepted media types include: "
        + accepted(customResource: customResource).joined(separator: ", "),
      reason: "UnsupportedMediaType", code: 415)
  }
}
