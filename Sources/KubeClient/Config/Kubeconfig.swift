import Foundation

/// A kubeconfig: clusters, users and contexts by name, and the current context.
///
/// Built by ``Kubeconfig/load(paths:)`` from one file or from the merge of several (the
/// `KUBECONFIG` list). Every named entry remembers the file and index it came from, so that
/// problems found later (a context naming a missing cluster) are reported against the right
/// file and field. Paths in the entries are already absolute: relative paths were resolved
/// against the directory of the file they were written in, as kubectl does.
public struct Kubeconfig: Sendable {
  public struct Cluster: Sendable, Equatable {
    public var server: String?
    /// Absolute path of a PEM bundle.
    public var certificateAuthority: String?
    public var certificateAuthorityData: [UInt8]?
    public var insecureSkipTLSVerify: Bool = false
    public var tlsServerName: String?
    /// `http://host:port` (HTTP CONNECT proxy).
    public var proxyURL: String?
    public init() {}
  }

  public struct User: Sendable, Equatable {
    public var clientCertificate: String?
    public var clientCertificateData: [UInt8]?
    public var clientKey: String?
    public var clientKeyData: [UInt8]?
    public var token: String?
    public var tokenFile: String?
    public var username: String?
    public var password: String?
    public var exec: ExecConfig?
    /// The name of a legacy `auth-provider` (gcp, azure, oidc); not supported.
    public var authProvider: String?
    public init() {}
  }

  /// `users[].user.exec`: a client-go credential plugin.
  public struct ExecConfig: Sendable, Equatable {
    public var apiVersion: String
    /// Absolute when the kubeconfig gave a relative path containing a slash; otherwise looked
    /// up in `PATH` when run.
    public var command: String
    public var args: [String] = []
    public var env: [EnvVar] = []
    public var installHint: String?
    public var provideClusterInfo: Bool = false
    public var interactiveMode: String?
    public init(apiVersion: String, command: String) {
      self.apiVersion = apiVersion
      self.command = command
    }
    public struct EnvVar: Sendable, Equatable {
      public var name: String
      public var value: String
    }
  }

  public struct Context: Sendable, Equatable {
    public var cluster: String
    public var user: String?
    public var namespace: String?
    public init(cluster: String, user: String? = nil, namespace: String? = nil) {
      self.cluster = cluster
      self.user = user
      self.namespace = namespace
    }
  }

  /// A named entry and where it was written.
  public struct Entry<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var file: String
    /// Position in that file's list, for error messages.
    public var index: Int
  }

  public var clusters: [String: Entry<Cluster>] = [:]
  public var users: [String: Entry<User>] = [:]
  public var contexts: [String: Entry<Context>] = [:]
  public var currentContext: String?
  /// The file `current-context` came from.
  public var currentContextFile: String?
  /// The files that were read, in order.
  public var files: [String] = []

  public init() {}

  /// Merges `other` into `self` as kubectl merges the `KUBECONFIG` list: the first file to
  /// define a name keeps it, and the first non-empty `current-context` wins.
  public mutating func merge(_ other: Kubeconfig) {
    for (k, v) in other.clusters where clusters[k] == nil { clusters[k] = v }
    for (k, v) in other.users where users[k] == nil { users[k] = v }
    for (k, v) in other.contexts where contexts[k] == nil { contexts[k] = v }
    if currentContext == nil, let c = other.currentContext {
      currentContext = c
      currentContextFile = other.currentContextFile
    }
    files += other.files
  }

  /// The files `KUBECONFIG` names (colon-separated, empty entries and duplicates dropped), or
  /// `~/.kube/config` when it is unset or empty.
  public static func defaultPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    if let list = environment["KUBECONFIG"], !list.isEmpty {
      var seen = Set<String>()
      return list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
    }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return [home + "/.kube/config"]
  }

  /// Reads and merges `paths` in order. Files that do not exist are skipped, as kubectl skips
  /// them; it is an error when none exists. A file that exists but cannot be parsed is an error.
  public static func load(paths: [String]) throws(KubeconfigError) -> Kubeconfig {
    var merged = Kubeconfig()
    var any = false
    for p in paths {
      let path = absolute(p)
      guard FileManager.default.fileExists(atPath: path) else { continue }
      let text: String
      do {
        text = try String(contentsOfFile: path, encoding: .utf8)
      } catch {
        throw KubeconfigError(file: path, field: nil, problem: "cannot be read: \(error.localizedDescription)")
      }
      merged.merge(try parse(yaml: text, file: path))
      any = true
    }
    guard any else {
      throw KubeconfigError(
        file: nil, field: nil,
        problem: "no configuration found (looked for \(paths.joined(separator: ", ")))")
    }
    return merged
  }

  /// Parses one file's contents; `file` names it in errors and anchors relative paths.
  public static func parse(yaml: String, file: String) throws(KubeconfigError) -> Kubeconfig {
    try KubeconfigParser(file: file).parse(yaml)
  }

  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst(1) }
    return FileManager.default.currentDirectoryPath + "/" + path
  }
}
