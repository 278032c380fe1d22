import ArgumentParser
import Foundation
import KubeClient
import Logging
import MCP

/// `kubectl gra mcp`: gra's operations as MCP tools over stdio, for AI agents.
struct MCPCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcp",
    abstract: "Serve gra as MCP tools over stdio for AI agents.",
    discussion: """
      Speaks the Model Context Protocol on stdin and stdout; logs go to stderr.
      Every tool call uses your kubeconfig identity: the API server and the
      exec bridge (runners/exec) decide what it may do.
      Agent configuration (Gemini CLI, Claude Code) and tools: docs/agents.md.
      Example (Claude Code):
        claude mcp add gra -- kubectl gra mcp --namespace sandbox
      """)

  @Option(help: "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
  var kubeconfig: String?
  @Option(help: "The kubeconfig context to use.") var context: String?
  @Option(
    name: [.short, .long], help: "Default namespace for tools (default: the context's namespace).")
  var namespace: String?
  @Option(
    help: "Bytes of stdout and of stderr returned per command; the rest is saved in the runner.")
  var maxOutputBytes = MCPLimits().returnedOutputBytes
  @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error.") var logLevel =
    "info"

  static let version = "0.1.0"

  func validate() throws {
    guard maxOutputBytes >= 256 && maxOutputBytes <= 1 << 20 else {
      throw ValidationError("--max-output-bytes must be between 256 and 1048576")
    }
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError(
        "--log-level \(logLevel): use trace, debug, info, notice, warning or error")
    }
  }

  func run() async throws {
    let level = Logger.Level(rawValue: logLevel) ?? .info
    // Standard output carries the protocol and nothing else.
    LoggingSystem.bootstrap { label in
      var h = StreamLogHandler.standardError(label: label)
      h.logLevel = level
      return h
    }
    let logger = Logger(label: "kubectl-gra.mcp")
    var environment = ProcessInfo.processInfo.environment
    if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
    let config: ClientConfiguration
    do {
      config = try ClientConfiguration.load(
        overrides: KubeconfigOverrides(context: context, namespace: namespace),
        environment: environment)
    } catch {
      logger.critical("cannot load the kubeconfig", metadata: ["error": "\(error)"])
      throw ExitCode(2)
    }
    let client = try KubernetesClient(configuration: config, logger: .quiet)
    var limits = MCPLimits()
    limits.returnedOutputBytes = maxOutputBytes
    let ns = namespace ?? config.namespace
    let toolbox = GraToolbox(
      client: client, executors: ExecutorFactories.bridge(client), defaultNamespace: ns,
      limits: limits, logger: logger)
    logger.info(
      "serving MCP on stdio",
      metadata: [
        "server": "\(config.server)", "namespace": "\(ns)", "kubeconfig": "\(config.origin)",
        "maxOutputBytes": "\(maxOutputBytes)",
      ])
    let server = await GraMCPServer.make(toolbox: toolbox, version: Self.version)
    try await server.start(transport: LineStdioTransport(logger: logger))
    await server.waitUntilCompleted()
    // stdin is closed; answer the calls still running (bounded by the longest tool wait).
    await toolbox.inFlight.drain(limit: .seconds(limits.jobWaitMaxSeconds + 30))
    await server.stop()
    try? await client.shutdown()
    logger.info("stdin closed; MCP server stopped")
  }
}
