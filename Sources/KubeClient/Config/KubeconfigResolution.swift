import CRDModels
import Foundation
import NIOSSL

extension Kubeconfig {
  /// The configuration of the current context (or `overrides.context`), checked and with
  /// every referenced file read. Errors name the file and field at fault.
  public func configuration(
    overrides: KubeconfigOverrides = KubeconfigOverrides()
  ) throws(KubeconfigError)
    -> ClientConfiguration
  {
    let firstFile = files.first
    guard let contextName = overrides.context ?? currentContext else {
      throw KubeconfigError(file: firstFile, field: "current-context", problem: "is not set and no context was chosen")
    }
    guard let ctxEntry = contexts[contextName] else {
      if overrides.context != nil {
        throw KubeconfigError(file: firstFile, field: nil, problem: "context \"\(contextName)\" not found in contexts")
      }
      throw KubeconfigError(
        file: currentContextFile ?? firstFile, field: "current-context",
        problem: "\"\(contextName)\" not found in contexts")
    }
    let ctx = ctxEntry.value
    let ctxPath = "contexts[\(ctxEntry.index)].context"

    let clusterName = overrides.cluster ?? ctx.cluster
    guard let clusterEntry = clusters[clusterName] else {
      if overrides.cluster != nil {
        throw KubeconfigError(file: firstFile, field: nil, problem: "cluster \"\(clusterName)\" not found in clusters")
      }
      throw KubeconfigError(
        file: ctxEntry.file, field: "\(ctxPath).cluster", problem: "\"\(clusterName)\" not found in clusters")
    }
    let cluster = clusterEntry.value
    let cfile = clusterEntry.file
    let cpath = "clusters[\(clusterEntry.index)].cluster"

    guard let server = cluster.server, !server.isEmpty else {
      throw KubeconfigError(file: cfile, field: "\(cpath).server", problem: "is required")
    }
    guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
      url.host != nil
    else {
      throw KubeconfigError(file: cfile, field: "\(cpath).server", problem: "\"\(server)\" is not an http(s) URL")
    }

    var tls = ClientConfiguration.TLSSettings()
    tls.insecureSkipVerify = cluster.insecureSkipTLSVerify
    tls.serverName = cluster.tlsServerName
    if let data = cluster.certificateAuthorityData {
      tls.caPEM = try Self.checkCertificates(data, cfile, "\(cpath).certificate-authority-data")
    } else if let path = cluster.certificateAuthority, !path.isEmpty {
      let bytes = try Self.read(path, cfile, "\(cpath).certificate-authority")
      tls.caPEM = try Self.checkCertificates(bytes, cfile, "\(cpath).certificate-authority")
    }
    if tls.insecureSkipVerify && tls.caPEM != nil {
      throw KubeconfigError(
        file: cfile, field: "\(cpath).insecure-skip-tls-verify",
        problem: "cannot be true when a certificate authority is also given")
    }
    if let proxy = cluster.proxyURL, !proxy.isEmpty {
      guard let p = URL(string: proxy), p.scheme == "http", p.host != nil else {
        throw KubeconfigError(
          file: cfile, field: "\(cpath).proxy-url", problem: "\"\(proxy)\" is not supported (only http:// proxies)")
      }
    }

    var credentials = ClientConfiguration.Credentials.none
    var userDesc = "no user"
    if let userName = overrides.user ?? ctx.user, !userName.isEmpty {
      guard let userEntry = users[userName] else {
        if overrides.user != nil {
          throw KubeconfigError(file: firstFile, field: nil, problem: "user \"\(userName)\" not found in users")
        }
        throw KubeconfigError(
          file: ctxEntry.file, field: "\(ctxPath).user", problem: "\"\(userName)\" not found in users")
      }
      userDesc = "user \"\(userName)\""
      let u = userEntry.value
      let ufile = userEntry.file
      let upath = "users[\(userEntry.index)].user"
      if let ap = u.authProvider {
        throw KubeconfigError(
          file: ufile, field: "\(upath).auth-provider",
          problem: "\"\(ap)\" is not supported; use an exec credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)")
      }
      var cert: [UInt8]?
      var key: [UInt8]?
      if let d = u.clientCertificateData {
        cert = d
      } else if let p = u.clientCertificate, !p.isEmpty {
        cert = try Self.read(p, ufile, "\(upath).client-certificate")
      }
      if let d = u.clientKeyData {
        key = d
      } else if let p = u.clientKey, !p.isEmpty {
        key = try Self.read(p, ufile, "\(upath).client-key")
      }
      if let c = cert {
        guard key != nil else {
          throw KubeconfigError(
            file: ufile, field: "\(upath).client-key", problem: "is required with a client certificate")
        }
        let field = u.clientCertificateData != nil ? "client-certificate-data" : "client-certificate"
        _ = try Self.checkCertificates(c, ufile, "\(upath).\(field)")
      } else if key != nil {
        throw KubeconfigError(
          file: ufile, field: "\(upath).client-certificate", problem: "is required with a client key")
      }
      if let k = key {
        do {
          _ = try NIOSSLPrivateKey(bytes: k, format: .pem)
        } catch {
          let field = u.clientKeyData != nil ? "client-key-data" : "client-key"
          throw KubeconfigError(file: ufile, field: "\(upath).\(field)", problem: "is not a PEM private key")
        }
      }
      tls.clientCertificatePEM = cert
      tls.clientKeyPEM = key

      let hasToken = (u.token?.isEmpty == false) || (u.tokenFile?.isEmpty == false)
      if u.username != nil && hasToken {
        throw KubeconfigError(file: ufile, field: "\(upath).username", problem: "cannot be combined with a token")
      }
      if let t = u.token, !t.isEmpty {
        credentials = .bearer(StaticToken(t))
      } else if let f = u.tokenFile, !f.isEmpty {
        _ = try Self.read(f, ufile, "\(upath).tokenFile")
        credentials = .bearer(FileTokenSource(path: f))
      } else if let name = u.username {
        credentials = .basic(username: name, password: u.password ?? "")
      } else if let exec = u.exec {
        var info: JSONValue = [
          "server": .string(server), "insecure-skip-tls-verify": .bool(cluster.insecureSkipTLSVerify),
        ]
        if let ca = tls.caPEM { info["certificate-authority-data"] = .string(Data(ca).base64EncodedString()) }
        if let n = cluster.tlsServerName { info["tls-server-name"] = .string(n) }
        credentials = .bearer(ExecCredentialProvider(config: exec, clusterInfo: info))
      }
    }

    let namespace = overrides.namespace ?? ctx.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    var config = ClientConfiguration(
      server: server, namespace: namespace, tls: tls, credentials: credentials,
      origin: "kubeconfig \(ctxEntry.file) context \"\(contextName)\" cluster \"\(clusterName)\" \(userDesc)")
    config.proxyURL = cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 }
    return config
  }

  static func read(_ path: String, _ file: String, _ field: String) throws(KubeconfigError) -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else {
      let why = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
      throw KubeconfigError(file: file, field: field, problem: "file \(path) \(why)")
    }
    return Array(d)
  }

  static func checkCertificates(_ pem: [UInt8], _ file: String, _ field: String) throws(KubeconfigError) -> [UInt8] {
    let certs = try? NIOSSLCertificate.fromPEMBytes(pem)
    guard let certs, !certs.isEmpty else {
      throw KubeconfigError(file: file, field: field, problem: "does not contain a PEM certificate")
    }
    return pem
  }
}

