import CRDModels
import Foundation
import KubeClient
import Logging

/// Starts the exec bridge the same way for `gra-operator run` and `gra-operator local`:
/// reads the front-proxy settings from `kube-system/extension-apiserver-authentication`,
/// serves HTTPS with the given (or a fresh self-signed) certificate, trusts client
/// certificates of the requestheader CA, and falls back to bearer tokens.
public enum BridgeLauncher {
  public struct Options: Sendable {
    public var host = "0.0.0.0"
    public var port = 8443
    /// The serving certificate; nil makes a self-signed one for ``serviceNames``.
    public var identity: PEMIdentity?
    /// Serve plain HTTP (no TLS at all; only bearer tokens then). Local development only.
    public var insecureHTTP = false
    /// DNS names for a self-signed certificate (the Service's names as the aggregator dials them).
    public var serviceNames: [String] = ["localhost"]
    public var ipAddresses: [String] = ["127.0.0.1"]
    public var limits = ExecBridge.Limits()
    public init() {}
  }

  /// The running bridge and what it serves with.
  public struct Running: Sendable {
    public let server: BridgeHTTPServer
    public let bridge: ExecBridge
    /// The PEM that verifies the serving certificate, for an APIService `caBundle`: the
    /// mounted certificate, or the CA made for a self-signed one.
    public let caBundlePEM: String?
    public let frontProxyTrusted: Bool
    public func stop() async {
      await server.stop()
      await bridge.shutdown()
    }
  }

  public static func start(
    client: KubernetesClient, options: Options, metrics: MetricsRegistry?, events: EventRecorder?, logger: Logger
  ) async throws -> Running {
    var requestHeader: RequestHeaderAuthenticator?
    do {
      requestHeader = try await RequestHeaderAuthenticator.load(client)
    } catch {
      logger.warning(
        "cannot read kube-system/extension-apiserver-authentication; front-proxy (aggregated) requests will be refused",
        metadata: ["error": "\(error)"])
    }
    var tls: BridgeTLS?
    var certificatePEM: String?
    if !options.insecureHTTP {
      var identity = options.identity
      certificatePEM = identity?.certificatePEM
      if identity == nil {
        // Like client-go's GenerateSelfSignedCertKey: a throwaway CA and a leaf it signs, so
        // the CA can go into a caBundle and verifiers see an ordinary chain.
        let ca = try Certificates.makeCA(
          commonName: "\(options.serviceNames.first ?? "gra-bridge")-ca@\(Int(Date().timeIntervalSince1970))")
        var subject = Certificates.Subject(commonName: options.serviceNames.first ?? "gra-bridge")
        subject.dnsNames = options.serviceNames
        subject.ipAddresses = options.ipAddresses
        subject.serverAuth = true
        identity = try Certificates.make(subject, issuer: ca)
        certificatePEM = ca.certificatePEM
      }
      tls = BridgeTLS(identity: identity!, clientCAPEM: requestHeader?.clientCAPEM)
    }
    let bridge = ExecBridge(
      client: client, authorizer: BridgeAuthorizer(client: client), requestHeader: tls == nil ? nil : requestHeader,
      events: events, limits: options.limits, metrics: metrics, logger: logger)
    let server = try await BridgeHTTPServer.start(host: options.host, port: options.port, tls: tls, webSocket: bridge) {
      await bridge.handle($0, $1)
    }
    return Running(
      server: server, bridge: bridge, caBundlePEM: certificatePEM, frontProxyTrusted: tls != nil && requestHeader != nil
    )
  }
}
