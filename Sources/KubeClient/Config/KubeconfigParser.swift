import Foundation
import Yams

/// Walks a kubeconfig YAML tree by hand so every problem can name its field path.
struct KubeconfigParser {
  let file: String
  var directory: String { (file as NSString).deletingLastPathComponent }

  func fail(_ field: String?, _ problem: String) -> KubeconfigError {
    KubeconfigError(file: file, field: field, problem: problem)
  }

  func parse(_ yaml: String) throws(KubeconfigError) -> Kubeconfig {
    var config = Kubeconfig()
    config.files = [file]
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch {
      throw fail(nil, "is not valid YAML: \(Self.describe(error))")
    }
    guard let root, !isNull(root) else { return config }
    guard root.mapping != nil else { throw fail(nil, "must be a YAML map at the top level") }

    if let cc = try string(root["current-context"], "current-context"), !cc.isEmpty {
      config.currentContext = cc
      config.currentContextFile = file
    }
    for (i, item) in try list(root["clusters"], "clusters").enumerated() {
      let path = "clusters[\(i)]"
      let name = try requiredName(item, path)
      let c = try map(item["cluster"], "\(path).cluster", required: true)!
      var cluster = Kubeconfig.Cluster()
      let p = "\(path).cluster"
      cluster.server = try string(c["server"], "\(p).server")
      cluster.certificateAuthority = try string(c["certificate-authority"], "\(p).certificate-authority").map(resolve)
      cluster.certificateAuthorityData = try base64(c["certificate-authority-data"], "\(p).certificate-authority-data")
      cluster.insecureSkipTLSVerify = try bool(c["insecure-skip-tls-verify"], "\(p).insecure-skip-tls-verify") ?? false
      cluster.tlsServerName = try string(c["tls-server-name"], "\(p).tls-server-name")
      cluster.proxyURL = try string(c["proxy-url"], "\(p).proxy-url")
      if config.clusters[name] == nil { config.clusters[name] = .init(value: cluster, file: file, index: i) }
    }
    for (i, item) in try list(root["users"], "users").enumerated() {
      let path = "users[\(i)]"
      let name = try requiredName(item, path)
      let p = "\(path).user"
      var user = Kubeconfig.User()
      if let u = try map(item["user"], p, required: false) {
        user.clientCertificate = try string(u["client-certificate"], "\(p).client-certificate").map(resolve)
        user.clientCertificateData = try base64(u["client-certificate-data"], "\(p).client-certificate-data")
        user.clientKey = try string(u["client-key"], "\(p).client-key").map(resolve)
        user.clientKeyData = try base64(u["client-key-data"], "\(p).client-key-data")
        user.token = try string(u["token"], "\(p).token")
        user.tokenFile = try string(u["tokenFile"], "\(p).tokenFile").map(resolve)
        user.username = try string(u["username"], "\(p).username")
        user.password = try string(u["password"], "\(p).password")
        if let ap = try map(u["auth-provider"], "\(p).auth-provider", required: false) {
          user.authProvider = try string(ap["name"], "\(p).auth-provider.name") ?? "unnamed"
        }
        if let e = try map(u["exec"], "\(p).exec", required: false) {
          user.exec = try execConfig(e, "\(p).exec")
        }
      }
      if config.users[name] == nil { config.users[name] = .init(value: user, file: file, index: i) }
    }
    for (i, item) in try list(root["contexts"], "contexts").enumerated() {
      let path = "contexts[\(i)]"
      let name = try requiredName(item, path)
      let c = try map(item["context"], "\(path).context", required: true)!
      guard let cluster = try string(c["cluster"], "\(path).context.cluster"), !cluster.isEmpty else {
        throw fail("\(path).context.cluster", "is required")
      }
      let ctx = Kubeconfig.Context(
        cluster: cluster, user: try string(c["user"], "\(path).context.user"),
        namespace: try string(c["namespace"], "\(path).context.namespace"))
      if config.contexts[name] == nil { config.contexts[name] = .init(value: ctx, file: file, index: i) }
    }
    return config
  }

