import CRDModels
import Foundation
import LocalCluster

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A raw HTTP answer.
struct Reply {
  var code: Int
  var body: Data
  var headers: [String: String]
  var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }
  var text: String { String(decoding: body, as: UTF8.self) }
  /// The JSON lines of a watch body.
  var lines: [JSONValue] {
    text.split(separator: "\n").compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
  }
}

/// Starts a server on an ephemeral port and talks to it over real HTTP.
struct TestCluster {
  let server: LocalAPIServer
  let token: String
  let dir: URL

  static func start(_ options: LocalAPIServer.Options = .init()) async throws -> TestCluster {
    let server = try await LocalAPIServer.start(options)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gra-lc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return TestCluster(server: server, token: await server.adminToken(), dir: dir)
  }

  func stop() async {
    await server.shutdown()
    try? FileManager.default.removeItem(at: dir)
  }

  func request(
    _ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
    token: String? = nil, accept: String? = nil, headers: [String: String] = [:]
  ) async throws -> Reply {
    var req = URLRequest(url: URL(string: server.url.absoluteString + path)!)
    req.httpMethod = method
    req.timeoutInterval = 60
    let t = token ?? self.token
    if !t.isEmpty { req.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
    if let body {
      req.httpBody = Data(body.utf8)
      req.setValue(contentType, forHTTPHeaderField: "Content-Type")
    }
    if let accept { req.setValue(accept, forHTTPHeaderField: "Accept") }
    for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
    let (data, resp) = try await Self.session.data(for: req)
    let http = resp as! HTTPURLResponse
    var h: [String: String] = [:]
    for (k, v) in http.allHeaderFields { h[String(describing: k).lowercased()] = String(describing: v) }
    return Reply(code: http.statusCode, body: data, headers: h)
  }

  /// A session that allows many parallel connections (watch benchmarks hold 100 open).
  static let session: URLSession = {
    let config = URLSessionConfiguration.ephemeral
    config.httpMaximumConnectionsPerHost = 256
    config.timeoutIntervalForRequest = 120
    return URLSession(configuration: config)
  }()

  // MARK: kubectl

  static let kubectlPath = "/usr/bin/kubectl"
  static var hasKubectl: Bool { FileManager.default.isExecutableFile(atPath: kubectlPath) }

  struct KubectlResult {
    var code: Int32
    var out: String
    var err: String
  }

  /// Runs the real kubectl against this server with a fresh HOME (fresh discovery cache).
  func kubectl(_ args: [String], token: String? = nil, stdin: String? = nil) async throws -> KubectlResult {
    guard Self.hasKubectl else {
      throw KubectlMissing()
    }
    let kubeconfig = dir.appendingPathComponent("kubeconfig-\(token == nil ? "admin" : String(token!.prefix(8)))")
    try await server.writeKubeconfig(to: kubeconfig, token: token)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Self.kubectlPath)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["KUBECONFIG"] = kubeconfig.path
    env["HOME"] = dir.path
    p.environment = env
    let outPipe = Pipe()
    let errPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    let inPipe = Pipe()
    p.standardInput = inPipe
    try p.run()
    if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    let result: KubectlResult = await withCheckedContinuation { c in
      DispatchQueue.global().async {
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        c.resume(
          returning: KubectlResult(
            code: p.terminationStatus, out: String(decoding: out, as: UTF8.self),
            err: String(decoding: err, as: UTF8.self)))
      }
    }
    return result
  }

  @discardableResult
  func writeFile(_ name: String, _ text: String) throws -> String {
    let u = dir.appendingPathComponent(name)
    try text.write(to: u, atomically: true, encoding: .utf8)
    return u.path
  }
}

struct KubectlMissing: Error, CustomStringConvertible {
  var description: String { "these tests need the real kubectl at \(TestCluster.kubectlPath); it is not installed" }
}

/// A small CRD used until (and alongside) the generated ones in manifests/crds.
enum Fixtures {
  static let widgetCRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.test.gra.dev
    spec:
      group: test.gra.dev
      scope: Namespaced
      names:
        plural: widgets
        singular: widget
        kind: Widget
        shortNames: [wd]
        categories: [gra]
      versions:
      - name: v1
        served: true
        storage: true
        subresources:
          status: {}
        additionalPrinterColumns:
        - name: Phase
          type: string
          jsonPath: .status.phase
        - name: Ready
          type: string
          jsonPath: .status.conditions[?(@.type=="Ready")].status
        - name: Size
          type: integer
          jsonPath: .spec.size
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                required: [image]
                properties:
                  image:
                    type: string
                    description: The container image.
                  size:
                    type: integer
                    minimum: 1
                    default: 1
              status:
                type: object
                properties:
                  phase:
                    type: string
                  conditions:
                    type: array
                    items:
                      type: object
                      properties:
                        type: {type: string}
                        status: {type: string}
    """
}
