import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// Running one command for `exec` and `python`: output streamed to this terminal (or, with
/// `-o json`, collected into one result object), then the plugin exits the way the command did.
struct RemoteRun {
  var runner: String
  var namespace: String
  var command: [String]
  var json: Bool

  /// Streams (or collects) the output of `body` and ends the process accordingly: the remote
  /// exit code, 128+N for signal N, or the plugin's own code when the command did not finish.
  func run(
    _ body: (@escaping ExecOutputHandler, @escaping ExecOutputHandler) async throws -> BridgeExecEnd
  ) async throws {
    if !json {
      let end = try await body(
        { FileHandle.standardOutput.write(Data($0)) }, { FileHandle.standardError.write(Data($0)) })
      if let e = end.cliError { throw e }
      if case .signaled(let s) = end {
        FileHandle.standardError.write(Data("error: the command was killed by \(s)\n".utf8))
      }
      let code = end.shellExitCode ?? 1
      if code != 0 { throw ExitCode(code) }
      return
    }
    let out = OutputCollector()
    let err = OutputCollector()
    let end = try await body({ await out.add($0) }, { await err.add($0) })
    let result = Self.json(
      runner: runner, namespace: namespace, command: command, end: end, stdout: await out.bytes, stderr: await err.bytes
    )
    write(try RunnerPrinter.json(result))
    if let e = end.cliError { Foundation.exit(e.exitCode) }
    let code = end.shellExitCode ?? 1
    if code != 0 { throw ExitCode(code) }
  }

  /// `{"runner", "namespace", "command", "exitCode", "signal"?, "stdout", "stderr",
  /// "stdoutBase64"?, "error"?}`: output that is not UTF-8 is given base64 instead.
  static func json(
    runner: String, namespace: String, command: [String], end: BridgeExecEnd, stdout: [UInt8], stderr: [UInt8]
  )
    -> JSONValue
  {
    var v: JSONValue = ["runner": .string(runner), "namespace": .string(namespace)]
    v["command"] = .array(command.map { .string($0) })
    v["exitCode"] = end.shellExitCode.map { .int(Int64($0)) } ?? .null
    if case .signaled(let s) = end { v["signal"] = .string(s) }
    for (key, bytes) in [("stdout", stdout), ("stderr", stderr)] {
      if let text = String(validating: bytes, as: UTF8.self) {
        v[key] = .string(text)
      } else {
        v[key + "Base64"] = .string(Data(bytes).base64EncodedString())
      }
    }
    if let e = end.cliError {
      var reason = e.kind.rawValue
      if case .notRun(let r, _) = end { reason = r }
      if case .outputLimitReached = end { reason = "OutputLimitReached" }
      if case .lost = end { reason = "Lost" }
      v["error"] = ["reason": .string(reason), "message": .string(e.message), "exitCode": .int(Int64(e.exitCode))]
    }
    return v
  }
}
