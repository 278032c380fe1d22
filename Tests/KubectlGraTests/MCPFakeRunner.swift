import Foundation
import KubeClient

@testable import kubectl_gra

/// A runner that answers from a script and records what it was asked to run, for the MCP tool
/// tests. It also keeps the files that `write_file`'s program writes, so saved output can be
/// checked byte for byte.
final class MCPFakeRunner: @unchecked Sendable {
  struct Call: Sendable {
    var namespace: String
    var runner: String
    var command: [String]
    var stdin: String?
    var workingDir: String?
    var timeoutSeconds: Int?
  }
  struct Answer: Sendable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var end: BridgeExecEnd = .exited(0)
  }

  private let lock = NSLock()
  private var _calls: [Call] = []
  private var _files: [String: [UInt8]] = [:]
  private let answer: @Sendable (Call) throws -> Answer

  /// `answer` handles every command except the file tools' own programs.
  init(answer: @escaping @Sendable (Call) throws -> Answer = { _ in Answer() }) {
    self.answer = answer
  }

  var calls: [Call] { lock.withLock { _calls } }
  var files: [String: [UInt8]] { lock.withLock { _files } }

  var factory: ExecutorFactory {
    { ns, runner in Executor(fake: self, namespace: ns, runner: runner) }
  }

  fileprivate func handle(_ call: Call) throws -> Answer {
    lock.withLock { _calls.append(call) }
    if call.command.count >= 3, call.command[0] == "python3", call.command[1] == "-c",
      call.command[2] == WorkspaceScripts.write
    {
      let path = call.command[3].hasPrefix("/") ? call.command[3] : "/workspace/" + call.command[3]
      let data = Array(Data(base64Encoded: call.stdin ?? "") ?? Data())
      let size = lock.withLock {
        if call.command[4] == "w" { _files[path] = data } else { _files[path, default: []] += data }
        return _files[path]!.count
      }
      return Answer(
        stdout: Array(#"{"path": "\#(path)", "size": \#(size), "written": \#(data.count)}"#.utf8))
    }
    return try answer(call)
  }

  struct Executor: RunnerExecutor {
    let fake: MCPFakeRunner
    let namespace: String
    let runner: String

    func run(
      _ command: [String], stdin: String?, workingDir: String?, timeoutSeconds: Int?,
      stdout: @escaping ExecOutputHandler, stderr: @escaping ExecOutputHandler
    ) async throws -> BridgeExecEnd {
      let a = try fake.handle(
        Call(
          namespace: namespace, runner: runner, command: command, stdin: stdin,
          workingDir: workingDir, timeoutSeconds: timeoutSeconds))
      if !a.stdout.isEmpty { try await stdout(a.stdout[...]) }
      if !a.stderr.isEmpty { try await stderr(a.stderr[...]) }
      return a.end
    }
  }
}
