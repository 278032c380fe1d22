/// A problem with a kubeconfig file or the configuration built from it.
///
/// `description` is one line naming the file, the field and what is wrong, e.g.
/// `kubeconfig /home/u/.kube/config: contexts[0].context.cluster "prod" not found in clusters`.
public struct KubeconfigError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file the problem is in; nil when it is not about one file (e.g. no kubeconfig at all).
  public var file: String?
  /// The field path in kubectl's spelling, e.g. `users[1].user.client-key-data`.
  public var field: String?
  public var problem: String

  public init(file: String?, field: String?, problem: String) {
    self.file = file
    self.field = field
    self.problem = problem
  }

  public var description: String {
    var s = file.map { "kubeconfig \($0): " } ?? "kubeconfig: "
    if let field { s += "\(field) " }
    s += problem
    return s
  }
}
