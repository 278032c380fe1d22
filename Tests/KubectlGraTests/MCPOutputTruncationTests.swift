import Foundation
import Testing

@testable import kubectl_gra

@Suite struct MCPOutputTruncationTests {
  @Test func outputWithinTheLimitIsReturnedWhole() {
    let r = OutputTruncation.truncate(
      Array("hello\n".utf8), limit: 6, stream: "stdout", fullOutputPath: "/x")
    #expect(r == .init(text: "hello\n", omittedBytes: 0))
  }

  @Test func longOutputKeepsAQuarterFromTheStartAndTheRestFromTheEnd() {
    let bytes = Array((0..<1000).map { _ in UInt8(ascii: "a") }) + Array("THE END\n".utf8)
    let r = OutputTruncation.truncate(
      bytes, limit: 100, stream: "stdout", fullOutputPath: "/workspace/.gra/mcp/exec-1.stdout")
    #expect(r.omittedBytes == 1008 - 100)
    #expect(
      r.text.hasPrefix(String(repeating: "a", count: 25) + "\n[... 908 bytes of stdout omitted; "))
    #expect(
      r.text.contains(
        "the full stdout (1008 bytes) is in the runner's file /workspace/.gra/mcp/exec-1.stdout"))
    #expect(r.text.contains("read_file with offset and limit"))
    #expect(r.text.hasSuffix("...]\n" + String(repeating: "a", count: 67) + "THE END\n"))
  }

  @Test func saysWhenTheFullOutputCouldNotBeSaved() {
    let r = OutputTruncation.truncate(
      Array(repeating: 65, count: 50), limit: 10, stream: "stderr", fullOutputPath: nil)
    #expect(r.text.contains("40 bytes of stderr omitted; the full stderr could not be saved"))
  }

  /// Cutting never splits a multi-byte character, so no replacement characters appear.
  @Test(arguments: [7, 8, 9, 10, 11, 12, 33, 34, 35])
  func cutsOnCharacterBoundaries(limit: Int) {
    let text = String(repeating: "é€😀", count: 40)
    let r = OutputTruncation.truncate(
      Array(text.utf8), limit: limit, stream: "stdout", fullOutputPath: "/f")
    #expect(!r.text.contains("\u{FFFD}"))
    let kept = r.text.replacingOccurrences(
      of: #"\n\[\.\.\. .*\.\.\.\]\n"#, with: "", options: .regularExpression)
    #expect(kept.utf8.count + r.omittedBytes == text.utf8.count)
  }
}
