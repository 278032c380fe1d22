import Foundation
import MCP
import Testing

@testable import kubectl_gra

/// Bad arguments come back as messages that name the argument and say what is valid.
@Suite struct MCPToolArgumentsTests {
  @Test func namesMustBeDNSLabels() throws {
    let a = ToolArguments(["runner": "My_Box", "ok": "demo-1"])
    #expect(throws: ToolFailure.self) { try a.name("runner") }
    do {
      _ = try a.name("runner")
    } catch let f as ToolFailure {
      #expect(
        f.message.hasPrefix(
          "invalid argument \"runner\": \"My_Box\" is not a valid name: use at most 63 lowercase letters"
        ))
    }
    #expect(try a.name("ok") == "demo-1")
    #expect(try a.name("absent", required: false) == nil)
    #expect(throws: ToolFailure.invalidArgument("absent", "is required")) { try a.name("absent") }
  }

  @Test func integersAreCheckedAgainstTheirRange() throws {
    let a = ToolArguments(["t": 700, "s": "30", "d": 5.0, "bad": "soon"])
    #expect(throws: ToolFailure.invalidArgument("t", "must be between 1 and 600, got 700")) {
      try a.int("t", default: 60, min: 1, max: 600)
    }
    #expect(try a.int("s", default: 60, min: 1, max: 600) == 30)
    #expect(try a.int("d", default: 60, min: 1, max: 600) == 5)
    #expect(try a.int("missing", default: 60, min: 1, max: 600) == 60)
    #expect(throws: ToolFailure.invalidArgument("bad", "must be an integer")) {
      try a.int("bad", default: 1, min: 0, max: 9)
    }
  }

  @Test func unknownArgumentsAreRefusedWithTheValidOnes() {
    let a = ToolArguments(["runner": "demo", "comand": ["ls"]])
    #expect(throws: ToolFailure("unknown argument comand; this tool takes: command, runner")) {
      try a.rejectUnknown(allowed: ["runner", "command"])
    }
  }

  @Test func arraysAndMapsAreTyped() throws {
    let a = ToolArguments([
      "command": ["ls", "-la"], "mixed": ["ls", 1], "env": ["A": "1", "B": 2], "notmap": "x",
    ])
    #expect(try a.strings("command") == ["ls", "-la"])
    #expect(throws: ToolFailure.invalidArgument("mixed", "must be an array of strings")) {
      try a.strings("mixed")
    }
    #expect(try a.stringMap("env") == ["A": "1", "B": "2"])
    #expect(throws: ToolFailure.self) { try a.stringMap("notmap") }
  }

  /// The SDK turns strings that look like data URLs into `.data`; they are given back as written.
  @Test func dataURLStringsSurvive() throws {
    let s = "data:text/plain;base64,aGk="
    let decoded = try JSONDecoder().decode(
      [String: Value].self, from: Data(#"{"content": "\#(s)"}"#.utf8))
    #expect(try ToolArguments(decoded).string("content") == s)
  }
}
