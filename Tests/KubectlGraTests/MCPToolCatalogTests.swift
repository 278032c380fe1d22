import Foundation
import KubeClient
import MCP
import Testing

@testable import kubectl_gra

/// The tool list an agent reads: names, schemas and the limits stated in descriptions.
@Suite struct MCPToolCatalogTests {
  let tools = ToolCatalog.tools(MCPLimits())

  @Test func namesAreUniqueAndSnakeCase() {
    let names = tools.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(names.allSatisfy { $0.range(of: "^[a-z][a-z_]*$", options: .regularExpression) != nil })
    #expect(names.count == 17)
  }

  @Test func everySchemaIsAClosedObjectWhoseRequiredKeysExist() throws {
    for tool in tools {
      guard case .object(let schema) = tool.inputSchema,
        case .object(let properties)? = schema["properties"]
      else {
        Issue.record("\(tool.name): not an object schema")
        continue
      }
      #expect(schema["type"] == "object", "\(tool.name)")
      #expect(schema["additionalProperties"] == false, "\(tool.name)")
      #expect(properties["namespace"] != nil, "\(tool.name) takes a namespace")
      let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
      for key in required {
        #expect(properties[key] != nil, "\(tool.name): required \(key) is not a property")
      }
      for (key, p) in properties {
        #expect(p.objectValue?["type"]?.stringValue != nil, "\(tool.name).\(key) has no type")
        let description = p.objectValue?["description"]?.stringValue ?? ""
        #expect(description.count > 5, "\(tool.name).\(key) has no description")
      }
      #expect((tool.description ?? "").count > 40, "\(tool.name) needs a real description")
    }
  }

  @Test func descriptionsStateTheLimitsTheServerEnforces() throws {
    var limits = MCPLimits()
    limits.returnedOutputBytes = 4096
    limits.execMaxTimeoutSeconds = 120
    let byName = Dictionary(uniqueKeysWithValues: ToolCatalog.tools(limits).map { ($0.name, $0) })
    let exec = try #require(byName["exec"])
    #expect(exec.description?.contains("cut to 4096 bytes") == true)
    #expect(exec.description?.contains("/workspace/.gra/mcp/") == true)
    let timeout = exec.inputSchema.objectValue?["properties"]?.objectValue?["timeoutSeconds"]?
      .objectValue
    #expect(timeout?["maximum"] == .int(120))
    #expect(timeout?["default"] == .int(60))
    #expect(byName["read_file"]?.description?.contains("at most 1048576") == true)
    #expect(byName["write_file"]?.description?.contains("At most 8388608 bytes") == true)
    #expect(byName["run_tracer_job"]?.description?.contains("at most 600") == true)
  }

  @Test func destructiveToolsSayTheyAre() {
    let byName = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })
    for name in [
      "delete_runner", "suspend_runner", "exec", "run_python", "write_file", "delete_tracer_job",
    ] {
      #expect(byName[name]?.annotations.destructiveHint == true, "\(name)")
    }
    for name in [
      "list_runners", "get_runner", "read_file", "list_directory", "get_tracer_job",
      "tracer_job_logs",
    ] {
      #expect(byName[name]?.annotations.readOnlyHint == true, "\(name)")
    }
  }

  /// Every listed tool is dispatched (the server has no client to reach, so each call fails,
  /// but never as an unknown tool), and an unknown name lists the real ones.
  @Test func everyListedToolIsServed() async throws {
    let client = try KubernetesClient(
      configuration: ClientConfigurationForTests.unreachable, logger: .quiet)
    let fake = MCPFakeRunner(answer: { _ in
      .init(end: .notRun(reason: "RunnerNotReady", message: "starting"))
    })
    let box = GraToolbox(
      client: client, executors: fake.factory, defaultNamespace: "default", limits: MCPLimits(),
      logger: .quiet)
    for tool in tools {
      let r = await box.call(
        tool.name,
        [
          "name": "demo", "runner": "demo", "path": "x", "code": "1", "content": "",
          "command": ["true"],
        ])
      #expect(!text(r).contains("no tool named"), "\(tool.name)")
    }
    let unknown = await box.call("launch_rocket", nil)
    #expect(unknown.isError == true)
    #expect(
      text(unknown).hasPrefix(
        "no tool named \"launch_rocket\"; the tools are: list_runners, get_runner"))
    try await client.shutdown()
  }
}

func text(_ r: CallTool.Result) -> String {
  r.content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined(
    separator: "\n")
}

enum ClientConfigurationForTests {
  /// Nothing listens on port 1; no retries, so every API call fails at once.
  static var unreachable: ClientConfiguration {
    var c = ClientConfiguration(server: "http://127.0.0.1:1")
    c.retry = .none
    c.connectTimeout = .seconds(2)
    return c
  }
}
