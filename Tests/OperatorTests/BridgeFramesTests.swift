import CRDModels
import Foundation
import Testing

@testable import Operator

@Suite struct BridgeFramesTests {
  @Test func outputFramesAreJSONLinesWithOffsets() throws {
    let line = ExecFrame.output(stream: .stdout, offset: 5, bytes: Array("héllo\n".utf8)).line()
    #expect(line.hasSuffix("\n"))
    let v = try KubeJSON.decode(JSONValue.self, from: Data(line.utf8))
    #expect(v["type"] == "stdout")
    #expect(v["data"] == "héllo\n")
    #expect(v["offset"] == 5)
  }

  @Test func binaryOutputIsBase64() throws {
    let line = ExecFrame.output(stream: .stderr, offset: 0, bytes: [0xff, 0x00, 0x41]).line()
    let v = try KubeJSON.decode(JSONValue.self, from: Data(line.utf8))
    #expect(v["dataBase64"] == "/wBB")
    #expect(v["data"].isNull)
  }

  @Test(arguments: [
    (ExecEnd.exited(3), "exitCode", JSONValue.int(3)),
    (ExecEnd.signaled("SIGKILL"), "signal", "SIGKILL"),
    (ExecEnd.timedOut(seconds: 10), "reason", "TimedOut"),
    (ExecEnd.outputLimitReached(bytes: 100), "reason", "OutputLimitReached"),
    (ExecEnd.lost("pod deleted"), "reason", "Lost"),
  ])
  func theExitFrameSaysExactlyOneOutcome(end: ExecEnd, key: String, value: JSONValue) throws {
    let v = try KubeJSON.decode(JSONValue.self, from: Data(ExecFrame.exit(end).line().utf8))
    #expect(v["type"] == "exit")
    #expect(v[key] == value)
    let outcomeKeys = ["exitCode", "signal", "reason"].filter { !v[$0].isNull }
    #expect(outcomeKeys == [key])
  }

  @Test func replayFromAnOffsetResumesMidChunk() {
    var b = ReplayBuffer(capacity: 1000)
    b.append(.stdout, Array("abc".utf8))
    b.append(.stderr, Array("XY".utf8))
    b.append(.stdout, Array("def".utf8))
    #expect(b.written == 8)
    let frames = b.frames(from: 4)
    #expect(
      frames == [
        .output(stream: .stderr, offset: 4, bytes: Array("Y".utf8)),
        .output(stream: .stdout, offset: 5, bytes: Array("def".utf8)),
      ])
  }

  @Test func theBufferIsBoundedAndReportsWhatWasDropped() {
    var b = ReplayBuffer(capacity: 10)
    for _ in 0..<100 { b.append(.stdout, Array("0123456789abcdef".utf8)) }
    #expect(b.bytesHeld == 10)
    #expect(b.oldestOffset == 1590)
    let frames = b.frames(from: 0)
    guard case .output(_, let offset, let bytes)? = frames.first else {
      Issue.record("no frames")
      return
    }
    #expect(offset == 1590)
    #expect(frames.count == 1 && bytes == Array("6789abcdef".utf8))
  }

  @Test func requestValidationNamesTheFieldAndTheFix() {
    let bad = ExecRequest(command: [], env: ["1BAD": "x"], workingDir: "rel", timeoutSeconds: 0)
    let causes = bad.validate(maxTimeoutSeconds: 3600)
    #expect(causes.map(\.field) == ["command", "timeoutSeconds", "env[1BAD]", "workingDir"])
    #expect(causes[0].message?.contains("python") == true)
    #expect(
      ExecRequest(command: ["true"], env: ["A_B": "1"], timeoutSeconds: 5).validate(maxTimeoutSeconds: 60).isEmpty)
  }
}
