import CRDModels
import Foundation
import KubeClient
import NIOCore
import Testing

/// The bridge client against the frames the exec bridge writes (`Sources/Operator/Bridge/ExecFrame.swift`).
@Suite struct BridgeExecClientTests {
  @Test func decodesOutputFramesTextAndBase64() throws {
    let text = try BridgeExecFrame.decode(Array(#"{"data":"42\n","offset":0,"type":"stdout"}"#.utf8))
    #expect(text == .output(stream: .stdout, offset: 0, bytes: Array("42\n".utf8)))
    let binary = try BridgeExecFrame.decode(Array(#"{"dataBase64":"/wA=","offset":3,"type":"stderr"}"#.utf8))
    #expect(binary == .output(stream: .stderr, offset: 3, bytes: [0xFF, 0x00]))
  }

  @Test(arguments: [
    (#"{"exitCode":3,"type":"exit"}"#, BridgeExecEnd.exited(3)),
    (#"{"signal":"SIGKILL","type":"exit"}"#, .signaled("SIGKILL")),
    (#"{"message":"too long","reason":"TimedOut","type":"exit"}"#, .timedOut(message: "too long")),
    (#"{"message":"big","reason":"OutputLimitReached","type":"exit"}"#, .outputLimitReached(message: "big")),
    (#"{"message":"pod gone","reason":"Lost","type":"exit"}"#, .lost(message: "pod gone")),
    (
      #"{"message":"wait for it","reason":"RunnerNotReady","type":"exit"}"#,
      .notRun(reason: "RunnerNotReady", message: "wait for it")
    ),
  ])
  func decodesEveryEnding(line: String, expected: BridgeExecEnd) throws {
    #expect(try BridgeExecFrame.decode(Array(line.utf8)) == .exit(expected))
  }

  @Test func unknownFrameTypesAreSkippedAndGarbageIsAnError() throws {
    #expect(try BridgeExecFrame.decode(Array(#"{"type":"progress","n":1}"#.utf8)) == nil)
    #expect(throws: KubeError.self) { try BridgeExecFrame.decode(Array("not json".utf8)) }
  }

  @Test func signalsMapToShellExitCodes() {
    #expect(BridgeExecEnd.signaled("SIGKILL").shellExitCode == 137)
    #expect(BridgeExecEnd.exited(4).shellExitCode == 4)
    #expect(BridgeExecEnd.timedOut(message: "").shellExitCode == nil)
  }

  /// Lines split across chunks at every byte still give the same output and end.
  @Test func readsFramesSplitAcrossChunks() async throws {
    let body = #"""
      {"data":"héllo ","offset":0,"type":"stdout"}
      {"dataBase64":"AAEC","offset":7,"type":"stdout"}
      {"data":"oops\n","offset":10,"type":"stderr"}
      {"exitCode":7,"type":"exit"}

      """#
    let bytes = Array(body.utf8)
    for size in [1, 3, 17, bytes.count] {
      let (stream, c) = AsyncStream<ByteBuffer>.makeStream()
      for start in stride(from: 0, to: bytes.count, by: size) {
        c.yield(ByteBuffer(bytes: bytes[start..<min(start + size, bytes.count)]))
      }
      c.finish()
      let out = Collector()
      let err = Collector()
      let end = try await BridgeExecClient.read(stream, stdout: { await out.add($0) }, stderr: { await err.add($0) })
      #expect(end == .exited(7))
      #expect(await out.bytes == Array("héllo ".utf8) + [0, 1, 2])
      #expect(await err.bytes == Array("oops\n".utf8))
    }
  }

  @Test func aStreamWithoutAnExitFrameHasNoEnd() async throws {
    let (stream, c) = AsyncStream<ByteBuffer>.makeStream()
    c.yield(ByteBuffer(string: #"{"data":"partial","offset":0,"type":"stdout"}"# + "\n"))
    c.finish()
    #expect(try await BridgeExecClient.read(stream, stdout: { _ in }, stderr: { _ in }) == nil)
  }

  @Test func tellsAMissingBridgeFromAMissingRunner() {
    let noGroup = KubeError(
      status: Status(message: "the server could not find the requested resource", reason: "NotFound", code: 404))
    let noRunner = KubeError(
      status: Status(
        message: "runners.gra.dev \"x\" not found", reason: "NotFound",
        details: StatusDetails(name: "x", kind: "runners"), code: 404))
    #expect(BridgeExecClient.isBridgeUnavailable(noGroup))
    #expect(!BridgeExecClient.isBridgeUnavailable(noRunner))
    #expect(
      BridgeExecClient.isBridgeUnavailable(
        KubeError(status: Status(message: "service unavailable", reason: "ServiceUnavailable", code: 503))))
  }

  /// The WebSocket path's final Status (kubelet's form, with the bridge's reasons).
  @Test func finalStatusesBecomeEndings() {
    #expect(BridgeExecClient.end(from: Status(status: "Success")) == .exited(0))
    let nonZero = Status(
      message: "command terminated with non-zero exit code", reason: "NonZeroExitCode",
      details: StatusDetails(causes: [StatusCause(reason: "ExitCode", message: "7")]))
    #expect(BridgeExecClient.end(from: nonZero) == .exited(7))
    #expect(BridgeExecClient.end(from: Status(message: "slow", reason: "TimedOut")) == .timedOut(message: "slow"))
    #expect(
      BridgeExecClient.end(from: Status(message: "wait", reason: "RunnerNotReady"))
        == .notRun(reason: "RunnerNotReady", message: "wait"))
    if case .lost = BridgeExecClient.end(from: nil) {} else { Issue.record("no status must be a lost outcome") }
  }

  @Test func requestEncodesTheContractsFieldNames() throws {
    let r = BridgeExecRequest(
      command: ["python3", "-"], stdin: "print(1)", env: ["A": "b"], workingDir: "/workspace", timeoutSeconds: 30)
    let v = try KubeJSON.decode(JSONValue.self, from: KubeJSON.encode(r))
    #expect(
      v == [
        "command": ["python3", "-"], "stdin": "print(1)", "env": ["A": "b"], "workingDir": "/workspace",
        "timeoutSeconds": 30,
      ])
  }
}

actor Collector {
  var bytes: [UInt8] = []
  func add(_ b: ArraySlice<UInt8>) { bytes += b }
}
