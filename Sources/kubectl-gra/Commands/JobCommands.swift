import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// `kubectl gra run`: a TracerJob from flags.
struct RunCommand: RunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a TracerJob: a Python module, a script or a command, with retries and artifacts.",
    discussion: """
      What runs: --module M (python -m M ARGS), --script FILE (a local file is sent inline;
      otherwise FILE is a path in the pod), or the command after -- when neither is given;
      with none of them, the GradientTracer module (python -m gradienttracer ARGS).
      With --runner the job uses that Runner's workspace and keeps run.json, run.log and the
      artifacts there (fetch them with `kubectl gra results`).
      --wait streams the attempts' logs to stdout and exits with the job's exit code (0 when it
      succeeded, else the last attempt's exit code, else 1); 5 if --wait-timeout passes first
      (the job keeps running). With -o json and --wait, prints the finished TracerJob instead
      of the logs.
      Examples:
        kubectl gra run --module gradienttracer --runner demo --artifact 'out/**' --wait -- run suites out
        kubectl gra run --script train.py --timeout 1h --retries 2 --wait -- --epochs 3
        kubectl gra run --name smoke --wait -- python3 -c 'print(42)'
        kubectl gra run --module pkg.bench --dry-run=client -o yaml
      """)
  @OptionGroup var global: GlobalOptions
  @Option(help: "The TracerJob's name (default: generated).") var name: String?
  @Option(help: "Python module to run (python -m MODULE).") var module: String?
  @Option(help: "Python script: a local file (sent inline) or a path in the pod.") var script: String?
  @Option(help: "Run in this Runner's workspace (and keep the artifacts there).") var runner: String?
  @Option(help: "Container image (default: the runner's, else the gra runner image).") var image: String?
  @Option(help: "Deadline of each attempt, e.g. 30m or 3600.") var timeout: String?
  @Option(help: "Retries after a failed attempt (backoffLimit).") var retries: Int32?
  @Option(help: "Artifact glob relative to the working directory (repeatable), e.g. 'out/*.json'.") var artifact:
    [String] = []
  @Option(help: "A shell command run before the main one (repeatable), e.g. a dataset download.") var setup: [String] =
    []
  @Option(help: "Git repository to clone first.") var gitRepo: String?
  @Option(help: "Branch, tag or commit of --git-repo.") var gitRef: String?
  @Option(name: [.short, .customLong("env")], help: "An environment variable KEY=VALUE (repeatable).") var env:
    [String] = []
  @Option(name: [.short, .customLong("workdir")], help: "Working directory in the pod.") var workdir: String?
  @Option(help: "CPU request and limit, e.g. 2.") var cpu: String?
  @Option(help: "Memory request and limit, e.g. 8Gi.") var memory: String?
  @Option(help: "NVIDIA GPUs.") var gpus: Int?
  @Option(help: "Delete the job this long after it finished, e.g. 24h.") var ttl: String?
  @Flag(help: "Wait for the job, stream its logs and exit with its exit code.") var wait = false
  @Option(help: "How long --wait waits, e.g. 2h (default: no limit).") var waitTimeout: String?
  @Option(help: "`client` prints the TracerJob instead of creating it.") var dryRun: String?
  @Argument(parsing: .postTerminator, help: "Arguments for the module or script, or the command, after --.")
  var args: [String] = []

  func validate() throws {
    if module != nil && script != nil { throw ValidationError("give at most one of --module and --script") }
    if let dryRun, dryRun != "client" && dryRun != "none" {
      throw ValidationError("--dry-run \"\(dryRun)\": use client (or none)")
    }
  }

  func options() throws -> TracerJobOptions {
    var o = TracerJobOptions()
    o.name = name
    o.runner = runner
    o.image = image
    o.module = module
    o.script = script
    if module == nil && script == nil && !args.isEmpty { o.command = args } else { o.args = args }
    o.workingDir = workdir
    o.env = env
    o.setup = setup
    o.gitRepo = gitRepo
    o.gitRef = gitRef
    o.timeoutSeconds = try timeout.map { Int64(try parseTimeout($0, flag: "--timeout").components.seconds) }
    o.retries = retries
    o.artifacts = artifact
    o.cpu = cpu
    o.memory = memory
    o.gpus = gpus
    o.ttlSecondsAfterFinished = try ttl.map { Int32(try parseTimeout($0, flag: "--ttl").components.seconds) }
    return o
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let job: TracerJob
    do {
      job = try options().makeJob(namespace: namespace)
    } catch let e as TracerJobOptions.Invalid {
      throw CLIError(.usage, e.description)
    }
    let name = job.metadata.name ?? ""
    if dryRun == "client" {
      write(try JobPrinter.print([job], format: global.output == .table ? .yaml : global.output))
      return
    }
    let waitLimit = try waitTimeout.map { try parseTimeout($0, flag: "--wait-timeout") }
    let created = try await client.api(TracerJob.self, namespace: namespace).create(job)
    guard wait else {
      switch global.output {
      case .table, .wide: write("tracerjob.gra.dev/\(name) created\n")
      default: write(try JobPrinter.print([created], format: global.output))
      }
      return
    }
    progress("tracerjob.gra.dev/\(name) created")
    try await JobWait.run(
      name, client: client, namespace: namespace, timeout: waitLimit, output: global.output, streamLogs: true)
  }
}

