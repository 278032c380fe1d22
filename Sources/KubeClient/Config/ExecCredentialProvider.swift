import CRDModels
import Foundation

/// Runs a client-go credential plugin (`users[].user.exec`) and caches what it prints.
///
/// The command gets the kubeconfig's `args` and `env` on top of this process's environment,
/// plus `KUBERNETES_EXEC_INFO` (an `ExecCredential` with `spec.interactive: false`, and
/// `spec.cluster` when `provideClusterInfo` is set). It must print an `ExecCredential` of the
/// same apiVersion whose `status` has a `token` and/or `clientCertificateData` and
/// `clientKeyData`. The result is reused until `status.expirationTimestamp` (forever when
/// absent) or until the server answers 401. Concurrent callers share one run.
public actor ExecCredentialProvider: TokenSource {
  public struct Credential: Sendable, Equatable {
    public var token: String?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var expiration: Date?
  }

  public nonisolated let config: Kubeconfig.ExecConfig
  let clusterInfo: JSONValue?
  let now: @Sendable () -> Date
  private var cached: Credential?
  private var running: Task<Credential, any Error>?

  /// - Parameter clusterInfo: `spec.cluster` for `provideClusterInfo` (server, CA data…).
  public init(
    config: Kubeconfig.ExecConfig, clusterInfo: JSONValue? = nil, now: @escaping @Sendable () -> Date = Date.init
  ) {
    self.config = config
    self.clusterInfo = clusterInfo
    self.now = now
  }

  public func token(refresh: Bool) async throws -> String? {
    // A plugin that only prints a client certificate authenticates through TLS.
    try await credential(refresh: refresh).token
  }

  /// The cached credential, or a new one when it expired (or `refresh` is set).
  public func credential(refresh: Bool = false) async throws -> Credential {
    if !refresh, let c = cached, c.expiration.map({ $0 > now().addingTimeInterval(10) }) ?? true { return c }
    if let running { return try await running.value }
    let config = self.config
    let info = execInfo()
    let task = Task { try await ExecCredentialProvider.run(config, execInfo: info) }
    running = task
    defer { running = nil }
    let c = try await task.value
    cached = c
    return c
  }

  private func execInfo() -> String {
    var spec: JSONValue = ["interactive": false]
    if config.provideClusterInfo, let clusterInfo { spec["cluster"] = clusterInfo }
    let info: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
    return (try? String(decoding: KubeJSON.encode(info), as: UTF8.self)) ?? "{}"
  }

  static func run(_ config: Kubeconfig.ExecConfig, execInfo: String) async throws -> Credential {
    let (code, out, err) = try await runProcess(config, execInfo: execInfo)
    let name = config.command
    guard code == 0 else {
      let tail = String(decoding: err.suffix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      throw KubeError.invalid("exec plugin \(name) failed with exit code \(code)\(tail.isEmpty ? "" : ": \(tail)")")
    }
    let json: JSONValue
    do {
      json = try KubeJSON.decode(JSONValue.self, from: Data(out))
    } catch {
      throw KubeError.invalid("exec plugin \(name) did not print an ExecCredential as JSON")
    }
    guard json["kind"].stringValue == "ExecCredential" else {
      throw KubeError.invalid(
        "exec plugin \(name) printed kind \(json["kind"].stringValue ?? "nil"), want ExecCredential")
    }
    guard json["apiVersion"].stringValue == config.apiVersion else {
      throw KubeError.invalid(
        "exec plugin \(name) printed apiVersion \(json["apiVersion"].stringValue ?? "nil"), want \(config.apiVersion)")
    }
    let status = json["status"]
    var c = Credential()
    c.token = status["token"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    c.clientCertificatePEM = status["clientCertificateData"].stringValue.map { Array($0.utf8) }
    c.clientKeyPEM = status["clientKeyData"].stringValue.map { Array($0.utf8) }
    if let e = status["expirationTimestamp"].stringValue {
      guard let d = RFC3339.parse(e) else {
        throw KubeError.invalid("exec plugin \(name) printed a bad status.expirationTimestamp \"\(e)\"")
      }
      c.expiration = d
    }
    guard c.token != nil || (c.clientCertificatePEM != nil && c.clientKeyPEM != nil) else {
      throw KubeError.invalid("exec plugin \(name) printed neither status.token nor a client certificate and key")
    }
    if (c.clientCertificatePEM == nil) != (c.clientKeyPEM == nil) {
      throw KubeError.invalid("exec plugin \(name) printed only one of clientCertificateData and clientKeyData")
    }
    return c
  }

  private static func executablePath(_ command: String, path: String?) -> String? {
    if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
    for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let p = "\(dir)/\(command)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  /// Runs the plugin off the cooperative thread pool (Process and pipe reads block).
  private static func runProcess(
    _ config: Kubeconfig.ExecConfig, execInfo: String
  ) async throws -> (Int32, [UInt8], [UInt8]) {
    var env = ProcessInfo.processInfo.environment
    for v in config.env { env[v.name] = v.value }
    env["KUBERNETES_EXEC_INFO"] = execInfo
    guard let exe = executablePath(config.command, path: env["PATH"]) else {
      var msg = "exec plugin \(config.command): executable not found"
      if let hint = config.installHint, !hint.isEmpty {
        msg += " (\(hint.split(whereSeparator: \.isNewline).joined(separator: " ")))"
      }
      throw KubeError.invalid(msg)
    }
    let environment = env
    return try await withCheckedThrowingContinuation { cont in
      DispatchQueue.global().async {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = config.args
        p.environment = environment
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do {
          try p.run()
        } catch {
          cont.resume(
            throwing: KubeError.invalid("exec plugin \(config.command) could not start: \(error.localizedDescription)"))
          return
        }
        let group = DispatchGroup()
        let errBox = ByteBox()
        group.enter()
        DispatchQueue.global().async {
          errBox.bytes = Array(err.fileHandleForReading.readDataToEndOfFile())
          group.leave()
        }
        let outBytes = Array(out.fileHandleForReading.readDataToEndOfFile())
        group.wait()
        p.waitUntilExit()
        cont.resume(returning: (p.terminationStatus, outBytes, errBox.bytes))
      }
    }
  }
}

/// Carries bytes from one dispatch block to another; written once before `group.leave()`.
private final class ByteBox: @unchecked Sendable {
  var bytes: [UInt8] = []
}

extension ClientConfiguration {
  /// Runs an exec plugin now and, if it returns a client certificate, puts it in the TLS
  /// settings. Certificates are fixed when the transport is built, so call this before
  /// creating a client for a kubeconfig whose plugin issues certificates (tokens need
  /// nothing: they are fetched per request and refreshed when they expire).
  public func resolvingExecCertificate() async throws -> ClientConfiguration {
    guard case .bearer(let source) = credentials, let exec = source as? ExecCredentialProvider else { return self }
    let c = try await exec.credential()
    var copy = self
    if let cert = c.clientCertificatePEM, let key = c.clientKeyPEM {
      copy.tls.clientCertificatePEM = cert
      copy.tls.clientKeyPEM = key
    }
    return copy
  }
}
