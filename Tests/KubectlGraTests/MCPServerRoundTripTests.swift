import Foundation
import KubeClient
import Logging
import MCP
import Testing

@testable import kubectl_gra

/// The whole server through the MCP Swift SDK's own client, in memory: what a client sees
/// after initialize, tools/list and tools/call.
@Suite struct MCPServerRoundTripTests {
  @Test func initializeListAndCallATool() async throws {
    let client = try KubernetesClient(
      configuration: ClientConfigurationForTests.unreachable, logger: .quiet)
    let fake = MCPFakeRunner { call in
      call.command == ["python3", "-"]
        ? .init(stdout: Array("42\n".utf8), end: .exited(0)) : .init(end: .exited(127))
    }
    let toolbox = GraToolbox(
      client: client, executors: fake.factory, defaultNamespace: "team", limits: MCPLimits(),
      logger: .quiet)
    let server = await GraMCPServer.make(toolbox: toolbox, version: "test")
    let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
    try await server.start(transport: serverSide)
    let mcp = Client(name: "tests", version: "1")
    let initialized = try await mcp.connect(transport: clientSide)
    #expect(initialized.serverInfo.name == "gra")
    #expect(initialized.instructions?.contains("create_runner") == true)

    let (tools, _) = try await mcp.listTools()
    #expect(tools.map(\.name) == ToolCatalog.tools(MCPLimits()).map(\.name))

    let (content, isError) = try await mcp.callTool(
      name: "run_python", arguments: ["runner": "demo", "code": "print(6*7)"])
    #expect(isError == false)
    #expect(
      content == [
        .text(text: "exit code: 0\nstdout:\n42\nstderr: (empty)\n", annotations: nil, _meta: nil)
      ])
    #expect(fake.calls.map(\.namespace) == ["team"])

    let (bad, badIsError) = try await mcp.callTool(name: "exec", arguments: ["runner": "demo"])
    #expect(badIsError == true)
    #expect(
      bad.first
        == .text(
          text:
            "invalid argument \"command\": give the program and its arguments as an array, e.g. [\"ls\", \"-la\"]; for a shell pipeline use [\"sh\", \"-c\", \"...\"]",
          annotations: nil, _meta: nil))

    await mcp.disconnect()
    await server.stop()
    try await client.shutdown()
  }
}
