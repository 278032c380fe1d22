import CRDModels
import Foundation

/// One line of the exec bridge's newline-delimited JSON answer.
///
/// `{"type":"stdout"|"stderr","offset":N,"data":"text"}` (or `"dataBase64"` when the chunk is
/// not UTF-8), and last `{"type":"exit", …}` saying how the command ended. `offset` is the
/// byte position of the chunk in the exec's combined output.
public enum BridgeExecFrame: Sendable, Equatable {
  case output(stream: BridgeOutputStream, offset: Int, bytes: [UInt8])
  case exit(BridgeExecEnd)

  /// Decodes one line (without its newline). Unknown frame types are nil, so a newer bridge
  /// can add frames without breaking older clients.
  public static func decode(_ line: [UInt8]) throws -> BridgeExecFrame? {
    let value: JSONValue
    do {
      value = try KubeJSON.decode(JSONValue.self, from: Data(line))
    } catch {
      throw KubeError.decoding("exec bridge frame is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
    }
    guard let type = value["type"].stringValue else {
      throw KubeError.decoding("exec bridge frame without a type: \(String(decoding: line.prefix(200), as: UTF8.self))")
    }
    switch type {
    case "stdout", "stderr":
      let offset = value["offset"].intValue.map { Int($0) } ?? 0
      var bytes: [UInt8] = []
      if let text = value["data"].stringValue {
        bytes = Array(text.utf8)
      } else if let b64 = value["dataBase64"].stringValue {
        guard let data = Data(base64Encoded: b64) else {
          throw KubeError.decoding("exec bridge frame at offset \(offset): dataBase64 is not base64")
        }
        bytes = Array(data)
      }
      return .output(stream: type == "stdout" ? .stdout : .stderr, offset: offset, bytes: bytes)
    case "exit":
      return .exit(BridgeExecEnd(frame: value))
    default:
      return nil
    }
  }
}

public enum BridgeOutputStream: String, Sendable, Codable { case stdout, stderr }

/// How a command run through the bridge ended: exactly one of an exit code, a signal, a
/// timeout, the output limit, a lost outcome, or not run at all.
public enum BridgeExecEnd: Sendable, Equatable, CustomStringConvertible {
  case exited(Int32)
  /// e.g. `SIGKILL`.
  case signaled(String)
  /// The bridge stopped it at its timeout.
  case timedOut(message: String)
  case outputLimitReached(message: String)
  /// The bridge lost track of the command; it may or may not have finished.
  case lost(message: String)
  /// Never started, e.g. reason `RunnerNotReady` or `RunnerSuspended`; the message says what to do.
  case notRun(reason: String, message: String)

  init(frame v: JSONValue) {
    if let code = v["exitCode"].intValue {
      self = .exited(Int32(truncatingIfNeeded: code))
      return
    }
    if let s = v["signal"].stringValue {
      self = .signaled(s)
      return
    }
    let reason = v["reason"].stringValue ?? "Lost"
    let message = v["message"].stringValue ?? "the bridge did not say how the command ended"
    switch reason {
    case "TimedOut": self = .timedOut(message: message)
    case "OutputLimitReached": self = .outputLimitReached(message: message)
    case "Lost": self = .lost(message: message)
    default: self = .notRun(reason: reason, message: message)
    }
  }

  /// The exit code when the command exited normally.
  public var exitCode: Int32? {
    if case .exited(let c) = self { return c }
    return nil
  }

  /// A shell's code for the same ending: the exit code, 128 + the signal number for a
  /// signal; nil when the command did not end by itself.
  public var shellExitCode: Int32? {
    switch self {
    case .exited(let c): return c
    case .signaled(let s): return Self.signalNumbers[s.uppercased()].map { 128 + $0 } ?? 128
    default: return nil
    }
  }

  static let signalNumbers: [String: Int32] = [
    "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7, "SIGFPE": 8,
    "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15,
  ]

  public var description: String {
    switch self {
    case .exited(let c): return "exit code \(c)"
    case .signaled(let s): return "killed by \(s)"
    case .timedOut(let m), .outputLimitReached(let m), .lost(let m): return m
    case .notRun(_, let m): return m
    }
  }
}
