import CRDModels
import Foundation
import KubeClient
import Logging

/// An error `kubectl gra` reports and exits with. Exit codes (documented in docs/plugin.md):
/// 0 ok, 1 error, 2 bad usage, 3 not found, 4 forbidden or unauthorized, 5 timed out; `exec`
/// and `run` exit with the remote command's own code.
struct CLIError: Error, CustomStringConvertible {
  enum Kind: String, Encodable {
    case failed = "Failed"
    case usage = "BadUsage"
    case notFound = "NotFound"
    case forbidden = "Forbidden"
    case timedOut = "TimedOut"
  }
  var kind: Kind
  var message: String

  init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  init(_ error: any Error) {
    if let e = error as? CLIError {
      self = e
    } else if let e = error as? KubeError, e.reason == "BridgeUnavailable" {
      self.init(.failed, e.message + " Use --direct to go through pods/exec instead.")
    } else if let e = error as? KubeError {
      let kind: Kind = e.isNotFound ? .notFound : (e.isForbidden || e.isUnauthorized) ? .forbidden : .failed
      self.init(kind, e.message.isEmpty ? "\(e)" : e.message)
    } else {
      self.init(.failed, "\(error)")
    }
  }

  var exitCode: Int32 {
    switch kind {
    case .failed: 1
    case .usage: 2
    case .notFound: 3
    case .forbidden: 4
    case .timedOut: 5
    }
  }

  var description: String { "error: \(message)" }

  /// `{"error": {"reason": …, "message": …, "exitCode": …}}` for `-o json`.
  var json: String {
    let v: JSONValue = [
      "error": ["reason": .string(kind.rawValue), "message": .string(message), "exitCode": .int(Int64(exitCode))]
    ]
    return String(decoding: (try? KubeJSON.encode(v)) ?? Data(), as: UTF8.self)
  }

  /// Prints the error (to stdout as JSON for `-o json`, else to stderr) and exits.
  func exit(output: OutputFormat) -> Never {
    if output == .json {
      print(json)
    } else {
      FileHandle.standardError.write(Data((description + "\n").utf8))
    }
    Foundation.exit(exitCode)
  }
}

extension Logger {
  static var quiet: Logger { Logger(label: "kubectl-gra") { _ in SwiftLogNoOpLogHandler() } }
}
