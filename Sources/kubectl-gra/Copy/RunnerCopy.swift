import CRDModels
import Foundation
import KubeClient

/// `kubectl gra cp`: files to and from a runner's workspace through a ``RunnerExecutor`` (the
/// exec bridge by default), as tar streams handled by ``RemoteCopyScript`` in the runner.
///
/// Uploads go as base64 pieces of at most ``uploadChunk`` bytes on stdin (the bridge takes at
/// most 1 MiB of request); downloads come back raw on stdout in pieces of at most
/// ``downloadChunk`` bytes (below the bridge's per-exec output limit). Small copies take one exec.
struct RunnerCopy: Sendable {
  let executor: any RunnerExecutor
  /// Where relative runner paths start: the runner's workspace mount path.
  let base: String
  /// Raw bytes per upload piece: base64 of 720 KiB plus the command stays below the bridge's
  /// 1 MiB request limit.
  var uploadChunk = 720 * 1024
  var downloadChunk = 4 * 1024 * 1024

  /// What was copied.
  struct Result: Sendable, Equatable {
    /// The path written (in the runner for uploads, locally for downloads).
    var path: String
    var bytes: Int64
  }

  /// The runner's workspace mount path.
  static func base(of runner: Runner) -> String { runner.spec?.workspace?.mountPath ?? GraDefaults.workspaceMountPath }

  /// A runner's per-exec output limit leaves room for a piece of the download.
  static func downloadChunk(for runner: Runner) -> Int {
    let limit = Int(runner.spec?.exec?.outputLimitBytes ?? GraDefaults.execOutputLimitBytes)
    return max(64 * 1024, min(4 * 1024 * 1024, limit / 2))
  }

  func upload(local: String, remote: String) async throws -> Result {
    let path = (local as NSString).expandingTildeInPath
    let name = ((path as NSString).standardizingPath as NSString).lastPathComponent
    let staging = FileManager.default.temporaryDirectory.appendingPathComponent("gra-cp-\(UUID().uuidString).tar").path
    guard FileManager.default.createFile(atPath: staging, contents: nil),
      let out = FileHandle(forWritingAtPath: staging)
    else {
      throw CLIError(.failed, "cannot create a staging file in \(FileManager.default.temporaryDirectory.path)")
    }
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let size: Int64
    do {
      size = try LocalTree.pack(path, into: out)
      try out.close()
    } catch let e as LocalTree.Failure {
      throw CLIError(e.notFound ? .notFound : .failed, e.description)
    }
    guard let input = FileHandle(forReadingAtPath: staging) else { throw CLIError(.failed, "cannot read \(staging)") }
    defer { try? input.close() }
    let id = UUID().uuidString.lowercased()
    var first = true
    var written = ""
    while true {
      let piece = input.readData(ofLength: uploadChunk)
      let last = Int64(input.offsetInFile) >= size
      if first && last {
        written = try await step(
          RemoteCopyScript.command("extract", base, remote, name, "-"), stdin: piece.base64EncodedString())
        break
      }
      if !piece.isEmpty {
        _ = try await step(
          RemoteCopyScript.command("put", base, id, first ? "1" : "0"), stdin: piece.base64EncodedString())
      }
      first = false
      if last {
        written = try await step(RemoteCopyScript.command("extract", base, remote, name, id), stdin: nil)
        break
      }
    }
    return Result(path: written.trimmingCharacters(in: .whitespacesAndNewlines), bytes: size)
  }

  /// Copies `remote` to `local` (into it when it is a directory or ends in `/`; with `exact`,
  /// `local` itself becomes the copy).
  func download(
    remote: String, local: String, exact: Bool = false, warn: @escaping @Sendable (String) -> Void
  ) async throws
    -> Result
  {
    let id = UUID().uuidString.lowercased()
    let staging = FileManager.default.temporaryDirectory.appendingPathComponent("gra-cp-local-\(UUID().uuidString).tar")
      .path
    guard FileManager.default.createFile(atPath: staging, contents: nil),
      let out = FileHandle(forWritingAtPath: staging)
    else {
      throw CLIError(.failed, "cannot create a staging file in \(FileManager.default.temporaryDirectory.path)")
    }
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let packed = try await executor.collect(RemoteCopyScript.command("pack", base, remote, id, String(downloadChunk)))
    try check(packed)
    let header = String(decoding: packed.stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    guard let info = try? KubeJSON.decode(JSONValue.self, from: Data(header.utf8)), let size = info["size"].intValue
    else {
      throw CLIError(.failed, "the runner did not describe the archive: \(header)")
    }
    if info["inline"].boolValue == true {
      out.write(Data(packed.stdout))
    } else {
      var offset: Int64 = 0
      while offset < size {
        let piece = try await executor.collect(
          RemoteCopyScript.command("read", base, id, String(offset), String(downloadChunk)))
        try check(piece)
        guard !piece.stdout.isEmpty else {
          throw CLIError(.failed, "the runner's archive ended at \(offset) of \(size) bytes")
        }
        out.write(Data(piece.stdout))
        offset += Int64(piece.stdout.count)
      }
    }
    try out.close()
    guard let input = FileHandle(forReadingAtPath: staging) else { throw CLIError(.failed, "cannot read \(staging)") }
    defer { try? input.close() }
    let reader = TarReader { Array(input.readData(ofLength: $0)) }
    let rootName = ((remote as NSString).standardizingPath as NSString).lastPathComponent
    let target =
      exact
      ? (local as NSString).expandingTildeInPath
      : LocalTree.target(dest: local, name: rootName.isEmpty || rootName == "/" ? "root" : rootName)
    do {
      try LocalTree.unpack(reader, to: target, warn: warn)
    } catch let e as LocalTree.Failure {
      throw CLIError(.failed, e.description)
    } catch let e as TarReader.Failure {
      throw CLIError(.failed, e.description)
    }
    return Result(path: target, bytes: size)
  }

  /// Runs one step and returns its stdout; a failed step is an error with the runner's message.
  private func step(_ command: [String], stdin: String?) async throws -> String {
    let out = try await executor.collect(command, stdin: stdin)
    try check(out)
    return out.stdoutText
  }

  private func check(_ out: BridgeExecOutput) throws {
    if let e = out.end.cliError { throw e }
    let code = out.end.shellExitCode ?? 1
    guard code != 0 else { return }
    let message =
      out.stderrText.split(separator: "\n").filter { $0.hasPrefix("gra-cp: ") }.last.map { String($0.dropFirst(8)) }
      ?? out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
    switch code {
    case 3: throw CLIError(.notFound, message)
    case 127: throw CLIError(.failed, "python3 is not available in the runner: \(message)")
    default: throw CLIError(.failed, message.isEmpty ? "the copy failed in the runner (exit code \(code))" : message)
    }
  }
}