/// Waiting for a job the way `run --wait` and `jobs wait` do, and exiting accordingly.
enum JobWait {
  static func run(
    _ name: String, client: KubernetesClient, namespace: String, timeout: Duration?, output: OutputFormat,
    streamLogs: Bool
  ) async throws {
    let watcher = TracerJobWatcher(client: client, namespace: namespace)
    let logs = streamLogs && output != .json && output != .yaml
    let header = AttemptHeader()
    let printLog: @Sendable (Int32, String, [UInt8]) async -> Void = { attempt, pod, bytes in
      if await header.first(attempt: attempt), attempt > 1 {
        FileHandle.standardError.write(Data("--- attempt \(attempt) (pod \(pod)) ---\n".utf8))
      }
      FileHandle.standardOutput.write(Data(bytes))
    }
    let job: TracerJob
    do {
      job = try await watcher.wait(name, timeout: timeout, log: logs ? printLog : nil, progress: { progress($0) })
    } catch TracerJobWatcher.Failure.timedOut(let last) {
      throw CLIError(
        .timedOut,
        "tracerjob \"\(name)\" not finished after \(timeout.map { "\($0.components.seconds)s" } ?? "?") (\(TracerJobWatcher.summary(last))); it keeps running"
      )
    }
    if output == .json || output == .yaml {
      write(try JobPrinter.print([job], format: output))
    }
    let code = TracerJobWatcher.exitCode(job)
    if job.status?.phase == .succeeded {
      progress("tracerjob.gra.dev/\(name) succeeded\(job.status?.duration.map { " in \($0)" } ?? "")")
      return
    }
    let s = job.status
    let why = s?.conditions?[type: GraConditions.failed]?.message ?? s?.reason ?? "failed"
    FileHandle.standardError.write(
      Data(
        "error: tracerjob \"\(name)\" failed (\(s?.reason ?? "Failed"), exit code \(s?.exitCode.map(String.init) ?? "none")): \(why)\n"
          .utf8))
    throw ExitCode(code)
  }
}

actor AttemptHeader {
  private var seen: Set<Int32> = []
  func first(attempt: Int32) -> Bool { seen.insert(attempt).inserted }
}

/// `kubectl gra jobs …`: TracerJobs.
struct JobsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jobs", abstract: "List, show, follow and delete TracerJobs.",
    discussion: """
      Examples:
        kubectl gra jobs list
        kubectl gra jobs get trace-1 -o json
        kubectl gra jobs describe trace-1
        kubectl gra jobs logs trace-1 -f
        kubectl gra jobs wait trace-1 --timeout 30m
        kubectl gra jobs delete trace-1 --wait
      """,
    subcommands: [JobsList.self, JobsGet.self, JobsDescribe.self, JobsLogs.self, JobsWait.self, JobsDelete.self],
    defaultSubcommand: JobsList.self)
}

/// A jobs subcommand about one named job: a missing one is reported as a TracerJob.
protocol NamedJobCommand: RunnerCommand {
  var name: String { get }
}

struct JobsList: RunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List TracerJobs.", discussion: "Example:\n  kubectl gra jobs list -A -o wide",
    aliases: ["ls"])
  @OptionGroup var global: GlobalOptions
  @Flag(name: [.short, .customLong("all-namespaces")], help: "List across all namespaces.") var allNamespaces = false
  @Option(name: [.short, .customLong("selector")], help: "Label selector.") var selector: String?

  func execute(client: KubernetesClient, namespace: String) async throws {
    let api = allNamespaces ? client.allNamespaces(TracerJob.self) : client.api(TracerJob.self, namespace: namespace)
    let jobs = try await api.listAll(ListParams(labelSelector: selector)).items.sorted {
      ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "")
    }
    if jobs.isEmpty, global.output == .table || global.output == .wide {
      progress(allNamespaces ? "No tracer jobs found." : "No tracer jobs found in \(namespace) namespace.")
    }
    write(try JobPrinter.print(jobs, format: global.output, allNamespaces: allNamespaces))
  }
}

