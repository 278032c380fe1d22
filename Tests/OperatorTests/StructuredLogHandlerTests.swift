import Logging
import Synchronization
import Testing

@testable import Operator

@Suite struct StructuredLogHandlerTests {
  final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
  }

  @Test func jsonLinesCarryMetadataAndRedactSecrets() throws {
    let out = Lines()
    let logger = Logger(label: "gra") { StructuredLogHandler(label: $0, format: .json, sink: out.sink) }
    logger.info(
      "starting", metadata: ["namespace": "default", "token": "abc.def", "s3SecretKey": "x", "bearerToken": "y"])
    let line = try #require(out.all.first)
    #expect(line.contains(#""msg":"starting""#))
    #expect(line.contains(#""namespace":"default""#))
    #expect(!line.contains("abc.def"))
    #expect(!line.contains(#""x""#))
    #expect(line.contains(#""token":"<redacted>""#))
  }

  @Test func logfmtQuotesValuesWithSpaces() throws {
    let out = Lines()
    let logger = Logger(label: "gra") { StructuredLogHandler(label: $0, format: .logfmt, sink: out.sink) }
    logger.warning("reconcile failed", metadata: ["key": "ns/a", "error": "conflict on \"a\""])
    let line = try #require(out.all.first)
    #expect(line.contains(#"level=warning"#))
    #expect(line.contains(#"msg="reconcile failed""#))
    #expect(line.contains(#"key=ns/a"#))
    #expect(line.contains(#"error="conflict on \"a\"""#))
  }
}
