import Logging
import MCP

/// The MCP server: the SDK's ``Server`` with gra's tools, on any transport (stdio for
/// `kubectl gra mcp`, in-memory in tests).
enum GraMCPServer {
  static let instructions = """
    gra runs Python for you in Kubernetes, with your own kubeconfig identity and rights. A Runner is a \
    sandbox with a persistent /workspace: create_runner (or list_runners to reuse one), then exec, \
    run_python, write_file, read_file and list_directory on it. For long or batch work use run_tracer_job \
    (optionally in a runner's workspace) and read its artifacts with read_file. Suspend idle runners \
    (suspend_runner); their workspace is kept. Tool errors say what to call next.
    """

  static func make(toolbox: GraToolbox, version: String) async -> Server {
    let server = Server(
      name: "gra", version: version, title: "gra runners and tracer jobs",
      instructions: instructions,
      capabilities: .init(tools: .init(listChanged: false)))
    let tools = toolbox.tools
    await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
    await server.withMethodHandler(CallTool.self) { [weak server] params in
      guard let token = params._meta?.progressToken, let server else {
        return await toolbox.call(params.name, params.arguments)
      }
      let counter = ProgressCounter()
      let reporter: ToolProgress.Reporter = { message in
        let n = await counter.next()
        try? await server.notify(
          ProgressNotification.message(
            .init(progressToken: token, progress: Double(n), message: message)))
      }
      return await ToolProgress.$reporter.withValue(reporter) {
        await toolbox.call(params.name, params.arguments)
      }
    }
    return server
  }
}
