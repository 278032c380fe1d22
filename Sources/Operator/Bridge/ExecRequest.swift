import CRDModels
import KubeClient

/// The body of `POST …/runners/{name}/exec` and `POST …/runners/{name}/execs`: one type for
/// the bridge that reads it and the clients that send it (`KubeClient`'s bridge client).
public typealias ExecRequest = BridgeExecRequest

extension BridgeExecRequest {
  /// Field errors in the API's form: the path, what is wrong and how to fix it.
  public func validate(maxTimeoutSeconds: Int) -> [StatusCause] {
    var causes: [StatusCause] = []
    if command.isEmpty || command[0].isEmpty {
      causes.append(
        StatusCause(
          reason: "FieldValueRequired",
          message: "Required value: give the program to run, e.g. [\"python\", \"-c\", \"print(1)\"]",
          field: "command"))
    }
    if let t = timeoutSeconds, t <= 0 || t > maxTimeoutSeconds {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid",
          message: "Invalid value: \(t): must be between 1 and \(maxTimeoutSeconds) seconds", field: "timeoutSeconds"))
    }
    for key in (env ?? [:]).keys.sorted() where !Self.isEnvName(key) {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \"\(key)\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
          field: "env[\(key)]"))
    }
    if let dir = workingDir, !dir.hasPrefix("/") {
      causes.append(
        StatusCause(
          reason: "FieldValueInvalid", message: "Invalid value: \"\(dir)\": must be an absolute path",
          field: "workingDir"))
    }
    return causes
  }

  /// Kubernetes' rule for environment variable names: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
  static func isEnvName(_ s: String) -> Bool {
    func allowed(_ c: Unicode.Scalar, first: Bool) -> Bool {
      c == "-" || c == "." || c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        || (!first && ("0"..."9").contains(c))
    }
    let scalars = Array(s.unicodeScalars)
    guard let first = scalars.first, allowed(first, first: true) else { return false }
    return scalars.dropFirst().allSatisfy { allowed($0, first: false) }
  }
}
