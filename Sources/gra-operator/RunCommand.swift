import ArgumentParser
import CRDModels
import Dispatch
import Foundation
import KubeClient
import Logging
import Operator

#if canImport(Glibc)
  import Glibc
#endif

/// `gra-operator run`: the operator process that the Deployment runs.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the operator against the cluster of the current kubeconfig or service account.",
    discussion: """
      Examples:
        gra-operator run                              # current kubeconfig, all namespaces
        gra-operator run --namespace team-a --leader-elect
        gra-operator run --runner-image registry.example.com/gra-runner:1.4.0
        KUBECONFIG=.local/kubeconfig gra-operator run --health-probe-bind-address :0
      """)

  @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, the service account, ~/.kube/config).")
  var kubeconfig: String?
  @Option(help: "The kubeconfig context to use.")
  var context: String?
  @Option(help: "Watch only this namespace (default: all namespaces).")
  var namespace: String?
  @Flag(help: "Elect a leader among replicas through a Lease; only the leader reconciles.")
  var leaderElect = false
  @Option(help: "Namespace of the leader-election Lease (default: $POD_NAMESPACE, else gra-system).")
  var leaderElectionNamespace: String?
  @Option(help: "Name of the leader-election Lease.")
  var leaderElectionId = "gra-operator"
  @Option(help: "How long a standby waits before taking over a Lease that was not renewed (Go duration).", transform: duration("--leader-elect-lease-duration"))
  var leaderElectLeaseDuration = GoDuration(seconds: 15)
  @Option(help: "How long the leader keeps trying to renew before it gives up leadership (Go duration).", transform: duration("--leader-elect-renew-deadline"))
  var leaderElectRenewDeadline = GoDuration(seconds: 10)
  @Option(help: "Interval between tries to acquire or renew the Lease (Go duration).", transform: duration("--leader-elect-retry-period"))
  var leaderElectRetryPeriod = GoDuration(seconds: 2)
  @Option(help: "Address of /metrics (\":0\" disables it).")
  var metricsBindAddress = ":8080"
  @Option(help: "Address of /healthz and /readyz.")
  var healthProbeBindAddress = ":8081"
  @Option(help: "Address of the exec bridge (runners/exec); \"\" disables it.")
  var bridgeBindAddress = ":8443"
  @Option(help: "Directory with the bridge's tls.crt and tls.key (a kubernetes.io/tls Secret); without them a self-signed certificate is made.")
  var bridgeTlsDir = "/etc/gra/bridge-tls"
  @Flag(help: "Serve the bridge over plain HTTP, bearer tokens only (local development only).")
  var bridgeInsecureHttp = false
  @Option(help: "Name of the bridge's Service (for the self-signed certificate's DNS names).")
  var bridgeServiceName = "gra-bridge"
  @Option(parsing: .unconditional, help: "Execs running at once per runner, unless its spec.exec.maxConcurrent says otherwise.")
  var bridgeMaxConcurrent = Int(GraDefaults.execMaxConcurrent)
  @Option(parsing: .unconditional, help: "Exec timeout in seconds when neither the request nor the runner sets one.")
  var bridgeDefaultTimeout = Int(GraDefaults.execDefaultTimeoutSeconds)
  @Option(parsing: .unconditional, help: "Largest exec timeout a request may ask for, in seconds.")
  var bridgeMaxTimeout = 3600
  @Option(parsing: .unconditional, help: "Output bytes per exec (stdout and stderr together) unless the runner's spec.exec.outputLimitBytes says otherwise.")
  var bridgeOutputLimit = Int(GraDefaults.execOutputLimitBytes)
  @Option(help: "Image of Runners and TracerJobs that do not set spec.image (default: $GRA_RUNNER_IMAGE, else \(GraDefaults.runnerImage)).")
  var runnerImage: String?
  @Option(parsing: .unconditional, help: "Concurrent reconciles per controller.")
  var workers = 4
  @Option(help: "Log format: json or logfmt.")
  var logFormat: StructuredLogHandler.Format = .json
  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: Logger.Level = .info
  @Option(parsing: .unconditional, help: "Seconds to let in-flight reconciles finish after SIGTERM before exiting.")
  var shutdownTimeout = 30

  func validate() throws {
    var addresses = [("--metrics-bind-address", metricsBindAddress), ("--health-probe-bind-address", healthProbeBindAddress)]
    if !bridgeBindAddress.isEmpty { addresses.append(("--bridge-bind-address", bridgeBindAddress)) }
    for (flag, value) in addresses {
      guard BindAddress(value) != nil else {
        throw ValidationError("\(flag) \"\(value)\": expected HOST:PORT or :PORT with a port from 0 to 65535, e.g. :8080")
      }
    }
    _ = try Self.runnerImage(flag: runnerImage, environment: ProcessInfo.processInfo.environment)
    guard workers > 0 else { throw ValidationError("--workers \(workers): must be at least 1, e.g. --workers 4") }
    guard shutdownTimeout >= 0 else {
      throw ValidationError("--shutdown-timeout \(shutdownTimeout): must be 0 or more seconds, e.g. --shutdown-timeout 30")
    }
    for (flag, value) in [
      ("--bridge-max-concurrent", bridgeMaxConcurrent), ("--bridge-default-timeout", bridgeDefaultTimeout),
      ("--bridge-max-timeout", bridgeMaxTimeout), ("--bridge-output-limit", bridgeOutputLimit),
    ] where value < 1 {
      throw ValidationError("\(flag) \(value): must be at least 1")
    }
    guard bridgeDefaultTimeout <= bridgeMaxTimeout else {
      throw ValidationError(
        "--bridge-default-timeout \(bridgeDefaultTimeout) is above --bridge-max-timeout \(bridgeMaxTimeout): lower the first or raise the second")
    }
    if leaderElect {
      // client-go's rules (leaderelection.NewLeaderElector).
      guard leaderElectRetryPeriod.nanoseconds > 0 else {
        throw ValidationError("--leader-elect-retry-period \(leaderElectRetryPeriod): must be more than 0, e.g. 2s")
      }
      guard leaderElectRenewDeadline.seconds > LeaderElectionTiming.jitterFactor * leaderElectRetryPeriod.seconds else {
        throw ValidationError(
          "--leader-elect-renew-deadline \(leaderElectRenewDeadline) must be more than \(LeaderElectionTiming.jitterFactor) × --leader-elect-retry-period \(leaderElectRetryPeriod), e.g. 10s and 2s")
      }
      guard leaderElectLeaseDuration > leaderElectRenewDeadline else {
        throw ValidationError(
          "--leader-elect-lease-duration \(leaderElectLeaseDuration) must be more than --leader-elect-renew-deadline \(leaderElectRenewDeadline), e.g. 15s and 10s")
      }
    }
  }

  func run() async throws {
    let format = logFormat
    let level = logLevel
    LoggingSystem.bootstrap { label in
      var h = StructuredLogHandler(label: label, format: format)
      h.logLevel = level
      return h
    }
    let logger = Logger(label: "gra-operator")

    var environment = ProcessInfo.processInfo.environment
    if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
    let clientConfig: ClientConfiguration
    do {
      clientConfig = try ClientConfiguration.load(overrides: KubeconfigOverrides(context: context), environment: environment)
    } catch {
      throw CommandFailure(Self.kubeconfigHint(for: error, context: context))
    }
    // Before the client exists: AsyncHTTPClient traps if a client is dropped without shutdown.
    try PortCheck.free([
      ("--health-probe-bind-address", healthProbeBindAddress), ("--metrics-bind-address", metricsBindAddress),
      ("--bridge-bind-address", bridgeBindAddress),
    ])
    try await Preflight(
      configuration: clientConfig, watchNamespace: namespace,
      leaseNamespace: leaderElect ? (leaderElectionNamespace ?? environment["POD_NAMESPACE"] ?? "gra-system") : nil,
      leaseName: leaderElectionId
    ).run()
    let client = try KubernetesClient(configuration: clientConfig, logger: logger)

    var runnerOptions = RunnerReconciler.Options()
    runnerOptions.defaultImage = try Self.runnerImage(flag: runnerImage, environment: environment)
    var options = Manager.Options()
    let health = BindAddress(healthProbeBindAddress)!
    let metricsAddress = BindAddress(metricsBindAddress)!
    options.bindHost = health.host
    options.healthPort = health.port
    options.metricsPort = metricsAddress.port == 0 ? nil : metricsAddress.port
    if leaderElect {
      let ns = leaderElectionNamespace ?? environment["POD_NAMESPACE"] ?? "gra-system"
      options.leaderElection = Manager.LeaderElectionOptions(
        namespace: ns, name: leaderElectionId,
        timing: LeaderElectionTiming(
          leaseDuration: .nanoseconds(leaderElectLeaseDuration.nanoseconds),
          renewDeadline: .nanoseconds(leaderElectRenewDeadline.nanoseconds),
          retryPeriod: .nanoseconds(leaderElectRetryPeriod.nanoseconds)))
    }
    // The effective configuration, once, at start; never credentials.
    logger.info(
      "starting gra-operator",
      metadata: [
        "apiServer": "\(clientConfig.server)", "configSource": "\(clientConfig.origin)",
        "watchNamespace": "\(namespace ?? "<all>")", "leaderElection": "\(options.leaderElection.map { "\($0.namespace)/\($0.name) as \($0.identity)" } ?? "off")",
        "healthProbeBindAddress": "\(healthProbeBindAddress)", "metricsBindAddress": "\(metricsBindAddress)",
        "bridgeBindAddress": "\(bridgeBindAddress)", "runnerImage": "\(runnerOptions.defaultImage)", "workers": "\(workers)", "logFormat": "\(logFormat.rawValue)", "logLevel": "\(logLevel.rawValue)",
        "shutdownTimeoutSeconds": "\(shutdownTimeout)",
      ])

    let metrics = MetricsRegistry()
    let manager = Manager(client: client, watchNamespace: namespace, metrics: metrics, options: options, logger: logger)
    let controllers = OperatorControllers.make(manager: manager, workers: workers, logger: logger, runner: runnerOptions)
    let bridge = try await startBridge(client: client, metrics: metrics, logger: logger)
    defer { if let bridge { Task { await bridge.stop() } } }

    let main = Task { try await manager.run(controllers) }
    let signals = SignalHandler.install([SIGTERM, SIGINT]) { signal, count in
      if count > 1 {
        logger.warning("second signal, exiting now", metadata: ["signal": "\(signal)"])
        Glibc.exit(130)
      }
      logger.info("shutting down", metadata: ["signal": "\(signal)"])
      main.cancel()
      DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(shutdownTimeout)) {
        logger.error("shutdown timeout reached; exiting with reconciles in flight")
        Glibc.exit(1)
      }
    }
    defer { signals.cancel() }
    try await main.value
    try? await client.shutdown()
    if let lease = options.leaderElection, !main.isCancelled {
      // No signal stopped the manager: the elector gave leadership up. A non-zero exit makes
      // the restart (as a standby) show as an error in `kubectl get pods`.
      throw CommandFailure(
        "lost the leader election: Lease \(lease.namespace)/\(lease.name) could not be renewed within --leader-elect-renew-deadline \(leaderElectRenewDeadline); exiting so that the pod restarts as a standby")
    }
    logger.info("stopped")
  }
}

