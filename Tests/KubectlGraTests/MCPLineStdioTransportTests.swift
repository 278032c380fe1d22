import Foundation
import Logging
import Testing

@testable import kubectl_gra

/// The stdio transport: lines in, lines out, whatever the pipe's chunking.
@Suite struct MCPLineStdioTransportTests {
  @Test func splitsMessagesAcrossAndWithinReadsAndEndsAtEndOfInput() async throws {
    let toServer = Pipe()
    let fromServer = Pipe()
    let transport = LineStdioTransport(
      input: toServer.fileHandleForReading.fileDescriptor,
      output: fromServer.fileHandleForWriting.fileDescriptor,
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    try await transport.connect()
    let big = #"{"content":""# + String(repeating: "x", count: 1_000_000) + #""}"#
    let input = Array(("{\"id\":1}\n\n{\"id\":2}\n" + big + "\n{\"id\":3}").utf8)
    let writer = Thread {
      var offset = 0
      // Odd-sized writes, so messages straddle reads.
      while offset < input.count {
        let n = min(7919, input.count - offset)
        toServer.fileHandleForWriting.write(Data(input[offset..<offset + n]))
        offset += n
      }
      try? toServer.fileHandleForWriting.close()
    }
    writer.start()
    var received: [String] = []
    for try await message in transport.receive() {
      received.append(String(decoding: message, as: UTF8.self))
    }
    #expect(received.count == 4)
    #expect(received.first == #"{"id":1}"#)
    #expect(received[2] == big)
    #expect(received.last == #"{"id":3}"#, "a last line without a newline still counts")

    try await transport.send(Data(#"{"id":9}"#.utf8))
    try await transport.send(Data(#"{"id":10}"#.utf8))
    try fromServer.fileHandleForWriting.close()
    let written = String(
      decoding: fromServer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(written == "{\"id\":9}\n{\"id\":10}\n")
  }
}
