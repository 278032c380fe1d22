import Foundation
import Testing

@testable import KubeClient

private func token(_ c: ClientConfiguration) async throws -> String? {
  guard case .bearer(let s) = c.credentials else { return nil }
  return try await s.token(refresh: false)
}

private func errorText(_ body: () throws -> Void) -> String? {
  do {
    try body()
    return nil
  } catch {
    return "\(error)"
  }
}

@Suite struct KubeconfigTests {
  @Test func mergesKubeconfigListLikeKubectl() throws {
    let dir = try TempDir()
    defer { dir.remove() }
    let a = try dir.write(
      "a.yaml",
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: shared
        cluster: {server: "https://a.example:6443"}
      users:
      - name: alice
        user: {token: from-a}
      contexts:
      - name: ctx-a
        context: {cluster: shared, user: alice, namespace: team-a}
      """)
    let b = try dir.write(
      "b.yaml",
      """
      current-context: ctx-b
      clusters:
      - name: shared
        cluster: {server: "https://b.example:6443"}
      - name: only-b
        cluster: {server: "https://only-b.example"}
      users:
      - name: alice
        user: {token: from-b}
      contexts:
      - name: ctx-b
        context: {cluster: only-b, user: alice}
      - name: ctx-a
        context: {cluster: only-b}
      """)
    let c = try dir.write("c.yaml", "current-context: ctx-a\n")
    let env = ["KUBECONFIG": "\(a)::\(dir.path)/missing.yaml:\(b):\(c)", "HOME": dir.path]
    #expect(Kubeconfig.defaultPaths(environment: env) == [a, "\(dir.path)/missing.yaml", b, c])
    let kc = try Kubeconfig.load(paths: Kubeconfig.defaultPaths(environment: env))
    // The first file to define a name wins; current-context from the first file that sets one.
    #expect(kc.currentContext == "ctx-b")
    #expect(kc.clusters["shared"]?.value.server == "https://a.example:6443")
    #expect(kc.contexts["ctx-a"]?.value.namespace == "team-a")
    #expect(kc.clusters["only-b"]?.file == b)
    let cfg = try kc.configuration()
    #expect(cfg.server == "https://only-b.example")
    #expect(cfg.namespace == "default")

    let overridden = try kc.configuration(overrides: KubeconfigOverrides(context: "ctx-a", namespace: "ns-x"))
    #expect(overridden.server == "https://a.example:6443")
    #expect(overridden.namespace == "ns-x")
    let otherCluster = try kc.configuration(overrides: KubeconfigOverrides(context: "ctx-a", cluster: "only-b"))
    #expect(otherCluster.server == "https://only-b.example")
  }

  @Test func staticTokenCADataAndClientCertificateData() async throws {
    let ca = Data(TestPEM.certificate.utf8).base64EncodedString()
    let key = Data(TestPEM.key.utf8).base64EncodedString()
    let kc = try Kubeconfig.parse(
      yaml: """
        current-context: c
        clusters:
        - name: k
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority-data: \(ca)
        users:
        - name: u
          user:
            client-certificate-data: \(ca)
            client-key-data: \(key)
        - name: t
          user: {token: abc.def}
        contexts:
        - name: c
          context: {cluster: k, user: u}
        """, file: "/cfg/config")
    let cfg = try kc.configuration()
    #expect(cfg.tls.caPEM == Array(TestPEM.certificate.utf8))
    #expect(cfg.tls.clientCertificatePEM == Array(TestPEM.certificate.utf8))
    #expect(cfg.tls.clientKeyPEM == Array(TestPEM.key.utf8))
    #expect(cfg.tls.insecureSkipVerify == false)
    #expect(try await token(cfg) == nil)
    let withToken = try kc.configuration(overrides: KubeconfigOverrides(user: "t"))
    #expect(try await token(withToken) == "abc.def")
    // The transport accepts this TLS material.
    _ = try KubeTransport.tls(cfg.tls)
  }

  @Test func relativeFilesResolveAgainstTheKubeconfigDirectory() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    try dir.write("certs/ca.crt", TestPEM.certificate)
    try dir.write("certs/client.crt", TestPEM.certificate)
    try dir.write("certs/client.key", TestPEM.key)
    try dir.write("token", "file-token\n")
    let path = try dir.write(
      "sub/../config",
      """
      current-context: c
      clusters:
      - name: k
        cluster: {server: "https://k:443", certificate-authority: certs/ca.crt}
      users:
      - name: u
        user: {client-certificate: certs/client.crt, client-key: certs/client.key, tokenFile: token}
      contexts:
      - name: c
        context: {cluster: k, user: u}
      """)
    let kc = try Kubeconfig.load(paths: [path])
    #expect(kc.clusters["k"]?.value.certificateAuthority == "\(dir.path)/sub/../certs/ca.crt")
    let cfg = try kc.configuration()
    #expect(cfg.tls.caPEM == Array(TestPEM.certificate.utf8))
    #expect(cfg.tls.clientKeyPEM == Array(TestPEM.key.utf8))
    #expect(try await token(cfg) == "file-token")
  }

  @Test func tokenFileIsReReadAfterItsPeriodOrA401() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    let p = try dir.write("token", "one")
    let cached = FileTokenSource(path: p, period: .seconds(3600))
    let eager = FileTokenSource(path: p, period: .zero)
    #expect(try await cached.token(refresh: false) == "one")
    #expect(try await eager.token(refresh: false) == "one")
    try dir.write("token", "two")
    #expect(try await cached.token(refresh: false) == "one")
    #expect(try await eager.token(refresh: false) == "two")
    #expect(try await cached.token(refresh: true) == "two")
  }

  @Test func basicAuthInsecureAndProxy() throws {
    let kc = try Kubeconfig.parse(
      yaml: """
        current-context: c
        clusters:
        - name: k
          cluster: {server: "https://k", insecure-skip-tls-verify: true, proxy-url: "http://proxy:3128"}
        users:
        - name: u
          user: {username: admin, password: secret}
        contexts:
        - name: c
          context: {cluster: k, user: u, namespace: ops}
        """, file: "/x/config")
    let cfg = try kc.configuration()
    #expect(cfg.tls.insecureSkipVerify)
    #expect(cfg.proxyURL == "http://proxy:3128")
    #expect(cfg.namespace == "ops")
    guard case .basic(let user, let pass) = cfg.credentials else {
      Issue.record("want basic credentials")
      return
    }
    #expect(user == "admin" && pass == "secret")
    #expect(!cfg.origin.contains("secret"))
  }

  @Test func inClusterConfiguration() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    try dir.write("token", "sa-token")
    try dir.write("ca.crt", TestPEM.certificate)
    try dir.write("namespace", "gra-system\n")
    let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
    let cfg = try ClientConfiguration.inCluster(environment: env, serviceAccountDirectory: dir.path)
    #expect(cfg.server == "https://10.96.0.1:443")
    #expect(cfg.namespace == "gra-system")
    #expect(cfg.tls.caPEM == Array(TestPEM.certificate.utf8))
    #expect(try await token(cfg) == "sa-token")
    let v6 = try ClientConfiguration.inCluster(
      environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
      serviceAccountDirectory: dir.path)
    #expect(v6.server == "https://[fd00::1]:443")
    #expect(
      errorText { _ = try ClientConfiguration.inCluster(environment: [:], serviceAccountDirectory: dir.path) }?
        .contains("KUBERNETES_SERVICE_HOST") == true)
  }

  @Test func userAgentLooksLikeClientGo() throws {
    // The program's name first: the API server's manager name for writes without fieldManager.
    let program = try #require(CommandLine.arguments.first?.split(separator: "/").last)
    #expect(ClientConfiguration.defaultUserAgent.hasPrefix("\(program)/\(KubeClientVersion.string) (linux/"))
  }

  // MARK: errors

  static let badConfigs: [(String, String)] = [
    (
      "current-context: c\nclusters: []\ncontexts:\n- name: c\n  context: {cluster: prod}\n",
      #"kubeconfig /home/u/.kube/config: contexts[0].context.cluster "prod" not found in clusters"#
    ),
    (
      "current-context: nope\n",
      #"kubeconfig /home/u/.kube/config: current-context "nope" not found in contexts"#
    ),
    (
      "contexts: []\n",
      "kubeconfig /home/u/.kube/config: current-context is not set and no context was chosen"
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k}\nusers: []\ncontexts:\n- name: c\n  context: {cluster: k, user: bob}\n",
      #"kubeconfig /home/u/.kube/config: contexts[0].context.user "bob" not found in users"#
    ),
    (
      "clusters:\n- name: k\n  cluster: {server: https://k, certificate-authority-data: '%%%'}\n",
      "kubeconfig /home/u/.kube/config: clusters[0].cluster.certificate-authority-data is not valid base64"
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k, certificate-authority-data: aGVsbG8=}\ncontexts:\n- name: c\n  context: {cluster: k}\n",
      "kubeconfig /home/u/.kube/config: clusters[0].cluster.certificate-authority-data does not contain a PEM certificate"
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {certificate-authority: ca.pem}\ncontexts:\n- name: c\n  context: {cluster: k}\n",
      "kubeconfig /home/u/.kube/config: clusters[0].cluster.server is required"
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k, certificate-authority: ca.pem}\ncontexts:\n- name: c\n  context: {cluster: k}\n",
      "kubeconfig /home/u/.kube/config: clusters[0].cluster.certificate-authority file /home/u/.kube/ca.pem does not exist"
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: 'k8s.local'}\ncontexts:\n- name: c\n  context: {cluster: k}\n",
      #"kubeconfig /home/u/.kube/config: clusters[0].cluster.server "k8s.local" is not an http(s) URL"#
    ),
    (
      "clusters:\n- cluster: {server: https://k}\n",
      "kubeconfig /home/u/.kube/config: clusters[0].name is required"
    ),
    (
      "clusters: {a: b}\n",
      "kubeconfig /home/u/.kube/config: clusters must be a list"
    ),
    (
      "clusters:\n- name: k\n  cluster: {server: https://k, insecure-skip-tls-verify: maybe}\n",
      #"kubeconfig /home/u/.kube/config: clusters[0].cluster.insecure-skip-tls-verify must be true or false, not "maybe""#
    ),
    (
      "users:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}\n",
      #"kubeconfig /home/u/.kube/config: users[0].user.exec.apiVersion "client.authentication.k8s.io/v1alpha1" is not supported (use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1)"#
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k}\nusers:\n- name: u\n  user: {auth-provider: {name: gcp}}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n",
      #"kubeconfig /home/u/.kube/config: users[0].user.auth-provider "gcp" is not supported; use an exec credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)"#
    ),
    (
      "current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k}\nusers:\n- name: u\n  user: {client-certificate-data: aGVsbG8=}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n",
      "kubeconfig /home/u/.kube/config: users[0].user.client-key is required with a client certificate"
    ),
    (
      "clusters: [\n",
      "kubeconfig /home/u/.kube/config: is not valid YAML"
    ),
  ]

  @Test func aYAMLErrorNamesTheLineButNeverQuotesIt() {
    let yaml = "users:\n- name: u\n  user:\n    token: s3cr3t-t0ken: [\n"
    let got = errorText { _ = try Kubeconfig.parse(yaml: yaml, file: "/k").configuration() }
    #expect(got?.hasPrefix("kubeconfig /k: is not valid YAML: ") == true, "got: \(got ?? "no error")")
    #expect(got?.contains("line 4") == true, "got: \(got ?? "no error")")
    #expect(got?.contains("s3cr3t") == false, "got: \(got ?? "no error")")
  }

  @Test(arguments: badConfigs)
  func badKubeconfigGetsOneLineNamingFileAndField(yaml: String, want: String) {
    let got = errorText {
      _ = try Kubeconfig.parse(yaml: yaml, file: "/home/u/.kube/config").configuration()
    }
    #expect(got?.hasPrefix(want) == true, "got: \(got ?? "no error")")
    #expect(got?.contains("\n") == false)
  }

  @Test func missingKubeconfigSaysWhereItLooked() {
    let got = errorText { _ = try Kubeconfig.load(paths: ["/nonexistent/config"]) }
    #expect(got == "kubeconfig: no configuration found (looked for /nonexistent/config)")
  }
}
