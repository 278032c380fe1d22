import CRDModels
import Foundation
import Testing

@testable import KubeClient

@Suite struct ExecCredentialTests {
  /// A plugin that records its environment and arguments and prints an ExecCredential.
  static func plugin(in dir: TempDir, status: String, exit: Int = 0) throws -> String {
    try dir.write(
      "bin/plugin.sh",
      """
      #!/bin/sh
      n=$(cat "$0.count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0.count"
      printf '%s' "$KUBERNETES_EXEC_INFO" > "$0.info"
      echo "$@ $EXTRA" > "$0.args"
      if [ \(exit) -ne 0 ]; then echo "token expired, run login" >&2; exit \(exit); fi
      cat <<JSON
      {"apiVersion":"$API","kind":"ExecCredential","status":\(status)}
      JSON
      """, executable: true)
  }

  static func config(
    _ dir: TempDir, apiVersion: String = "client.authentication.k8s.io/v1", provide: Bool = false
  ) throws
    -> ClientConfiguration
  {
    let path = try dir.write(
      "kubeconfig",
      """
      current-context: c
      clusters:
      - name: k
        cluster: {server: "https://eks.example:443"}
      users:
      - name: u
        user:
          exec:
            apiVersion: \(apiVersion)
            command: ./bin/plugin.sh
            args: [get-token, --cluster, k]
            env:
            - {name: EXTRA, value: extra-env}
            - {name: API, value: \(apiVersion)}
            provideClusterInfo: \(provide)
            interactiveMode: Never
      contexts:
      - name: c
        context: {cluster: k, user: u}
      """)
    return try Kubeconfig.load(paths: [path]).configuration()
  }

  static func provider(_ c: ClientConfiguration) throws -> ExecCredentialProvider {
    guard case .bearer(let s) = c.credentials, let p = s as? ExecCredentialProvider else {
      throw KubeError.invalid("not an exec provider")
    }
    return p
  }

  @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
  func runsPluginPassesArgsEnvAndExecInfoAndCachesUntilExpiry(apiVersion: String) async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    let script = try Self.plugin(in: dir, status: #"{"token":"t-123","expirationTimestamp":"2999-01-01T00:00:00Z"}"#)
    let cfg = try Self.config(dir, apiVersion: apiVersion, provide: true)
    let p = try Self.provider(cfg)
    #expect(p.config.command == "\(dir.path)/./bin/plugin.sh")
    #expect(try await p.token(refresh: false) == "t-123")
    #expect(try await p.token(refresh: false) == "t-123")
    #expect(
      try String(contentsOfFile: script + ".count", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        == "1")
    #expect(try String(contentsOfFile: script + ".args", encoding: .utf8) == "get-token --cluster k extra-env\n")
    let info = try KubeJSON.decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: script + ".info")))
    #expect(info["apiVersion"].stringValue == apiVersion)
    #expect(info["kind"].stringValue == "ExecCredential")
    #expect(info["spec"]["interactive"].boolValue == false)
    #expect(info["spec"]["cluster"]["server"].stringValue == "https://eks.example:443")
    // A 401 forces a fresh run.
    _ = try await p.token(refresh: true)
    #expect(
      try String(contentsOfFile: script + ".count", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        == "2")
  }

  @Test func expiredCredentialIsFetchedAgain() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    let script = try Self.plugin(in: dir, status: #"{"token":"short","expirationTimestamp":"2020-01-01T00:00:00Z"}"#)
    let p = try Self.provider(try Self.config(dir))
    _ = try await p.token(refresh: false)
    _ = try await p.token(refresh: false)
    #expect(
      try String(contentsOfFile: script + ".count", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        == "2")
  }

  @Test func clientCertificateFromPlugin() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    let cert = TestPEM.certificate.replacingOccurrences(of: "\n", with: "\\n")
    let key = TestPEM.key.replacingOccurrences(of: "\n", with: "\\n")
    _ = try Self.plugin(in: dir, status: "{\"clientCertificateData\":\"\(cert)\",\"clientKeyData\":\"\(key)\"}")
    let cfg = try Self.config(dir)
    let p = try Self.provider(cfg)
    let c = try await p.credential()
    #expect(c.token == nil)
    #expect(c.clientCertificatePEM == Array(TestPEM.certificate.utf8))
    let resolved = try await cfg.resolvingExecCertificate()
    #expect(resolved.tls.clientKeyPEM == Array(TestPEM.key.utf8))
  }

  @Test func failingPluginReportsExitCodeAndStderr() async throws {
    let dir = try TempDir()
    defer { dir.remove() }
    _ = try Self.plugin(in: dir, status: "{}", exit: 3)
    let p = try Self.provider(try Self.config(dir))
    await #expect {
      _ = try await p.token(refresh: false)
    } throws: { e in
      "\(e)".contains("failed with exit code 3: token expired, run login")
    }
  }

  @Test func missingPluginShowsInstallHint() async throws {
    var exec = Kubeconfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "no-such-plugin-xyz")
    exec.installHint = "install it with\nbrew install thing"
    let p = ExecCredentialProvider(config: exec)
    await #expect {
      _ = try await p.token(refresh: false)
    } throws: { e in
      "\(e)" == "exec plugin no-such-plugin-xyz: executable not found (install it with brew install thing)"
    }
  }
}
