import CRDModels
import Foundation

/// One line of the bridge's newline-delimited JSON stream.
///
/// Output frames carry the bytes as UTF-8 text in `data`, or base64 in `dataBase64` when the
/// chunk is not valid UTF-8; `offset` is the byte position of the chunk in that stream, so a
/// client that reattaches to a durable exec with `?offset=N` can tell what it missed.
/// The last frame of every stream is an `exit` frame that says exactly one of: the exit code,
/// the signal, that the command timed out, that the output limit was reached, or that the
/// outcome was lost. Nothing is ever reported as success that was not one.
public enum ExecFrame: Sendable, Equatable {
  case output(stream: OutputStream, offset: Int, bytes: [UInt8])
  case exit(ExecEnd)

  public enum OutputStream: String, Sendable, Codable { case stdout, stderr }

  /// The JSON line as bytes, including the trailing newline. Output frames are written
  /// directly (no intermediate JSON tree), since they carry nearly all of the bytes.
  public func lineBytes() -> [UInt8] {
    guard case .output(let stream, let offset, let bytes) = self else { return Array(line().utf8) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + bytes.count / 8 + 64)
    if String(validating: bytes, as: UTF8.self) != nil {
      out += Array(#"{"data":""#.utf8)
      Self.appendEscaped(bytes, to: &out)
      out += Array(#"","offset":\#(offset),"type":"\#(stream.rawValue)"}"#.utf8)
    } else {
      out += Array(#"{"dataBase64":""#.utf8)
      out += Array(Data(bytes).base64EncodedString().utf8)
      out += Array(#"","offset":\#(offset),"type":"\#(stream.rawValue)"}"#.utf8)
    }
    out.append(10)
    return out
  }

  /// JSON string escaping of valid UTF-8 bytes: quote, backslash and control characters.
  static func appendEscaped(_ bytes: [UInt8], to out: inout [UInt8]) {
    let hex = Array("0123456789abcdef".utf8)
    bytes.withUnsafeBufferPointer { buf in
      var runStart = 0
      var i = 0
      let n = buf.count
      while i < n {
        let b = buf[i]
        if b >= 0x20 && b != 0x22 && b != 0x5c {
          i += 1
          continue
        }
        // Copy the run of plain bytes in one go, then the escape.
        if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
        switch b {
        case 0x22: out += [0x5c, 0x22]
        case 0x5c: out += [0x5c, 0x5c]
        case 0x0a: out += [0x5c, 0x6e]
        case 0x0d: out += [0x5c, 0x72]
        case 0x09: out += [0x5c, 0x74]
        default: out += [0x5c, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xf)]]
        }
        i += 1
        runStart = i
      }
      if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n])) }
    }
  }

  /// The JSON line, including the trailing newline.
  public func line() -> String {
    var o: [String: JSONValue] = [:]
    switch self {
    case .output(let stream, let offset, let bytes):
      o["type"] = .string(stream.rawValue)
      o["offset"] = .int(Int64(offset))
      if let text = String(validating: bytes, as: UTF8.self) {
        o["data"] = .string(text)
      } else {
        o["dataBase64"] = .string(Data(bytes).base64EncodedString())
      }
    case .exit(let end):
      o["type"] = "exit"
      switch end {
      case .exited(let code): o["exitCode"] = .int(Int64(code))
      case .signaled(let name): o["signal"] = .string(name)
      case .timedOut(let seconds):
        o["reason"] = "TimedOut"
        o["message"] = .string("the command ran longer than its timeout of \(seconds)s and was stopped")
      case .outputLimitReached(let limit):
        o["reason"] = "OutputLimitReached"
        o["message"] = .string("the command wrote more than \(limit) bytes and was stopped")
      case .lost(let why):
        o["reason"] = "Lost"
        o["message"] = .string(why)
      case .notRun(let reason, let message):
        o["reason"] = .string(reason)
        o["message"] = .string(message)
      }
    }
    let data = (try? KubeJSON.encode(JSONValue.object(o))) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}

/// How an exec ended.
public enum ExecEnd: Sendable, Equatable {
  case exited(Int32)
  /// Killed by a signal, e.g. `SIGKILL` (exit code 137 from a shell is reported as exited).
  case signaled(String)
  case timedOut(seconds: Int)
  case outputLimitReached(bytes: Int)
  /// The bridge lost track of the command (the pod went away, the connection to the API server
  /// broke before the status arrived). The command may or may not have finished.
  case lost(String)
  /// The command never started, e.g. `RunnerNotReady`; the message says what to do.
  case notRun(reason: String, message: String)
}
