import CRDModels
import Foundation
import Testing

@testable import KubeClient

@Suite struct ExecProtocolTests {
  @Test func framesCarryTheChannelByte() {
    #expect(ExecFrame.encode(.stdin, Array("ls\n".utf8)) == [0, 0x6c, 0x73, 0x0a])
    #expect(ExecFrame.closeStdin == [255, 0])
    #expect(ExecFrame.resize(TerminalSize(width: 80, height: 24)) == [4] + Array(#"{"Width":80,"Height":24}"#.utf8))
    let d = ExecFrame.decode([2, 0x65, 0x72, 0x72])
    #expect(d?.channel == .stderr)
    #expect(d.map { Array($0.payload) } == Array("err".utf8))
    #expect(ExecFrame.decode([1])?.payload.isEmpty == true)
    #expect(ExecFrame.decode([]) == nil)
    #expect(ExecFrame.decode([9, 1])?.channel == nil)
  }

  static func status(_ json: String) throws -> Status { try KubeJSON.decode(Status.self, from: Data(json.utf8)) }

  @Test func exitCodesFromTheStatusChannel() throws {
    #expect(try ExecFrame.exitCode(from: Self.status(#"{"metadata":{},"status":"Success"}"#)) == 0)
    let nonZero = #"""
      {"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}
      """#
    #expect(try ExecFrame.exitCode(from: Self.status(nonZero)) == 7)
  }

  @Test func otherFailuresAreErrorsWithTheMessage() throws {
    let s = try Self.status(
      #"{"metadata":{},"status":"Failure","message":"container not found (\"nope\")","reason":"InternalError","code":500}"#
    )
    #expect {
      _ = try ExecFrame.exitCode(from: s)
    } throws: { e in
      "\(e)".contains(#"container not found ("nope")"#)
    }
  }

  @Test func execQueryMatchesKubectl() {
    let o = ExecOptions(command: ["sh", "-c", "echo hi"], container: "main", stdin: true, tty: true)
    let r = KubeRequest(method: "GET", path: "/x", query: o.query)
    #expect(r.target == "/x?command=sh&command=-c&command=echo%20hi&container=main&stdin=true&stdout=true&tty=true")
  }

  @Test func logQuery() {
    let o = LogOptions(container: "c", follow: true, tailLines: 10, previous: true, timestamps: true)
    #expect(
      KubeRequest(method: "GET", path: "/l", query: o.query).target
        == "/l?container=c&follow=true&tailLines=10&previous=true&timestamps=true")
  }
}
