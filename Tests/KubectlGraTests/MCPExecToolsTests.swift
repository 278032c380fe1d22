import CRDModels
import Foundation
import KubeClient
import MCP
import Testing

@testable import kubectl_gra

/// `exec`, `run_python` and the file tools against a scripted runner: what the agent reads,
/// and what is run in the runner to produce it.
@Suite struct MCPExecToolsTests {
  func tools(_ fake: MCPFakeRunner, _ limits: MCPLimits = MCPLimits()) -> (ExecTools, FileTools) {
    let files = WorkspaceFiles(executors: fake.factory, limits: limits)
    return (
      ExecTools(executors: fake.factory, files: files, limits: limits),
      FileTools(files: files, limits: limits)
    )
  }

  /// The write script itself (run here with python3, as the runner runs it): saving a stream
  /// keeps the newest saved streams and leaves every other file alone.
  @Test func savingAStreamKeepsOnlyTheNewestSavedStreams() throws {
    let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("gra-mcp-\(UUID().uuidString)")
    let dir = workspace.appendingPathComponent(".gra/mcp")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: workspace) }
    for (i, name) in ["exec-1.stdout", "exec-2.stdout", "exec-3.stderr", "exec-4.stdout", "notes.txt"].enumerated() {
      let file = dir.appendingPathComponent(name)
      try Data(name.utf8).write(to: file)
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSinceNow: Double(i - 10) * 60)], ofItemAtPath: file.path)
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", WorkspaceScripts.write, ".gra/mcp/exec-5.stdout", "w", "exec-", "3"]
    p.environment = ["GRA_WORKSPACE": workspace.path, "PATH": "/usr/bin:/bin"]
    let stdin = Pipe()
    let stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    try p.run()
    stdin.fileHandleForWriting.write(Data(Data("new".utf8).base64EncodedString().utf8))
    try stdin.fileHandleForWriting.close()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    let answer = try JSONValue.parse(Array(stdout.fileHandleForReading.readDataToEndOfFile()))
    #expect(answer["size"] == 3)
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(left == ["exec-3.stderr", "exec-4.stdout", "exec-5.stdout", "notes.txt"])
  }

  @Test func runPythonSendsTheCodeOnStdinAndReportsTheExitCode() async throws {
    let fake = MCPFakeRunner { _ in
      .init(stdout: Array("42\n".utf8), stderr: Array("warn\n".utf8), end: .exited(0))
    }
    let out = try await tools(fake).0.runPython(
      ToolArguments(["runner": "demo", "code": "print(6*7)", "args": ["x"], "timeoutSeconds": 30]),
      namespace: "team")
    #expect(out.text == "exit code: 0\nstdout:\n42\nstderr:\nwarn\n")
    #expect(!out.isError)
    #expect(out.structured?["exitCode"] == 0)
    #expect(out.structured?["truncated"] == false)
    let call = try #require(fake.calls.first)
    #expect((call.namespace, call.runner, call.command) == ("team", "demo", ["python3", "-", "x"]))
    #expect((call.stdin, call.timeoutSeconds) == ("print(6*7)", 30))
  }

  @Test func envIsAppliedWithEnvAndDefaultsComeFromTheLimits() async throws {
    let fake = MCPFakeRunner()
    _ = try await tools(fake).0.exec(
      ToolArguments([
        "runner": "demo", "command": ["printenv", "B"], "env": ["B": "2", "A": "1"],
        "workingDir": "/workspace/p",
      ]),
      namespace: "default")
    let call = try #require(fake.calls.first)
    #expect(call.command == ["env", "A=1", "B=2", "printenv", "B"])
    #expect((call.workingDir, call.timeoutSeconds) == ("/workspace/p", 60))
  }

  @Test func aNonZeroExitIsAResultNotAToolError() async throws {
    let fake = MCPFakeRunner { _ in .init(stderr: Array("boom\n".utf8), end: .exited(3)) }
    let out = try await tools(fake).0.exec(
      ToolArguments(["runner": "demo", "command": ["false"]]), namespace: "default")
    #expect(!out.isError)
    #expect(out.text == "exit code: 3\nstdout: (empty)\nstderr:\nboom\n")
  }

  /// Output over the limit is cut, and each long stream is saved whole in the workspace,
  /// in chunks the bridge accepts, under a name the note gives.
  @Test func longOutputIsCutAndSavedWholeInChunks() async throws {
    let long = Array((1...5000).map { "line \($0)\n" }.joined().utf8)
    let fake = MCPFakeRunner { _ in
      .init(stdout: long, stderr: Array("short\n".utf8), end: .exited(0))
    }
    var limits = MCPLimits()
    limits.returnedOutputBytes = 1024
    limits.writeChunkBytes = 10_000
    let out = try await tools(fake, limits).0.exec(
      ToolArguments(["runner": "demo", "command": ["seq"]]), namespace: "default")
    let path = try #require(out.structured?["fullOutput"]["stdout"].stringValue)
    #expect(path.hasPrefix("/workspace/.gra/mcp/exec-") && path.hasSuffix(".stdout"))
    #expect(fake.files[path] == long)
    #expect(fake.files.count == 1, "stderr fits and is not saved")
    let writes = fake.calls.filter {
      $0.command.count > 2 && $0.command[2] == WorkspaceScripts.write
    }
    #expect(
      writes.map { $0.command[4] } == ["w"]
        + Array(repeating: "a", count: (long.count - 1) / 10_000))
    #expect(writes.allSatisfy { ($0.stdin?.utf8.count ?? 0) <= 4 * 10_000 / 3 + 4 })
    // The first chunk prunes older saved streams; the others only append.
    #expect(writes.first.map { Array($0.command.suffix(2)) } == ["exec-", "100"])
    #expect(writes.dropFirst().allSatisfy { $0.command.count == 5 })
    #expect(out.structured?["truncated"] == true)
    #expect(out.structured?["stdoutBytes"] == .int(Int64(long.count)))
    #expect(out.text.hasPrefix("exit code: 0\nstdout:\nline 1\nline 2\n"))
    #expect(
      out.text.contains("the full stdout (\(long.count) bytes) is in the runner's file \(path)"))
    #expect(out.text.hasSuffix("line 4999\nline 5000\nstderr:\nshort\n"))
    #expect(out.text.utf8.count < 1024 + 400)
  }

  @Test(arguments: [
    (
      BridgeExecEnd.notRun(reason: "RunnerSuspended", message: "x"),
      "runner demo is suspended; call resume_runner"
    ),
    (
      .notRun(reason: "RunnerNotReady", message: "Starting: pulling"),
      "runner demo is not ready yet (Starting: pulling); call wait_runner_ready"
    ),
  ])
  func aCommandThatCannotStartSaysWhatToCall(end: BridgeExecEnd, expected: String) async throws {
    let fake = MCPFakeRunner { _ in .init(end: end) }
    await #expect {
      try await tools(fake).0.exec(
        ToolArguments(["runner": "demo", "command": ["true"]]), namespace: "default")
    } throws: { ($0 as? ToolFailure)?.message.hasPrefix(expected) == true }
  }

  @Test func aTimeoutKeepsThePartialOutputAndSuggestsATracerJob() async throws {
    let fake = MCPFakeRunner { _ in
      .init(
        stdout: Array("epoch 1\n".utf8),
        end: .timedOut(message: "the command ran longer than its timeout of 5s and was stopped"))
    }
    let out = try await tools(fake).0.exec(
      ToolArguments(["runner": "demo", "command": ["train"]]), namespace: "default")
    #expect(out.isError)
    #expect(
      out.text.hasPrefix(
        "error: the command ran longer than its timeout of 5s and was stopped; pass a larger timeoutSeconds, or run long work as a tracer job (run_tracer_job)\nstdout:\nepoch 1\n"
      ))
  }

  @Test func forbiddenSaysWhichPermissionIsMissing() async throws {
    let status = Status(
      message:
        "runners.gra.dev \"demo\" is forbidden: User \"mallory\" cannot create resource \"runners/exec\" in API group \"gra.dev\" in the namespace \"team\"",
      reason: "Forbidden", code: 403)
    let fake = MCPFakeRunner { _ in throw KubeError(status: status) }
    await #expect {
      try await tools(fake).0.exec(
        ToolArguments(["runner": "demo", "command": ["true"]]), namespace: "team")
    } throws: {
      let m = ($0 as? ToolFailure)?.message ?? ""
      return m.hasPrefix("forbidden: runners.gra.dev \"demo\" is forbidden: User \"mallory\"")
        && m.contains(
          #"needs "create" on "runners/exec" in API groups "gra.dev" and "exec.gra.dev", namespace "team""#
        )
    }
  }

  @Test func readFileDecodesTheRunnersAnswerAndSaysWhereToContinue() async throws {
    let fake = MCPFakeRunner { call in
      #expect(call.command.prefix(3) == ["python3", "-c", WorkspaceScripts.read][...])
      #expect(Array(call.command.dropFirst(3)) == ["notes.txt", "4", "6"])
      return .init(
        stdout: Array(
          #"{"path": "/workspace/notes.txt", "size": 20, "offset": 4, "data": "aGVsbG8g"}"#.utf8))
    }
    let out = try await tools(fake).1.read(
      ToolArguments(["runner": "demo", "path": "notes.txt", "offset": 4, "limit": 6]),
      namespace: "default")
    #expect(
      out.text
        == "/workspace/notes.txt: bytes 4–10 of 20; call read_file with offset 10 for more\nhello ")
    #expect(out.structured?["content"] == "hello ")
  }

  @Test func fileErrorsFromTheRunnerBecomeHints() async throws {
    let fake = MCPFakeRunner { _ in
      .init(
        stdout: Array(
          #"{"error": "FileNotFoundError", "message": "No such file or directory", "path": "/workspace/x"}"#
            .utf8), end: .exited(3))
    }
    await #expect(
      throws: ToolFailure(
        "/workspace/x: no such file or directory; call list_directory on its parent to see what is there"
      )
    ) {
      try await tools(fake).1.read(
        ToolArguments(["runner": "demo", "path": "x"]), namespace: "default")
    }
  }

  @Test func binaryContentIsWrittenExactly() async throws {
    let fake = MCPFakeRunner()
    let bytes: [UInt8] = Array(0...255)
    let out = try await tools(fake).1.write(
      ToolArguments([
        "runner": "demo", "path": "b.bin", "content": .string(Data(bytes).base64EncodedString()),
        "encoding": "base64",
      ]),
      namespace: "default")
    #expect(fake.files["/workspace/b.bin"] == bytes)
    #expect(out.text == "wrote 256 bytes to /workspace/b.bin (now 256 bytes)")
  }
}
