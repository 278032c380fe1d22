import CRDModels

/// The body of `POST /apis/exec.gra.dev/v1alpha1/namespaces/NS/runners/NAME/exec` (and
/// `…/execs`), as the exec bridge defines it. No shell is involved unless you run one.
public struct BridgeExecRequest: Codable, Sendable, Equatable {
  /// The program and its arguments.
  public var command: [String]
  /// Text written to the command's stdin, which is then closed. The bridge carries stdin as a
  /// JSON string, so it must be text; send binary data encoded (e.g. base64) and decode it in
  /// the command.
  public var stdin: String?
  public var env: [String: String]?
  /// Absolute path in the runner.
  public var workingDir: String?
  /// Overrides the runner's `spec.exec.defaultTimeoutSeconds`, up to the bridge's maximum.
  public var timeoutSeconds: Int?

  public init(
    command: [String], stdin: String? = nil, env: [String: String]? = nil, workingDir: String? = nil,
    timeoutSeconds: Int? = nil
  ) {
    self.command = command
    self.stdin = stdin
    self.env = env
    self.workingDir = workingDir
    self.timeoutSeconds = timeoutSeconds
  }

  /// The bridge reads at most 1 MiB of request body; a request must stay below it.
  public static let maxBodyBytes = 1 << 20
}
