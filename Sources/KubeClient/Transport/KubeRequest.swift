/// One HTTP request to the API server, relative to its base URL.
public struct KubeRequest: Sendable {
  public var method: String
  /// Absolute path, e.g. `/api/v1/namespaces/default/pods`; already percent-encoded where needed.
  public var path: String
  public var query: [(name: String, value: String)]
  public var body: [UInt8]?
  public var contentType: String?
  public var accept: String = "application/json"
  public var headers: [(name: String, value: String)] = []

  public init(
    method: String, path: String, query: [(name: String, value: String)] = [], body: [UInt8]? = nil,
    contentType: String? = nil
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.body = body
    self.contentType = contentType
  }

  /// `path?query`, with query values percent-encoded.
  public var target: String {
    guard !query.isEmpty else { return path }
    return path + "?" + query.map { "\(Self.escape($0.name))=\(Self.escape($0.value))" }.joined(separator: "&")
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
      switch b {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
      }
    }
    return out
  }
}

/// A buffered answer.
public struct KubeResponse: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// One finished request, for metrics: the verb, the resource path without names, the HTTP
/// code (0 when there was no answer) and how long it took, retries included.
public struct RequestMetric: Sendable {
  public var method: String
  public var path: String
  public var code: Int
  public var duration: Duration
  public var retries: Int
  /// The Kubernetes verb, as kube-apiserver's own metrics name it: get, list, watch, create,
  /// update, patch, delete, deletecollection (or the lowercased method for other paths).
  public var verb: String

  /// The Kubernetes verb of a request: the method, whether the path names an object, and
  /// `watch=true`.
  public static func verb(of r: KubeRequest) -> String {
    verb(of: r, namesObject: KubeTransport.metric(r.path).namesObject)
  }

  /// `namesObject`: the path names one object (``KubeTransport/metric(_:)`` finds it while
  /// building the metric path).
  static func verb(of r: KubeRequest, namesObject named: Bool) -> String {
    // Runs once per request: byte comparisons, no Unicode case mapping or Foundation search.
    let method =
      r.method.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") } ? r.method.uppercased() : r.method
    let isWatch = r.query.contains { $0.name == "watch" && ($0.value == "true" || $0.value == "1") }
    switch method {
    case "GET", "HEAD": return isWatch ? "watch" : (named ? "get" : "list")
    case "POST": return "create"
    case "PUT": return "update"
    case "PATCH": return "patch"
    case "DELETE": return named ? "delete" : "deletecollection"
    default: return method.lowercased()
    }
  }
}

/// Called once per request after it finished; must be cheap and must not block.
public typealias RequestMetricsHook = @Sendable (RequestMetric) -> Void

extension String {
  func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