extension ClientConfiguration {
  /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, and the token, CA and
  /// namespace under `serviceAccountDirectory`. The token is re-read at most every minute, so
  /// rotated (projected) tokens are picked up.
  public static func inCluster(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
  ) throws(KubeconfigError) -> ClientConfiguration {
    guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
      let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
    else {
      throw KubeconfigError(
        file: nil, field: nil,
        problem: "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
    }
    let tokenPath = serviceAccountDirectory + "/token"
    guard FileManager.default.isReadableFile(atPath: tokenPath) else {
      throw KubeconfigError(
        file: nil, field: nil, problem: "in-cluster: service account token \(tokenPath) cannot be read")
    }
    var tls = TLSSettings()
    let caPath = serviceAccountDirectory + "/ca.crt"
    if let ca = FileManager.default.contents(atPath: caPath) {
      tls.caPEM = try Kubeconfig.checkCertificates(Array(ca), caPath, "in-cluster CA")
    }
    let ns =
      (try? String(contentsOfFile: serviceAccountDirectory + "/namespace", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let hostPart = host.contains(":") ? "[\(host)]" : host
    return ClientConfiguration(
      server: "https://\(hostPart):\(port)", namespace: (ns?.isEmpty == false ? ns! : "default"), tls: tls,
      credentials: .bearer(FileTokenSource(path: tokenPath)), origin: "in-cluster service account")
  }

  /// controller-runtime's order: the `KUBECONFIG` list when set; otherwise the pod's service
  /// account when running in a cluster; otherwise `~/.kube/config`.
  public static func load(
    overrides: KubeconfigOverrides = KubeconfigOverrides(),
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeconfigError) -> ClientConfiguration {
    if environment["KUBECONFIG"]?.isEmpty == false {
      return try Kubeconfig.load(paths: Kubeconfig.defaultPaths(environment: environment)).configuration(
        overrides: overrides)
    }
    if environment["KUBERNETES_SERVICE_HOST"]?.isEmpty == false {
      var c = try inCluster(environment: environment)
      if let ns = overrides.namespace { c.namespace = ns }
      return c
    }
    return try Kubeconfig.load(paths: Kubeconfig.defaultPaths(environment: environment)).configuration(
      overrides: overrides)
  }
}
