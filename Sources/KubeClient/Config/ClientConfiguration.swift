import Foundation

/// Everything needed to talk to one API server as one user.
///
/// Build one from a kubeconfig (``Kubeconfig/configuration(overrides:)``), from the pod's
/// service account (``ClientConfiguration/inCluster(environment:serviceAccountDirectory:)``),
/// or let ``ClientConfiguration/load(overrides:environment:)`` pick as controller-runtime does.
public struct ClientConfiguration: Sendable {
  /// `https://host:port`, without a trailing slash.
  public var server: String
  /// The namespace of the context (or the service account), `default` when unset.
  public var namespace: String
  public var tls: TLSSettings
  public var credentials: Credentials
  /// An HTTP CONNECT proxy, `http://host:port`.
  public var proxyURL: String?
  public var userAgent: String = ClientConfiguration.defaultUserAgent
  /// Deadline of an ordinary (non-streaming) request, retries included per attempt.
  public var requestTimeout: Duration = .seconds(60)
  public var connectTimeout: Duration = .seconds(10)
  /// Client-side limiter; nil (the default) relies on the server's priority and fairness.
  public var rateLimit: RateLimit?
  public var retry: RetryPolicy = RetryPolicy()
  /// Where this came from, for logs: `kubeconfig /x/config context "kind"` or `in-cluster`.
  /// Never contains secrets.
  public var origin: String

  public init(
    server: String, namespace: String = "default", tls: TLSSettings = TLSSettings(),
    credentials: Credentials = .none, origin: String = "explicit"
  ) {
    self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
    self.namespace = namespace
    self.tls = tls
    self.credentials = credentials
    self.origin = origin
  }

  /// `<program>/<version> (linux/amd64)`, the shape client-go uses: `gra-operator/0.1.0
  /// (linux/amd64)`. The API server names a write's manager in `managedFields` after the part
  /// before the first `/` when the write sets no `fieldManager`, so each program is its own
  /// manager there, as each client-go binary is.
  public static var defaultUserAgent: String {
    #if os(Linux)
      let os = "linux"
    #else
      let os = "darwin"
    #endif
    #if arch(x86_64)
      let arch = "amd64"
    #elseif arch(arm64)
      let arch = "arm64"
    #else
      let arch = "unknown"
    #endif
    return "\(program)/\(KubeClientVersion.string) (\(os)/\(arch))"
  }

  /// The running program's file name (client-go's `adjustCommand`), `gra` when there is none.
  static var program: String {
    let name = (CommandLine.arguments.first ?? "").split(separator: "/").last?.filter { !$0.isWhitespace } ?? ""
    return name.isEmpty ? "gra" : name
  }

  /// TLS material, already read from files and checked to be PEM.
  public struct TLSSettings: Sendable, Equatable {
    /// PEM bundle of trusted roots; nil means the system roots.
    public var caPEM: [UInt8]?
    public var insecureSkipVerify: Bool = false
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// SNI and verification name when it differs from the server's host.
    public var serverName: String?
    public init(
      caPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, clientCertificatePEM: [UInt8]? = nil,
      clientKeyPEM: [UInt8]? = nil, serverName: String? = nil
    ) {
      self.caPEM = caPEM
      self.insecureSkipVerify = insecureSkipVerify
      self.clientCertificatePEM = clientCertificatePEM
      self.clientKeyPEM = clientKeyPEM
      self.serverName = serverName
    }
  }

  /// How requests authenticate (besides a TLS client certificate).
  public enum Credentials: Sendable {
    case none
    /// A bearer token from any source (static, file, exec plugin, service account).
    case bearer(any TokenSource)
    case basic(username: String, password: String)
  }

  /// Token bucket: `qps` sustained, `burst` at once.
  public struct RateLimit: Sendable, Equatable {
    public var qps: Double
    public var burst: Int
    public init(qps: Double, burst: Int) {
      self.qps = qps
      self.burst = burst
    }
  }
}

/// Overrides applied on top of a kubeconfig, like kubectl's `--context`, `--namespace`,
/// `--cluster` and `--user` flags.
public struct KubeconfigOverrides: Sendable, Equatable {
  public var context: String?
  public var namespace: String?
  public var cluster: String?
  public var user: String?
  public init(context: String? = nil, namespace: String? = nil, cluster: String? = nil, user: String? = nil) {
    self.context = context
    self.namespace = namespace
    self.cluster = cluster
    self.user = user
  }
}

/// The client's version, for `User-Agent`.
public enum KubeClientVersion {
  public static let string = "0.1.0"
}
