import MCP

/// Every tool `kubectl gra mcp` serves: name, what it does, its limits, and its input schema.
/// Descriptions are written for a model choosing a tool: what it does, what it needs, what
/// to call next.
enum ToolCatalog {
  static func tools(_ l: MCPLimits) -> [Tool] {
    runnerTools(l) + workspaceTools(l) + tracerJobTools(l)
  }

  private static let runner = Schema.name("The runner's name.")
  private static let ns = Schema.namespace

  static func runnerTools(_ l: MCPLimits) -> [Tool] {
    let wait = Schema.integer(
      "Seconds to wait for Ready (at most \(l.waitMaxSeconds)).", minimum: 1,
      maximum: l.waitMaxSeconds, default: l.waitDefaultSeconds)
    let readOnly = Tool.Annotations(readOnlyHint: true, openWorldHint: false)
    return [
      Tool(
        name: "list_runners", title: "List runners",
        description:
          "List the Runners (Python sandboxes with a persistent workspace) in a namespace, with phase and readiness.",
        inputSchema: Schema.object([
          ("namespace", ns), ("labelSelector", Schema.string("Label selector, e.g. team=ml.")),
        ]),
        annotations: readOnly),
      Tool(
        name: "get_runner", title: "Show a runner",
        description:
          "Show one Runner: phase, conditions (why it is not ready), workspace, last activity.",
        inputSchema: Schema.object([("name", runner), ("namespace", ns)], required: ["name"]),
        annotations: readOnly),
      Tool(
        name: "create_runner", title: "Create a runner",
        description: """
          Create a Runner: a pod running Python 3 with a persistent workspace volume (/workspace) that survives \
          suspend/resume. By default waits until it is ready (up to timeoutSeconds, at most \(l.waitMaxSeconds)). \
          Then use exec, run_python, read_file, write_file and list_directory on it.
          """,
        inputSchema: Schema.object(
          [
            ("name", runner), ("namespace", ns),
            (
              "image",
              Schema.string("Container image (default: the operator's runner image, the gra runner with Python 3.11).")
            ),
            ("cpu", Schema.string("CPU request and limit, e.g. 500m or 2.")),
            ("memory", Schema.string("Memory request and limit, e.g. 4Gi.")),
            ("gpus", Schema.integer("NVIDIA GPUs (nvidia.com/gpu).", minimum: 0, maximum: 16)),
            (
              "workspaceSize",
              Schema.string("Size of the workspace volume, e.g. 20Gi (default 10Gi).")
            ),
            (
              "idleTimeout",
              Schema.string("Suspend the runner after this long without activity, e.g. 30m.")
            ),
            ("env", Schema.stringMap("Environment variables for the runner.")),
            ("waitReady", Schema.boolean("Wait until the runner is ready.", default: true)),
            ("timeoutSeconds", wait),
          ], required: ["name"]),
        annotations: Tool.Annotations(
          destructiveHint: false, idempotentHint: false, openWorldHint: false)),
      Tool(
        name: "delete_runner", title: "Delete a runner",
        description:
          "Delete a Runner: its pod, and its workspace too unless the Runner's workspace.reclaimPolicy is Retain. Cannot be undone.",
        inputSchema: Schema.object([("name", runner), ("namespace", ns)], required: ["name"]),
        annotations: Tool.Annotations(
          destructiveHint: true, idempotentHint: true, openWorldHint: false)),
      Tool(
        name: "suspend_runner", title: "Suspend a runner",
        description:
          "Suspend a Runner: its pod goes away (running commands stop), the workspace is kept. resume_runner brings it back.",
        inputSchema: Schema.object([("name", runner), ("namespace", ns)], required: ["name"]),
        annotations: Tool.Annotations(
          destructiveHint: true, idempotentHint: true, openWorldHint: false)),
      Tool(
        name: "resume_runner", title: "Resume a runner",
        description:
          "Resume a suspended Runner with the same workspace; by default waits until it is ready (at most \(l.waitMaxSeconds)s).",
        inputSchema: Schema.object(
          [
            ("name", runner), ("namespace", ns),
            ("waitReady", Schema.boolean("Wait until the runner is ready.", default: true)),
            ("timeoutSeconds", wait),
          ],
          required: ["name"]),
        annotations: Tool.Annotations(
          destructiveHint: false, idempotentHint: true, openWorldHint: false)),
      Tool(
        name: "wait_runner_ready", title: "Wait for a runner",
        description:
          "Wait until a Runner is ready to run commands (at most \(l.waitMaxSeconds)s per call). Fails at once if it is suspended or failed, saying why.",
        inputSchema: Schema.object(
          [("name", runner), ("namespace", ns), ("timeoutSeconds", wait)], required: ["name"]),
        annotations: readOnly),
    ]
  }

