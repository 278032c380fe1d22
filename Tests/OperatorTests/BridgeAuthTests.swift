import CRDModels
import Foundation
import KubeClient
import NIOHTTP1
import Testing

@testable import LocalCluster
@testable import Operator

/// The pieces of front-proxy trust: certificates made with BoringSSL, the requestheader
/// rules, and the aggregator's handling of identity headers.
@Suite struct BridgeAuthTests {
  @Test func aLeafSignedByAFreshCAChainsToItAndCarriesItsName() throws {
    let ca = try Certificates.makeCA(commonName: "front-proxy-ca")
    var s = Certificates.Subject(commonName: "front-proxy-client")
    s.clientAuth = true
    let leaf = try Certificates.make(s, issuer: ca)
    #expect(leaf.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    #expect(leaf.privateKeyPEM.contains("PRIVATE KEY-----"))
    #expect(leaf.certificatePEM != ca.certificatePEM)
    let der = try Self.der(leaf.certificatePEM)
    #expect(Certificates.commonName(der: der) == "front-proxy-client")
    #expect(Certificates.commonName(der: try Self.der(ca.certificatePEM)) == "front-proxy-ca")
    #expect(Certificates.commonName(der: [1, 2, 3]) == nil)
  }

  static func der(_ pem: String) throws -> [UInt8] {
    let b64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    return Array(try #require(Data(base64Encoded: b64)))
  }

  @Test func requestHeadersCountOnlyWithAnAllowedVerifiedCertificate() {
    let rh = RequestHeaderAuthenticator(clientCAPEM: "x", allowedNames: ["front-proxy-client"])
    let headers = HTTPHeaders([
      ("X-Remote-User", "bob"), ("X-Remote-Group", "devs"), ("X-Remote-Group", "system:authenticated"),
      ("X-Remote-Extra-Scopes", "a"), ("X-Remote-Extra-Scopes", "b"),
    ])
    #expect(rh.authenticate(commonName: nil, headers: headers) == .notApplicable)
    guard case .refused = rh.authenticate(commonName: "someone-else", headers: headers) else {
      Issue.record("a certificate outside requestheader-allowed-names was trusted")
      return
    }
    guard case .refused = rh.authenticate(commonName: "front-proxy-client", headers: HTTPHeaders()) else {
      Issue.record("a front-proxy request without a user was accepted")
      return
    }
    #expect(
      rh.authenticate(commonName: "front-proxy-client", headers: headers)
        == .authenticated(
          BridgeUser(name: "bob", groups: ["devs", "system:authenticated"], extra: ["scopes": ["a", "b"]])))
    // An empty allowed-names list accepts any name the CA signed.
    let any = RequestHeaderAuthenticator(clientCAPEM: "x")
    #expect(any.authenticate(commonName: "whoever", headers: headers) != .notApplicable)
  }

  @Test func theConfigMapIsReadAsKubeApiserverWritesIt() {
    let rh = RequestHeaderAuthenticator.from(data: [
      "requestheader-client-ca-file": "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n",
      "requestheader-allowed-names": #"["front-proxy-client"]"#,
      "requestheader-username-headers": #"["X-Remote-User"]"#,
      "requestheader-group-headers": #"["X-Remote-Group"]"#,
      "requestheader-extra-headers-prefix": #"["X-Remote-Extra-"]"#,
    ])
    #expect(rh?.allowedNames == ["front-proxy-client"])
    #expect(rh?.usernameHeaders == ["X-Remote-User"])
    #expect(RequestHeaderAuthenticator.from(data: ["requestheader-client-ca-file": ""]) == nil, "no CA: no front proxy")
  }

  @Test func theAggregatorReplacesIdentityHeadersWithTheAuthenticatedUser() {
    var h = HTTPHeaders([
      ("Authorization", "Bearer secret"), ("X-Remote-User", "admin"), ("x-remote-group", "system:masters"),
      ("X-Remote-Extra-Foo", "bar"), ("Impersonate-User", "root"), ("Accept", "application/json"),
    ])
    Aggregator.setProxyHeaders(&h, user: UserInfo(name: "bob", uid: "", groups: ["devs", "system:authenticated"]))
    #expect(h["X-Remote-User"] == ["bob"])
    #expect(h["X-Remote-Group"] == ["devs", "system:authenticated"])
    #expect(h["Authorization"].isEmpty)
    #expect(h["X-Remote-Extra-Foo"].isEmpty)
    #expect(h["Impersonate-User"].isEmpty)
    #expect(h["Accept"] == ["application/json"])
  }

  @Test(arguments: [
    (
      "/apis/exec.gra.dev/v1alpha1/namespaces/ns/runners/r/exec",
      ExecBridge.Target(namespace: "ns", runner: "r", kind: .exec(id: nil))
    ),
    (
      "/apis/exec.gra.dev/v1alpha1/namespaces/ns/runners/r/execs",
      ExecBridge.Target(namespace: "ns", runner: "r", kind: .execs)
    ),
    (
      "/apis/exec.gra.dev/v1alpha1/namespaces/ns/runners/r/execs/abc",
      ExecBridge.Target(namespace: "ns", runner: "r", kind: .exec(id: "abc"))
    ),
  ])
  func bridgePaths(path: String, target: ExecBridge.Target) {
    #expect(ExecBridge.target(path) == target)
  }

  @Test func unknownBridgePathsAreNotTargets() {
    #expect(ExecBridge.target("/apis/exec.gra.dev/v1alpha1/namespaces/ns/runners/r") == nil)
    #expect(ExecBridge.target("/apis/exec.gra.dev/v1alpha1/namespaces/ns/pods/r/exec") == nil)
  }

  @Test(arguments: ["plain\n", "quote \" and \\ backslash", "tab\tcr\r\u{1}", "héllo ✓"])
  func fastOutputFramesAreTheSameJSON(text: String) throws {
    let frame = ExecFrame.output(stream: .stderr, offset: 42, bytes: Array(text.utf8))
    let fast = try KubeJSON.decode(JSONValue.self, from: Data(frame.lineBytes()))
    let slow = try KubeJSON.decode(JSONValue.self, from: Data(frame.line().utf8))
    #expect(fast == slow)
    #expect(fast["data"].stringValue == text)
    #expect(frame.lineBytes().last == 10)
  }

  @Test func theCommandIsStartedSoItCanBeStopped() throws {
    let client = try KubernetesClient(
      configuration: ClientConfiguration(server: "http://127.0.0.1:1"), logger: quietLogger)
    defer { Task { try? await client.shutdown() } }
    let run = ExecRun(
      client: client, namespace: "ns", pod: "p", id: "abc",
      request: ExecRequest(command: ["python3", "-V"], env: ["A": "1"], workingDir: "/w"), timeoutSeconds: 1,
      outputLimit: 1,
      tty: false, logger: quietLogger)
    #expect(
      run.wrappedCommand == [
        "sh", "-c", "(echo $$ > /tmp/.gra-exec-abc.pid) 2>/dev/null; exec \"$@\"", "gra-exec", "env", "-C", "/w", "A=1",
        "python3", "-V",
      ])
  }
}