extension StructuredLogHandler.Format: ExpressibleByArgument {}

/// A `@Option` transform for Go durations (`15s`, `1m30s`) whose error names the flag.
private func duration(_ flag: String) -> @Sendable (String) throws -> GoDuration {
  { s in
    do { return try GoDuration(parsing: s) } catch {
      let why = (error as? GoDurationError)?.message ?? "\(error)"
      throw ValidationError("\(flag) \(s): \(why); use a Go duration such as 15s or 1m")
    }
  }
}

extension RunCommand {
  /// The image of Runners without `spec.image`: `--runner-image`, else `$GRA_RUNNER_IMAGE` when
  /// set and not empty, else ``GraDefaults/runnerImage``. A value that is not an image reference
  /// is an error naming where it came from.
  static func runnerImage(flag: String?, environment: [String: String]) throws -> String {
    let value: String
    let source: String
    if let flag {
      (value, source) = (flag, "--runner-image")
    } else if let env = environment["GRA_RUNNER_IMAGE"], !env.isEmpty {
      (value, source) = (env, "GRA_RUNNER_IMAGE")
    } else {
      return GraDefaults.runnerImage
    }
    if let why = ImageReference.problem(value) {
      let instead = source == "--runner-image" ? "leave the flag out" : "unset GRA_RUNNER_IMAGE"
      throw ValidationError(
        "\(source) \"\(value)\": \(why); give an image reference such as registry.example.com/gra-runner:1.0, or \(instead) for \(GraDefaults.runnerImage)")
    }
    return value
  }

