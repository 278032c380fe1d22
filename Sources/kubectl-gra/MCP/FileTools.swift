import CRDModels
import Foundation

/// `read_file`, `write_file`, `list_directory`: the runner's files through the exec bridge.
/// Relative paths are relative to the runner's workspace (`/workspace` unless the Runner says
/// otherwise); absolute paths are used as they are.
struct FileTools: Sendable {
  let files: WorkspaceFiles
  let limits: MCPLimits

  func read(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["runner", "namespace", "path", "offset", "limit"])
    let runner = try a.name("runner")!
    let path = try a.requiredString("path")
    let offset = try a.int("offset", default: 0, min: 0, max: Int(Int64.max / 2))
    let limit = try a.int(
      "limit", default: limits.readDefaultBytes, min: 1, max: limits.readMaxBytes)
    let r = try await files.read(
      namespace: namespace, runner: runner, path: path, offset: offset, limit: limit)
    let end = r.offset + r.bytes.count
    let more = end < r.size
    var structured: JSONValue = [
      "path": .string(r.path), "size": .int(Int64(r.size)), "offset": .int(Int64(r.offset)),
      "bytesReturned": .int(Int64(r.bytes.count)),
    ]
    structured["complete"] = .bool(!more && r.offset == 0)
    let header: String
    if r.offset == 0 && !more {
      header = "\(r.path) (\(r.size) bytes)"
    } else {
      header =
        "\(r.path): bytes \(r.offset)–\(end) of \(r.size)"
        + (more ? "; call read_file with offset \(end) for more" : "")
    }
    if let text = String(validating: r.bytes, as: UTF8.self) {
      structured["encoding"] = "text"
      structured["content"] = .string(text)
      return ToolOutput("\(header)\n\(text)", structured: structured)
    }
    // Not UTF-8 as a whole: binary, or a read that cut a character in two.
    let b64 = Data(r.bytes).base64EncodedString()
    structured["encoding"] = "base64"
    structured["content"] = .string(b64)
    return ToolOutput(
      "\(header)\n(not UTF-8 text; the bytes follow as base64. If this is text cut inside a character, read again with a slightly different offset or limit.)\n\(b64)",
      structured: structured)
  }

  func write(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["runner", "namespace", "path", "content", "encoding", "append"])
    let runner = try a.name("runner")!
    let path = try a.requiredString("path")
    guard let content = try a.string("content") else {
      throw ToolFailure.invalidArgument("content", "is required (it may be \"\")")
    }
    let bytes: [UInt8]
    switch try a.string("encoding") ?? "text" {
    case "text": bytes = Array(content.utf8)
    case "base64":
      guard let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
        throw ToolFailure.invalidArgument("content", "is not valid base64")
      }
      bytes = Array(data)
    case let other:
      throw ToolFailure.invalidArgument("encoding", "\"\(other)\": use text or base64")
    }
    guard bytes.count <= limits.writeMaxBytes else {
      throw ToolFailure.invalidArgument(
        "content",
        "is \(bytes.count) bytes; write at most \(limits.writeMaxBytes) per call (use append: true for the rest)"
      )
    }
    let append = try a.bool("append", default: false)
    let (abs, size) = try await files.write(
      namespace: namespace, runner: runner, path: path, bytes: bytes, append: append)
    return ToolOutput(
      "\(append ? "appended" : "wrote") \(bytes.count) bytes to \(abs) (now \(size) bytes)",
      structured: [
        "path": .string(abs), "bytesWritten": .int(Int64(bytes.count)), "size": .int(Int64(size)),
      ])
  }

  func list(_ a: ToolArguments, namespace: String) async throws -> ToolOutput {
    try a.rejectUnknown(allowed: ["runner", "namespace", "path"])
    let runner = try a.name("runner")!
    let path = try a.string("path") ?? "."
    let listing = try await files.list(
      namespace: namespace, runner: runner, path: path.isEmpty ? "." : path)
    var table = TablePrinter(headers: ["Type", "Size", "Modified", "Name"])
    for e in listing.entries {
      table.add([e.type, String(e.size), e.modified, e.type == "directory" ? e.name + "/" : e.name])
    }
    var text = "\(listing.path): \(listing.total) entr\(listing.total == 1 ? "y" : "ies")\n"
    if !listing.entries.isEmpty { text += table.render() }
    if listing.total > listing.entries.count {
      text +=
        "(only the first \(listing.entries.count) are listed; list a subdirectory, or use exec with find)\n"
    }
    return ToolOutput(text, structured: try JSONValue(encoding: listing))
  }
}