  private func execConfig(_ e: Node, _ p: String) throws(KubeconfigError) -> Kubeconfig.ExecConfig {
    guard let apiVersion = try string(e["apiVersion"], "\(p).apiVersion"), !apiVersion.isEmpty else {
      throw fail("\(p).apiVersion", "is required")
    }
    let supported = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
    guard supported.contains(apiVersion) else {
      throw fail("\(p).apiVersion", "\"\(apiVersion)\" is not supported (use \(supported.joined(separator: " or ")))")
    }
    guard let command = try string(e["command"], "\(p).command"), !command.isEmpty else {
      throw fail("\(p).command", "is required")
    }
    var resolved = command
    if !command.hasPrefix("/") && command.contains("/") { resolved = directory + "/" + command }
    var exec = Kubeconfig.ExecConfig(apiVersion: apiVersion, command: resolved)
    for (i, a) in try list(e["args"], "\(p).args").enumerated() {
      guard let s = try string(a, "\(p).args[\(i)]") else { throw fail("\(p).args[\(i)]", "must be a string") }
      exec.args.append(s)
    }
    for (i, v) in try list(e["env"], "\(p).env").enumerated() {
      let f = "\(p).env[\(i)]"
      guard let name = try string(v["name"], "\(f).name"), !name.isEmpty else { throw fail("\(f).name", "is required") }
      exec.env.append(.init(name: name, value: try string(v["value"], "\(f).value") ?? ""))
    }
    exec.installHint = try string(e["installHint"], "\(p).installHint")
    exec.provideClusterInfo = try bool(e["provideClusterInfo"], "\(p).provideClusterInfo") ?? false
    exec.interactiveMode = try string(e["interactiveMode"], "\(p).interactiveMode")
    return exec
  }

  private func resolve(_ path: String) -> String {
    if path.isEmpty || path.hasPrefix("/") { return path }
    if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst(1) }
    return directory + "/" + path
  }

  private func isNull(_ n: Node) -> Bool {
    guard let s = n.scalar else { return false }
    return s.style == .plain && (s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null")
  }

  private func requiredName(_ item: Node, _ path: String) throws(KubeconfigError) -> String {
    guard item.mapping != nil else { throw fail(path, "must be a map") }
    guard let name = try string(item["name"], "\(path).name"), !name.isEmpty else {
      throw fail("\(path).name", "is required")
    }
    return name
  }

  private func map(_ n: Node?, _ field: String, required: Bool) throws(KubeconfigError) -> Node? {
    guard let n, !isNull(n) else {
      if required { throw fail(field, "is required") }
      return nil
    }
    guard n.mapping != nil else { throw fail(field, "must be a map") }
    return n
  }

  private func list(_ n: Node?, _ field: String) throws(KubeconfigError) -> [Node] {
    guard let n, !isNull(n) else { return [] }
    guard let s = n.sequence else { throw fail(field, "must be a list") }
    return Array(s)
  }

  private func string(_ n: Node?, _ field: String) throws(KubeconfigError) -> String? {
    guard let n, !isNull(n) else { return nil }
    guard let s = n.scalar else { throw fail(field, "must be a string") }
    return s.string
  }

  private func bool(_ n: Node?, _ field: String) throws(KubeconfigError) -> Bool? {
    guard let n, !isNull(n) else { return nil }
    guard let s = n.scalar else { throw fail(field, "must be true or false") }
    switch s.string.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw fail(field, "must be true or false, not \"\(s.string)\"")
    }
  }

  private func base64(_ n: Node?, _ field: String) throws(KubeconfigError) -> [UInt8]? {
    guard let s = try string(n, field), !s.isEmpty else { return nil }
    let clean = s.filter { !$0.isWhitespace }
    guard let d = Data(base64Encoded: clean) else { throw fail(field, "is not valid base64") }
    return Array(d)
  }

  /// libyaml's problem and where it is, never the text around it: Yams quotes the offending
  /// line, and in a kubeconfig that line may be a token or a key.
  static func describe(_ error: any Error) -> String {
    guard let e = error as? YamlError else { return "unreadable" }
    switch e {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return "\(problem) at line \(mark.line), column \(mark.column)"
    case .reader(let problem, let offset, _, _):
      return offset.map { "\(problem) at byte \($0)" } ?? problem
    case .duplicatedKeysInMapping(let duplicates, let context):
      return "duplicated key(s) \(duplicates.sorted().joined(separator: ", ")) at line \(context.mark.line)"
    default:
      return "unreadable"
    }
  }
}