  /// A kubeconfig problem, with what to do about it.
  static func kubeconfigHint(for error: any Error, context: String?) -> String {
    let text = "\(error)"
    if text.contains("no configuration found") {
      return text + "; pass --kubeconfig PATH, set KUBECONFIG, or run in a pod with a service account"
    }
    if let context, text.contains("context \"\(context)\" not found") {
      return text + "; list the contexts with kubectl config get-contexts and pass one of them to --context"
    }
    if let range = text.range(of: "is not valid YAML") {
      // The YAML parser's message quotes the offending line, which may hold a token: keep only
      // where the problem is.
      var at = ""
      if let m = text.firstMatch(of: /: (\d+):(\d+):/) { at = " at line \(m.1), column \(m.2)" }
      return String(text[..<range.upperBound]) + at
        + "; fix the file (kubectl config view --kubeconfig FILE shows what kubectl makes of it)"
    }
    return text
  }
}
extension Logger.Level: @retroactive ExpressibleByArgument {}

extension RunCommand {
  /// Starts the exec bridge on `--bridge-bind-address`: HTTPS with the certificate in
  /// `--bridge-tls-dir`; without one, plain HTTP only with `--bridge-insecure-http`, else the
  /// bridge stays off (and says so) rather than take bearer tokens in clear text.
  func startBridge(client: KubernetesClient, metrics: MetricsRegistry, logger: Logger) async throws -> BridgeLauncher.Running? {
    guard !bridgeBindAddress.isEmpty, let address = BindAddress(bridgeBindAddress) else { return nil }
    var options = BridgeLauncher.Options()
    options.host = address.host
    options.port = address.port
    options.insecureHTTP = bridgeInsecureHttp
    let cert = bridgeTlsDir + "/tls.crt"
    let key = bridgeTlsDir + "/tls.key"
    if FileManager.default.isReadableFile(atPath: cert) && FileManager.default.isReadableFile(atPath: key) {
      options.identity = PEMIdentity(
        certificatePEM: try String(contentsOfFile: cert, encoding: .utf8), privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
    }
    let ns = ProcessInfo.processInfo.environment["POD_NAMESPACE"] ?? "gra-system"
    options.serviceNames = ["\(bridgeServiceName).\(ns).svc", "\(bridgeServiceName).\(ns).svc.cluster.local", "\(bridgeServiceName).\(ns)", bridgeServiceName, "localhost"]
    options.ipAddresses = ["127.0.0.1"] + [ProcessInfo.processInfo.environment["POD_IP"]].compactMap { $0 }
    options.limits.maxConcurrentPerRunner = bridgeMaxConcurrent
    options.limits.defaultTimeoutSeconds = bridgeDefaultTimeout
    options.limits.maxTimeoutSeconds = bridgeMaxTimeout
    options.limits.defaultOutputLimitBytes = bridgeOutputLimit
    let events = EventRecorder(client: client, instance: LeaderElector.defaultIdentity(), logger: logger)
    let running = try await BridgeLauncher.start(client: client, options: options, metrics: metrics, events: events, logger: logger)
    logger.info(
      "exec bridge listening",
      metadata: [
        "address": "\(address.host):\(running.server.port)", "tls": "\(!bridgeInsecureHttp)",
        "certificate": "\(options.identity == nil ? "self-signed" : bridgeTlsDir)",
        "frontProxy": "\(running.frontProxyTrusted ? "trusted (requestheader CA)" : "off: bearer tokens only")",
      ])
    return running
  }
}

/// `HOST:PORT` or `:PORT`.
struct BindAddress: Equatable {
  var host: String
  var port: Int
  init?(_ s: String) {
    guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
      return nil
    }
    let host = String(s[..<colon])
    self.host = host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    self.port = port
  }
}

/// Runs `handler` on the given signals (instead of the default action), with how many
/// signals have arrived so far.
final class SignalHandler {
  private let sources: [any DispatchSourceSignal]
  private init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }

  static func install(_ signals: [Int32], handler: @escaping @Sendable (Int32, Int) -> Void) -> SignalHandler {
    let queue = DispatchQueue(label: "gra.signals")
    let counter = Counter()
    let sources = signals.map { sig -> any DispatchSourceSignal in
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
      source.setEventHandler { handler(sig, counter.next()) }
      source.resume()
      return source
    }
    return SignalHandler(sources)
  }

  func cancel() { for s in sources { s.cancel() } }

  private final class Counter: @unchecked Sendable {
    // Only touched on the serial signal queue.
    private var n = 0
    func next() -> Int {
      n += 1
      return n
    }
  }
}

/// A failure reported as one line (`Error: …`), without the usage text a ValidationError gets.
struct CommandFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