struct JobsGet: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "get", abstract: "Show one TracerJob.", discussion: "Example:\n  kubectl gra jobs get trace-1 -o yaml")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  func execute(client: KubernetesClient, namespace: String) async throws {
    write(
      try JobPrinter.print(
        [try await client.api(TracerJob.self, namespace: namespace).get(name)], format: global.output))
  }
}

struct JobsDescribe: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "describe", abstract: "Show a TracerJob's attempts, artifacts and conditions.",
    discussion: "Example:\n  kubectl gra jobs describe trace-1")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  func execute(client: KubernetesClient, namespace: String) async throws {
    let job = try await client.api(TracerJob.self, namespace: namespace).get(name)
    write(
      global.output == .table || global.output == .wide
        ? JobPrinter.describe(job) : try JobPrinter.print([job], format: global.output))
  }
}

struct JobsLogs: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs", abstract: "Print a TracerJob attempt's log.",
    discussion: """
      The log of the last attempt (or --attempt N) from its pod. When the pod is gone and the job
      ran with --runner, the attempt's run.log is read from the runner's workspace instead.
      Examples:
        kubectl gra jobs logs trace-1
        kubectl gra jobs logs trace-1 -f
        kubectl gra jobs logs trace-1 --attempt 1
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  @Flag(name: [.short, .long], help: "Follow the log (every attempt until the job finishes).") var follow = false
  @Option(help: "Which attempt (default: the last one).") var attempt: Int32?
  @Flag(help: "Read run.log with pods/exec instead of the exec bridge.") var direct = false

  func execute(client: KubernetesClient, namespace: String) async throws {
    let job = try await client.api(TracerJob.self, namespace: namespace).get(name)
    if follow && attempt == nil {
      let watcher = TracerJobWatcher(client: client, namespace: namespace)
      _ = try await watcher.wait(
        name, timeout: nil, log: { _, _, bytes in FileHandle.standardOutput.write(Data(bytes)) })
      return
    }
    let n = attempt ?? job.status?.attempts ?? 0
    guard n > 0 else {
      throw CLIError(.failed, "tracerjob \"\(name)\" has not started an attempt yet (\(TracerJobWatcher.summary(job)))")
    }
    let pod =
      job.status?.attemptStatuses?.first { $0.attempt == n }?.podName
      ?? (n == job.status?.attempts ? job.status?.podName : nil)
      ?? "\(name)-\(n)"
    if try await client.api(Pod.self, namespace: namespace).getIfExists(pod) != nil {
      var filter = RunRecordFilter()
      for try await chunk in client.logs(namespace: namespace, pod: pod, LogOptions(follow: follow)) {
        FileHandle.standardOutput.write(Data(filter.push(chunk)))
      }
      FileHandle.standardOutput.write(Data(filter.finish()))
      return
    }
    let place: (runner: String, path: String)
    do {
      place = try JobArtifacts.workspaceDirectory(job: job, attempt: n)
    } catch {
      throw CLIError(.notFound, "the pod \(pod) of attempt \(n) is gone and its log with it: \(error)")
    }
    let executor = try await ExecutorChoice.make(
      direct: direct, runner: place.runner, client: client, namespace: namespace)
    let runner = try await client.api(Runner.self, namespace: namespace).get(place.runner)
    let out = try await executor.collect(["cat", "\(RunnerCopy.base(of: runner))/\(place.path)/run.log"])
    if let e = out.end.cliError { throw e }
    guard out.end.exitCode == 0 else {
      throw CLIError(
        .notFound,
        "the pod \(pod) is gone and runner \(place.runner) has no run.log for attempt \(n): \(out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
      )
    }
    FileHandle.standardOutput.write(Data(out.stdout))
  }
}

struct JobsWait: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "wait", abstract: "Wait for a TracerJob to finish and exit with its exit code.",
    discussion: "Example:\n  kubectl gra jobs wait trace-1 --timeout 30m -o json")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  @Option(help: "How long to wait, e.g. 30m (default: no limit).") var timeout: String?
  @Flag(help: "Stream the attempts' logs while waiting.") var logs = false
  func execute(client: KubernetesClient, namespace: String) async throws {
    _ = try await client.api(TracerJob.self, namespace: namespace).get(name)
    try await JobWait.run(
      name, client: client, namespace: namespace, timeout: try timeout.map { try parseTimeout($0) },
      output: global.output,
      streamLogs: logs)
  }
}

struct JobsDelete: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete", abstract: "Delete a TracerJob and its pods.",
    discussion: "Example:\n  kubectl gra jobs delete trace-1 --wait")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  @Flag(help: "Wait until it is gone.") var wait = false
  @Option(help: "How long --wait waits.") var timeout = "60s"
  func execute(client: KubernetesClient, namespace: String) async throws {
    let api = client.api(TracerJob.self, namespace: namespace)
    _ = try await api.delete(name, DeleteParams(propagationPolicy: .background))
    if wait {
      let deadline = ContinuousClock.now + (try parseTimeout(timeout))
      while try await api.getIfExists(name) != nil {
        guard ContinuousClock.now < deadline else {
          throw CLIError(.timedOut, "tracerjob \"\(name)\" still exists after \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(250))
      }
    }
    if global.output == .json {
      write(#"{"kind":"TracerJob","name":"\#(name)","namespace":"\#(namespace)","deleted":true}"# + "\n")
    } else {
      write("tracerjob.gra.dev/\(name) deleted\n")
    }
  }
}

/// `kubectl gra results JOB -d DIR`.
struct ResultsCommand: NamedJobCommand {
  static let configuration = CommandConfiguration(
    commandName: "results", abstract: "Download a TracerJob's run.json, run.log and artifacts.",
    discussion: """
      Copies the attempt's directory from the runner's workspace (jobs run with --runner keep
      their files there) into DIR through the exec bridge, then checks every artifact against
      the size and sha256 in the job's status. Exits 1 if one is missing or differs.
      Examples:
        kubectl gra results trace-1 -d ./trace-1
        kubectl gra results trace-1 -d out --attempt 2 -o json
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The job's name.") var name: String
  @Option(name: [.short, .customLong("dir")], help: "Where to put the files (created if missing).") var dir: String
  @Option(help: "Which attempt (default: the last one).") var attempt: Int32?
  @Flag(help: "Use pods/exec instead of the exec bridge.") var direct = false

  func execute(client: KubernetesClient, namespace: String) async throws {
    let job = try await client.api(TracerJob.self, namespace: namespace).get(name)
    guard TracerJobWatcher.isFinished(job) || attempt != nil else {
      throw CLIError(
        .failed,
        "tracerjob \"\(name)\" has not finished (\(TracerJobWatcher.summary(job))); wait with `kubectl gra jobs wait \(name)`"
      )
    }
    let n = attempt ?? job.status?.attempts ?? 0
    guard n > 0 else {
      throw CLIError(.failed, "tracerjob \"\(name)\" never started an attempt (\(TracerJobWatcher.summary(job)))")
    }
    let place: (runner: String, path: String)
    do {
      place = try JobArtifacts.workspaceDirectory(job: job, attempt: n)
    } catch let e as JobArtifacts.Unreachable {
      throw CLIError(.failed, e.description)
    }
    let runner: Runner
    do {
      runner = try await client.api(Runner.self, namespace: namespace).get(place.runner)
    } catch let e as KubeError where e.isNotFound {
      throw CLIError(
        .notFound,
        "runner \"\(place.runner)\" (where tracerjob \(name) kept its files) not found in namespace \"\(namespace)\"")
    }
    let executor = try await ExecutorChoice.make(
      direct: direct, runner: place.runner, client: client, namespace: namespace)
    let copy = RunnerCopy(
      executor: executor, base: RunnerCopy.base(of: runner), downloadChunk: RunnerCopy.downloadChunk(for: runner))
    let result = try await copy.download(
      remote: place.path, local: dir, exact: true,
      warn: { msg in
        FileHandle.standardError.write(Data("warning: \(msg)\n".utf8))
      })
    let records = attempt == nil || attempt == job.status?.attempts ? job.status?.artifacts ?? [] : []
    let checks = JobArtifacts.verify(directory: result.path, records: records)
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: result.path).sorted()) ?? []
    if global.output == .json {
      var v: JSONValue = ["job": .string(name), "namespace": .string(namespace), "attempt": .int(Int64(n))]
      v["directory"] = .string(result.path)
      v["runner"] = .string(place.runner)
      v["files"] = .array(files.map { .string($0) })
      v["artifacts"] = try JSONValue(encoding: checks)
      write(try RunnerPrinter.json(v))
    } else {
      var t = TablePrinter(headers: ["Artifact", "Size", "Sha256", "Check"])
      for c in checks { t.add([c.path, String(c.size), String(c.sha256.prefix(12)), c.result]) }
      write(
        "tracerjob \(name) attempt \(n) -> \(result.path) (\(files.count) files)\n" + (checks.isEmpty ? "" : t.render())
      )
    }
    let bad = checks.filter { $0.result != "ok" }
    if !bad.isEmpty {
      throw CLIError(
        .failed,
        "artifacts that do not match the job's status: "
          + bad.map { "\($0.path) (\($0.result))" }.joined(separator: ", "))
    }
  }
}