  static func workspaceTools(_ l: MCPLimits) -> [Tool] {
    let timeout = Schema.integer(
      "Seconds before the command is stopped (default \(l.execDefaultTimeoutSeconds), at most \(l.execMaxTimeoutSeconds)); use run_tracer_job for longer work.",
      minimum: 1, maximum: l.execMaxTimeoutSeconds, default: l.execDefaultTimeoutSeconds)
    let workingDir = Schema.string(
      "Absolute working directory (default: the runner's, /workspace).")
    let env = Schema.stringMap("Extra environment variables.")
    let outputNote = """
      Returns the exit code, stdout and stderr. Each stream is cut to \(l.returnedOutputBytes) bytes (its start and \
      its end) with a note; the full stream is then saved in the runner under /workspace/.gra/mcp/ (the newest \
      \(l.savedOutputsKept) are kept) and the note names the file (page through it with read_file). The runner \
      stops a command that writes more than its output limit (10 MiB by default). A non-zero exit code is a normal result, not a tool error.
      """
    let path = Schema.string(
      "Path in the runner; relative paths are relative to the workspace (/workspace).")
    return [
      Tool(
        name: "exec", title: "Run a command in a runner",
        description:
          "Run a program in a Runner (no shell unless you run one: [\"sh\", \"-c\", \"...\"]), as the runner's user (UID 1000). "
          + outputNote,
        inputSchema: Schema.object(
          [
            ("runner", runner), ("namespace", ns),
            (
              "command",
              Schema.strings(
                "The program and its arguments, e.g. [\"python3\", \"train.py\", \"--epochs\", \"3\"].",
                minItems: 1)
            ),
            ("stdin", Schema.string("Text given to the command on its standard input.")),
            ("workingDir", workingDir), ("env", env), ("timeoutSeconds", timeout),
          ], required: ["runner", "command"]),
        annotations: Tool.Annotations(destructiveHint: true, openWorldHint: true)),
      Tool(
        name: "run_python", title: "Run Python code in a runner",
        description:
          "Run Python 3 code in a Runner (sent to `python3 -` on stdin; files it writes under /workspace persist). Print what you want to see. "
          + outputNote,
        inputSchema: Schema.object(
          [
            ("runner", runner), ("namespace", ns),
            ("code", Schema.string("The Python source to run.")),
            ("args", Schema.strings("Arguments (sys.argv[1:]).")), ("workingDir", workingDir),
            ("env", env), ("timeoutSeconds", timeout),
          ], required: ["runner", "code"]),
        annotations: Tool.Annotations(destructiveHint: true, openWorldHint: true)),
      Tool(
        name: "read_file", title: "Read a file in a runner",
        description: """
          Read a file in a Runner: up to `limit` bytes (default \(l.readDefaultBytes), at most \(l.readMaxBytes)) from \
          `offset`. Says the file's size and the offset to read next. Text comes back as text, other bytes as base64.
          """,
        inputSchema: Schema.object(
          [
            ("runner", runner), ("namespace", ns), ("path", path),
            ("offset", Schema.integer("Byte offset to start at.", minimum: 0, default: 0)),
            (
              "limit",
              Schema.integer(
                "Bytes to read.", minimum: 1, maximum: l.readMaxBytes, default: l.readDefaultBytes)
            ),
          ], required: ["runner", "path"]),
        annotations: Tool.Annotations(readOnlyHint: true, openWorldHint: false)),
      Tool(
        name: "write_file", title: "Write a file in a runner",
        description: """
          Write (or append to) a file in a Runner, creating its directories. At most \(l.writeMaxBytes) bytes per \
          call; files under /workspace persist across suspend/resume.
          """,
        inputSchema: Schema.object(
          [
            ("runner", runner), ("namespace", ns), ("path", path),
            ("content", Schema.string("The content.")),
            (
              "encoding",
              Schema.string("How content is encoded.", oneOf: ["text", "base64"], default: "text")
            ),
            ("append", Schema.boolean("Append instead of replacing the file.", default: false)),
          ], required: ["runner", "path", "content"]),
        annotations: Tool.Annotations(
          destructiveHint: true, idempotentHint: true, openWorldHint: false)),
      Tool(
        name: "list_directory", title: "List a directory in a runner",
        description:
          "List a directory in a Runner (default: the workspace): name, type, size, modification time; at most \(l.listMaxEntries) entries.",
        inputSchema: Schema.object(
          [
            ("runner", runner), ("namespace", ns),
            ("path", Schema.string("Directory; relative to the workspace.", default: ".")),
          ],
          required: ["runner"]),
        annotations: Tool.Annotations(readOnlyHint: true, openWorldHint: false)),
    ]
  }

