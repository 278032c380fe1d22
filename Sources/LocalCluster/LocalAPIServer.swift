import CRDModels
import Foundation

/// The local Kubernetes API server: kube-apiserver's HTTP semantics, in memory, on loopback.
///
/// ```swift
/// let server = try await LocalAPIServer.start(.init(crdPaths: [URL(fileURLWithPath: "manifests/crds")]))
/// try await server.writeKubeconfig(to: URL(fileURLWithPath: ".local/kubeconfig"))
/// // KUBECONFIG=.local/kubeconfig kubectl get runners
/// await server.shutdown()
/// ```
/// See docs/local-cluster.md for what it implements and where it differs from kube-apiserver.
public actor LocalAPIServer {
  /// Start-up options.
  public struct Options: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// CRD manifests (files or directories of `.yaml`/`.yml`/`.json`) installed at start.
    public var crdPaths: [URL] = []
    /// A kube-apiserver `--token-auth-file` (`token,user,uid,"group1,group2"`).
    public var tokenFile: URL?
    /// How many changes the watch history keeps; older resourceVersions answer 410 Gone.
    public var watchHistorySize = 10_000
    /// Events buffered per watcher before a slow watcher is closed.
    public var watchBufferSize = 10_000
    /// How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK.
    public var bookmarkInterval: Duration = .seconds(60)
    /// The watch timeout range used when a client sends no `timeoutSeconds`.
    public var defaultWatchTimeout: ClosedRange<Int> = 1800...3600
    /// A fixed admin token (random when nil).
    public var adminToken: String?

    public init(
      host: String = "127.0.0.1", port: Int = 0, crdPaths: [URL] = [], tokenFile: URL? = nil,
      watchHistorySize: Int = 10_000, bookmarkInterval: Duration = .seconds(60)
    ) {
      self.host = host
      self.port = port
      self.crdPaths = crdPaths
      self.tokenFile = tokenFile
      self.watchHistorySize = watchHistorySize
      self.bookmarkInterval = bookmarkInterval
    }
  }

  /// `http://127.0.0.1:PORT`: plain HTTP, for in-process clients and raw tests.
  public nonisolated let url: URL
  /// `https://127.0.0.1:PORT`: the same port over TLS (kubectl sends tokens only over TLS).
  public nonisolated var tlsURL: URL {
    var c = URLComponents(url: url, resolvingAgainstBaseURL: false)!
    c.scheme = "https"
    return c.url!
  }
  /// The PEM certificate the TLS side presents (self-signed, for 127.0.0.1/::1/localhost).
  public nonisolated var caCertificatePEM: String { LoopbackTLS.certificatePEM }
  /// In-process access to the objects (for the local kubelet and tests).
  public nonisolated let store: any ClusterStore
  private let http: HTTPServer
  private let handler: APIHandler
  private let objects: ObjectStore
  private let authenticator: TokenAuthenticator

  private init(url: URL, http: HTTPServer, handler: APIHandler, objects: ObjectStore, authenticator: TokenAuthenticator)
  {
    self.url = url
    self.http = http
    self.handler = handler
    self.objects = objects
    self.authenticator = authenticator
    self.store = StoreAdapter(store: objects)
  }

  public static func start(_ options: Options = .init()) async throws -> LocalAPIServer {
    let schema = Machinery.schemaProcessing
    let objects = ObjectStore(
      historySize: options.watchHistorySize, watchBufferSize: options.watchBufferSize,
      registry: ResourceRegistry(builtins: BuiltinResources.all), admission: Admission(schema: schema))
    let authenticator = TokenAuthenticator(adminToken: options.adminToken ?? TokenAuthenticator.randomToken())
    if let f = options.tokenFile { try await authenticator.loadStaticTokens(f) }
    let authorizer = MastersThenRBAC(rbac: Machinery.rbac(objects))
    var config = APIConfig()
    config.bookmarkInterval = options.bookmarkInterval
    config.defaultWatchTimeout = options.defaultWatchTimeout
    // The port is known only after binding; discovery reads it from the handler's config.
    let portBox = PortBox()
    let handler = APIHandler(
      store: objects, authenticator: authenticator, authorizer: authorizer, config: config, schema: schema,
      portBox: portBox)
    let http = try await HTTPServer.start(host: options.host, port: options.port, handler: handler)
    portBox.set("\(options.host):\(http.port)")
    let url = URL(string: "http://\(options.host):\(http.port)")!
    let server = LocalAPIServer(url: url, http: http, handler: handler, objects: objects, authenticator: authenticator)
    try await Bootstrap.install(objects)
    if !options.crdPaths.isEmpty { try await server.installManifests(options.crdPaths) }
    return server
  }

  /// Turns on API aggregation (see ``AggregationOptions``) and publishes the front-proxy CA in
  /// `kube-system/extension-apiserver-authentication`, as kube-apiserver does at start.
  public func enableAggregation(_ options: AggregationOptions) async throws {
    try await Aggregator.publishAuthenticationConfigMap(options, store: store)
    handler.aggregator.enable(options)
  }

  /// Resolves the APIService `spec.service` `NAMESPACE/NAME:PORT` to `HOST:PORT` (the local
  /// cluster has no service network), and rechecks availability at once.
  public func mapAggregatedService(_ service: String, to target: String) async {
    handler.aggregator.map(service: service, to: target)
    await handler.aggregator.checkAvailability()
  }

  /// Serves pods/exec, pods/log and pods/portforward through the local kubelet.
  public nonisolated func attach(nodeAgent: any NodeAgent) { handler.agents.set(nodeAgent) }

  /// A token for `kubernetes-admin` in `system:masters`.
  public func adminToken() -> String { authenticator.adminToken }

  /// A bearer token authenticating as `user` with `groups` (plus `system:authenticated`).
  public func issueToken(user: String, groups: [String] = []) async -> String {
    await authenticator.issue(user: user, groups: groups)
  }

  /// A token for the ServiceAccount `namespace/name` (`system:serviceaccount:NS:NAME`);
  /// the ServiceAccount must exist.
  public func serviceAccountToken(namespace: String, name: String) async throws -> String {
    let sa = try await store.get(
      ResourceDescriptor(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true),
      namespace: namespace, name: name)
    return await authenticator.issueServiceAccountToken(
      namespace: namespace, name: name, uid: sa["metadata"]["uid"].stringValue ?? "")
  }

  /// Writes a kubeconfig for this server that kubectl uses as is (admin token by default).
  /// It points at the TLS side of the port (``tlsURL``) with the server's certificate as CA,
  /// because client-go sends bearer tokens only over TLS. The file is the owner's alone (0600,
  /// as kubectl writes kubeconfigs): its token runs processes as this user through the local
  /// kubelet. It replaces an existing file in one step.
  public func writeKubeconfig(to file: URL, token: String? = nil) throws {
    let t = token ?? authenticator.adminToken
    let ca = Data(LoopbackTLS.certificatePEM.utf8).base64EncodedString()
    let text = """
      apiVersion: v1
      kind: Config
      clusters:
      - cluster:
          certificate-authority-data: \(ca)
          server: \(tlsURL.absoluteString)
        name: gra-local
      contexts:
      - context:
          cluster: gra-local
          namespace: default
          user: gra-local-user
        name: gra-local
      current-context: gra-local
      preferences: {}
      users:
      - name: gra-local-user
        user:
          token: \(t)

      """
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Self.writePrivately(Array(text.utf8), to: file)
  }

  /// Writes `bytes` to a new file created with mode 0600 beside `file`, then renames it over
  /// `file`: no moment in which the contents are readable by others, or half written.
  static func writePrivately(_ bytes: [UInt8], to file: URL) throws {
    let temporary = file.deletingLastPathComponent().appendingPathComponent(
      ".\(file.lastPathComponent).\(UUID().uuidString)")
    func failure(_ what: String) -> POSIXError {
      POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSLocalizedDescriptionKey: "\(what) \(file.path)"])
    }
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw failure("cannot create a file beside") }
    var written = 0
    while written < bytes.count {
      let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else {
        let error = failure("cannot write")
        close(fd)
        unlink(temporary.path)
        throw error
      }
      written += n
    }
    close(fd)
    guard rename(temporary.path, file.path) == 0 else {
      let error = failure("cannot replace")
      unlink(temporary.path)
      throw error
    }
  }

  /// Creates (or replaces) every object in the given manifest files or directories, in
  /// file order; CRDs are established before the call returns.
  public func installManifests(_ paths: [URL]) async throws {
    for file in try Manifests.files(paths) {
      for doc in try YAMLBody.documents(String(contentsOf: file, encoding: .utf8)) {
        try await Manifests.apply(doc, objects)
      }
    }
  }

  /// Number of live watch streams (diagnostics).
  public func watcherCount() async -> Int { await objects.watcherCount }

  /// For tests of client retries: the next `times` requests whose path starts with
  /// `pathPrefix` (and whose method is `method`, when given) are answered with `code` (429,
  /// 503, 504 …) and kube's Status for it, with `Retry-After` when `retryAfterSeconds` is set.
  public nonisolated func injectFailures(
    _ code: Int, times: Int = 1, method: String? = nil, pathPrefix: String, retryAfterSeconds: Int? = nil
  ) {
    handler.faults.add(
      .init(method: method, pathPrefix: pathPrefix, code: code, retryAfterSeconds: retryAfterSeconds, remaining: times))
  }

  /// For tests of relisting: forgets every change recorded so far (etcd compaction) and ends
  /// every open watch (an API server restart), so a client resuming from a resourceVersion
  /// older than the newest gets 410 Expired and must list again.
  public func compactWatchHistory() async { await objects.compactHistoryAndEndWatches() }

  public func shutdown() async {
    handler.aggregator.stop()
    await objects.finishAllWatchers()
    await http.shutdown()
  }
}
