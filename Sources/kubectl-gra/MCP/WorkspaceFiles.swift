import CRDModels
import Foundation
import KubeClient

/// Files in a runner, read and written through the exec bridge with ``WorkspaceScripts``:
/// exactly the rights of `runners/exec`, nothing more.
struct WorkspaceFiles: Sendable {
  let executors: ExecutorFactory
  let limits: MCPLimits

  struct ReadResult: Sendable, Equatable {
    var path: String
    var size: Int
    var offset: Int
    var bytes: [UInt8]
  }

  struct Entry: Sendable, Equatable, Codable {
    var name: String
    var type: String
    var size: Int
    var modified: String
  }

  struct Listing: Sendable, Equatable, Codable {
    var path: String
    var total: Int
    var entries: [Entry]
  }

  func read(
    namespace: String, runner: String, path: String, offset: Int, limit: Int
  ) async throws
    -> ReadResult
  {
    let v = try await runScript(
      WorkspaceScripts.read, [path, String(offset), String(limit)], stdin: nil,
      namespace: namespace, runner: runner, tool: "read_file")
    guard let p = v["path"].stringValue, let size = v["size"].intValue,
      let data = v["data"].stringValue,
      let bytes = Data(base64Encoded: data)
    else { throw ToolFailure("read_file: the runner answered something unexpected: \(v)") }
    return ReadResult(path: p, size: Int(size), offset: offset, bytes: Array(bytes))
  }

  /// Writes (or appends) `bytes` in chunks the bridge accepts; returns the absolute path and
  /// the file's size afterwards. `keeping`: with the first chunk, also delete the files of the
  /// same directory whose names start with `prefix`, but for the newest `count` (this one
  /// included).
  func write(
    namespace: String, runner: String, path: String, bytes: [UInt8], append: Bool,
    keeping: (prefix: String, count: Int)? = nil
  )
    async throws -> (path: String, size: Int)
  {
    var start = 0
    var mode = append ? "a" : "w"
    var result: (String, Int) = (path, 0)
    repeat {
      let end = min(bytes.count, start + limits.writeChunkBytes)
      let chunk = Data(bytes[start..<end]).base64EncodedString()
      var argv = [path, mode]
      if start == 0, let keeping { argv += [keeping.prefix, String(keeping.count)] }
      let v = try await runScript(
        WorkspaceScripts.write, argv, stdin: chunk, namespace: namespace, runner: runner,
        tool: "write_file")
      guard let p = v["path"].stringValue, let size = v["size"].intValue else {
        throw ToolFailure("write_file: the runner answered something unexpected: \(v)")
      }
      result = (p, Int(size))
      start = end
      mode = "a"
    } while start < bytes.count
    return result
  }

  func list(namespace: String, runner: String, path: String) async throws -> Listing {
    let v = try await runScript(
      WorkspaceScripts.list, [path, String(limits.listMaxEntries)], stdin: nil,
      namespace: namespace, runner: runner, tool: "list_directory")
    do {
      return try KubeJSON.decode(Listing.self, from: try KubeJSON.encode(v))
    } catch {
      throw ToolFailure("list_directory: the runner answered something unexpected: \(v)")
    }
  }

  private func runScript(
    _ script: String, _ args: [String], stdin: String?, namespace: String, runner: String,
    tool: String
  ) async throws -> JSONValue {
    let spec = ExecSpec(
      command: ["python3", "-c", script] + args, stdin: stdin, timeoutSeconds: 60)
    let result: RunnerExecResult
    do {
      result = try await executors(namespace, runner).run(spec)
    } catch {
      throw ToolFailure.from(
        error, needs: .runnerExec(namespace), subject: .runner(runner, namespace))
    }
    switch result.end {
    case .exited(0), .exited(WorkspaceScripts.exitCodeError):
      let line =
        String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").last.map(String.init)
        ?? ""
      guard let v = try? KubeJSON.decode(JSONValue.self, from: Data(line.utf8)) else {
        throw ToolFailure(
          "\(tool): the runner's python3 printed no result (stderr: \(Self.tail(result.stderr)))")
      }
      if let error = v["error"].stringValue {
        throw Self.fileFailure(
          error, message: v["message"].stringValue ?? "", path: v["path"].stringValue ?? "",
          tool: tool)
      }
      return v
    case .exited(127):
      throw ToolFailure(
        "\(tool) needs python3 in the runner's image, and runner \"\(runner)\" has none (\(Self.tail(result.stderr)))"
      )
    case .exited(let code):
      throw ToolFailure(
        "\(tool) failed in the runner with exit code \(code): \(Self.tail(result.stderr))")
    default:
      throw ExecOutcomeText.failure(result.end, runner: runner)
    }
  }

  static func fileFailure(
    _ error: String, message: String, path: String, tool: String
  )
    -> ToolFailure
  {
    switch error {
    case "FileNotFoundError":
      return ToolFailure(
        "\(path): no such file or directory; call list_directory on its parent to see what is there"
      )
    case "IsADirectoryError":
      return ToolFailure("\(path) is a directory; call list_directory to see its contents")
    case "NotADirectoryError":
      return ToolFailure("\(path) is not a directory; use read_file to read it")
    case "PermissionError":
      return ToolFailure(
        "\(path): permission denied in the runner (commands run as UID 1000; the workspace is writable, system directories are not)"
      )
    default:
      return ToolFailure("\(tool): \(path): \(message) (\(error))")
    }
  }

  static func tail(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.suffix(500), as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    return text.isEmpty ? "no error output" : text
  }
}
