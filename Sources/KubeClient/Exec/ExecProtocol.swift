import CRDModels
import Foundation

/// The `channel.k8s.io` framing of `pods/exec` (and `attach`) over WebSocket: every binary
/// message is one channel byte followed by the payload.
public enum ExecChannel: UInt8, Sendable {
  case stdin = 0
  case stdout = 1
  case stderr = 2
  /// The final `Status` of the command.
  case status = 3
  /// Terminal size, `{"Width":W,"Height":H}`.
  case resize = 4
  /// v5 only: `[255, channel]` closes that channel (`[255, 0]` is end of stdin).
  case close = 255
}

/// Subprotocols in order of preference. v5 adds the close channel (end of stdin); with v4
/// stdin can only be ended by closing the socket.
public enum ExecSubprotocol {
  public static let v5 = "v5.channel.k8s.io"
  public static let v4 = "v4.channel.k8s.io"
  public static let offered = [v5, v4]
}

/// A terminal size for `tty` sessions.
public struct TerminalSize: Sendable, Equatable, Codable {
  public var width: UInt16
  public var height: UInt16
  public init(width: UInt16, height: UInt16) {
    self.width = width
    self.height = height
  }
  enum CodingKeys: String, CodingKey {
    case width = "Width"
    case height = "Height"
  }
}

public enum ExecFrame {
  public static func encode(_ channel: ExecChannel, _ payload: some Collection<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(payload.count + 1)
    out.append(channel.rawValue)
    out.append(contentsOf: payload)
    return out
  }

  /// `[255, 0]`: no more stdin (v5).
  public static let closeStdin: [UInt8] = [ExecChannel.close.rawValue, ExecChannel.stdin.rawValue]

  public static func resize(_ size: TerminalSize) -> [UInt8] {
    encode(.resize, Array(#"{"Width":\#(size.width),"Height":\#(size.height)}"#.utf8))
  }

  /// The channel and payload of one message; nil for an empty message. Unknown channel
  /// numbers are returned as nil channels so callers can skip them.
  public static func decode(_ message: [UInt8]) -> (channel: ExecChannel?, payload: ArraySlice<UInt8>)? {
    guard let first = message.first else { return nil }
    return (ExecChannel(rawValue: first), message.dropFirst())
  }

  /// The exit code a channel-3 Status stands for, as kubectl reads it:
  /// `Success` is 0; `Failure` with reason `NonZeroExitCode` and a cause `ExitCode` is that
  /// code; any other Failure is an error carrying the Status message.
  public static func exitCode(from status: Status) throws -> Int32 {
    if status.status == "Success" { return 0 }
    if status.reason == "NonZeroExitCode",
      let cause = status.details?.causes?.first(where: { $0.reason == "ExitCode" }),
      let code = cause.message.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) })
    {
      return code
    }
    throw KubeError(status: status)
  }
}