  static func tracerJobTools(_ l: MCPLimits) -> [Tool] {
    let job = Schema.name("The tracer job's name.")
    let waitSeconds = Schema.integer(
      "Seconds to wait for the job to finish (at most \(l.jobWaitMaxSeconds)); if it is still running then, the result says so.",
      minimum: 0, maximum: l.jobWaitMaxSeconds, default: l.jobWaitDefaultSeconds)
    let readOnly = Tool.Annotations(readOnlyHint: true, openWorldHint: false)
    return [
      Tool(
        name: "run_tracer_job", title: "Run a tracer job",
        description: """
          Start a TracerJob (a batch run in its own pod: a Python module, a script, or a command; by default the \
          GradientTracer module) and wait for it (waitSeconds, at most \(l.jobWaitMaxSeconds)). With `runner`, it runs \
          in that runner's workspace and its artifacts and run.log stay there (readable with read_file). Returns \
          phase, exit code, the end of the log on failure, and the artifacts with size and sha256. Use it for \
          work longer than \(l.execMaxTimeoutSeconds)s or that should not depend on a runner.
          """,
        inputSchema: Schema.object(
          [
            ("name", Schema.name("Name (default: generated, mcp-xxxxx).")), ("namespace", ns),
            ("runner", Schema.name("Run in this runner's workspace (optional).")),
            ("module", Schema.string("Python module to run (python -m MODULE ARGS).")),
            (
              "script",
              Schema.string(
                "Python script: a path in the workspace, or the source itself (with newlines).")
            ),
            (
              "command", Schema.strings("A program and its arguments, instead of module or script.")
            ),
            ("args", Schema.strings("Arguments for the module, script or command.")),
            ("setup", Schema.strings("Shell commands run first, e.g. to download data.")),
            (
              "image",
              Schema.string("Container image (default: the runner's, else the operator's runner image).")
            ),
            ("env", Schema.stringMap("Environment variables.")),
            ("workingDir", Schema.string("Working directory (default: the workspace).")),
            ("timeoutSeconds", Schema.integer("Deadline of each attempt, in seconds.", minimum: 1)),
            (
              "backoffLimit",
              Schema.integer("Retries after a failure (default 0).", minimum: 0, maximum: 10)
            ),
            (
              "artifacts",
              Schema.strings(
                "Glob patterns of files to collect, relative to the working directory, e.g. [\"out/**\"]."
              )
            ),
            ("waitSeconds", waitSeconds),
          ]),
        annotations: Tool.Annotations(
          destructiveHint: false, idempotentHint: false, openWorldHint: true)),
      Tool(
        name: "wait_tracer_job", title: "Wait for a tracer job",
        description:
          "Wait until a TracerJob succeeds or fails (at most \(l.jobWaitMaxSeconds)s per call); same result as run_tracer_job.",
        inputSchema: Schema.object(
          [("name", job), ("namespace", ns), ("waitSeconds", waitSeconds)], required: ["name"]),
        annotations: readOnly),
      Tool(
        name: "get_tracer_job", title: "Show a tracer job",
        description:
          "Show a TracerJob's status: phase, attempts, exit code, reason, the end of its log on failure, and its artifacts (with where to read them).",
        inputSchema: Schema.object([("name", job), ("namespace", ns)], required: ["name"]),
        annotations: readOnly),
      Tool(
        name: "tracer_job_logs", title: "Read a tracer job's log",
        description:
          "The end of a TracerJob attempt's log (default the latest attempt; \(l.logTailDefaultLines) lines, at most \(l.logTailMaxLines) lines and \(l.logMaxBytes) bytes). Needs get on pods/log.",
        inputSchema: Schema.object(
          [
            ("name", job), ("namespace", ns),
            ("attempt", Schema.integer("Attempt number (1-based).", minimum: 1)),
            (
              "tailLines",
              Schema.integer(
                "Lines from the end.", minimum: 1, maximum: l.logTailMaxLines,
                default: l.logTailDefaultLines)
            ),
          ], required: ["name"]),
        annotations: readOnly),
      Tool(
        name: "delete_tracer_job", title: "Delete a tracer job",
        description:
          "Delete a TracerJob and its pods (artifacts already copied to a workspace, claim or S3 stay).",
        inputSchema: Schema.object([("name", job), ("namespace", ns)], required: ["name"]),
        annotations: Tool.Annotations(
          destructiveHint: true, idempotentHint: true, openWorldHint: false)),
    ]
  }
}
