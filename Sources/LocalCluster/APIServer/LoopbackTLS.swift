import NIOCore
import NIOSSL

/// TLS for kubectl. client-go only sends credentials over TLS, so the server speaks HTTPS and
/// plain HTTP on the same port (told apart by the first byte: 0x16 starts a TLS handshake).
///
/// The certificate is self-signed for `127.0.0.1`, `::1` and `localhost`, fixed and public:
/// it protects nothing and exists only so kubectl sends the bearer token. The kubeconfig the
/// server writes carries it as `certificate-authority-data`.
enum LoopbackTLS {
  static let certificatePEM = """
    -----BEGIN CERTIFICATE-----
    MIIB6TCCAY6gAwIBAgIUeqOhSUB0Swb4+3R9kyMNKCiswoQwCgYIKoZIzj0EAwIw
    HjEcMBoGA1UEAwwTZ3JhLWxvY2FsLWFwaXNlcnZlcjAgFw0yNjExMjExOTQxMDla
    GA8yMTI2MTAyODE5NDEwOVowHjEcMBoGA1UEAwwTZ3JhLWxvY2FsLWFwaXNlcnZl
    cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBbkk0qFScc6lBwegK90sQwiGIVr
    zFtGDFq3txBP5ye3cFPNepbNfC6VsCu8MUXFXWG0rmOyt8infNODFWWaNdKjgacw
    gaQwHQYDVR0OBBYEFAl/0BiqFfJ9ab4R3MpeoqREv7yCMB8GA1UdIwQYMBaAFAl/
    0BiqFfJ9ab4R3MpeoqREv7yCMCwGA1UdEQQlMCOHBH8AAAGHEAAAAAAAAAAAAAAA
    AAAAAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIC
    hDATBgNVHSUEDDAKBggrBgEFBQcDATAKBggqhkjOPQQDAgNJADBGAiEA9FLpdqtr
    gGVdFK7aoaQ63CJtxpz9JMWOGwR0tK0DvS0CIQCWWcfbSRehzYMVfAsv/ELhWlly
    OT03zv+2J1SMUPQlgw==
    -----END CERTIFICATE-----
    """

  static let privateKeyPEM = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgb22BEIZ+MbeD3yHh
    dBwk5SONyNTz0IhGRX/svVfZNGShRANCAAQW5JNKhUnHOpQcHoCvdLEMIhiFa8xb
    Rgxat7cQT+cnt3BTzXqWzXwulbArvDFFxV1htK5jsrfIp3zTgxVlmjXS
    -----END PRIVATE KEY-----
    """

  static func serverContext() throws -> NIOSSLContext {
    let cert = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
    var config = TLSConfiguration.makeServerConfiguration(
      certificateChain: [.certificate(cert)], privateKey: .privateKey(key))
    config.applicationProtocols = ["http/1.1"]
    return try NIOSSLContext(configuration: config)
  }
}

/// Looks at the first byte of a connection and inserts the TLS handler when it is a handshake.
final class TLSSniffer: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer
  private let context: NIOSSLContext

  init(context: NIOSSLContext) { self.context = context }

  func channelRead(context ctx: ChannelHandlerContext, data: NIOAny) {
    let buf = Self.unwrapInboundIn(data)
    if buf.readableBytesView.first == 0x16 {
      do {
        try ctx.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .after(self))
      } catch {
        ctx.close(promise: nil)
        return
      }
    }
    ctx.fireChannelRead(data)
    ctx.pipeline.syncOperations.removeHandler(context: ctx, promise: nil)
  }
}
