@preconcurrency import CNIOBoringSSL
import Foundation

/// A certificate and its private key, both PEM.
public struct PEMIdentity: Sendable, Equatable {
  public var certificatePEM: String
  public var privateKeyPEM: String
  public init(certificatePEM: String, privateKeyPEM: String) {
    self.certificatePEM = certificatePEM
    self.privateKeyPEM = privateKeyPEM
  }
}

/// X.509 certificates made at run time with the BoringSSL that swift-nio-ssl already links
/// (no extra package): the bridge's self-signed serving certificate when none is mounted, and,
/// for the local cluster, a front-proxy CA and the aggregator's client certificate.
///
/// Keys are ECDSA P-256, signatures SHA-256, like kubeadm's.
public enum Certificates {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// What to put in a certificate.
  public struct Subject: Sendable {
    public var commonName: String
    public var organizations: [String] = []
    public var dnsNames: [String] = []
    public var ipAddresses: [String] = []
    public var isCA = false
    public var serverAuth = false
    public var clientAuth = false
    public var validity: TimeInterval = 365 * 24 * 3600
    public init(commonName: String) { self.commonName = commonName }
  }

  /// A self-signed CA certificate.
  public static func makeCA(commonName: String) throws -> PEMIdentity {
    var s = Subject(commonName: commonName)
    s.isCA = true
    s.validity = 10 * 365 * 24 * 3600
    return try make(s, issuer: nil)
  }

  /// A certificate for `subject`, signed by `issuer` (self-signed when nil).
  public static func make(_ subject: Subject, issuer: PEMIdentity?) throws -> PEMIdentity {
    let key = try newKey()
    defer { EVP_PKEY_free(key) }
    guard let x = X509_new() else { throw Failure(description: "X509_new failed") }
    defer { X509_free(x) }
    try check(X509_set_version(x, Int(X509_VERSION_3)), "set version")
    var serial = [UInt8](repeating: 0, count: 8)
    for i in serial.indices { serial[i] = .random(in: 0...255) }
    serial[0] &= 0x7f
    let serialValue = serial.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    try check(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serialValue), "serial")
    guard X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nil,
      X509_gmtime_adj(X509_getm_notAfter(x), Int(subject.validity)) != nil
    else { throw Failure(description: "validity") }

    guard let name = X509_NAME_new() else { throw Failure(description: "X509_NAME_new") }
    defer { X509_NAME_free(name) }
    for o in subject.organizations {
      try check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, o, -1, -1, 0), "O")
    }
    try check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, subject.commonName, -1, -1, 0), "CN")
    try check(X509_set_subject_name(x, name), "subject")
    try check(X509_set_pubkey(x, key), "public key")

    var issuerCert: OpaquePointer?
    var issuerKey: OpaquePointer?
    defer {
      if let issuerCert { X509_free(issuerCert) }
      if let issuerKey { EVP_PKEY_free(issuerKey) }
    }
    if let issuer {
      issuerCert = try readCertificate(issuer.certificatePEM)
      issuerKey = try readKey(issuer.privateKeyPEM)
      try check(X509_set_issuer_name(x, X509_get_subject_name(issuerCert)), "issuer")
    } else {
      try check(X509_set_issuer_name(x, name), "issuer")
    }

    var extensions: [(Int32, String)] = []
    if subject.isCA {
      extensions.append((NID_basic_constraints, "critical,CA:TRUE"))
      extensions.append((NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"))
    } else {
      extensions.append((NID_basic_constraints, "critical,CA:FALSE"))
      extensions.append((NID_key_usage, "critical,digitalSignature,keyEncipherment"))
      var usages: [String] = []
      if subject.serverAuth { usages.append("serverAuth") }
      if subject.clientAuth { usages.append("clientAuth") }
      if !usages.isEmpty { extensions.append((NID_ext_key_usage, usages.joined(separator: ","))) }
    }
    extensions.append((NID_subject_key_identifier, "hash"))
    if issuer != nil { extensions.append((NID_authority_key_identifier, "keyid:always")) }
    let sans = subject.dnsNames.map { "DNS:\($0)" } + subject.ipAddresses.map { "IP:\($0)" }
    if !sans.isEmpty { extensions.append((NID_subject_alt_name, sans.joined(separator: ","))) }

    var ctx = X509V3_CTX()
    X509V3_set_ctx(&ctx, issuerCert ?? x, x, nil, nil, 0)
    for (nid, value) in extensions {
      guard let ext = X509V3_EXT_nconf_nid(nil, &ctx, nid, value) else {
        throw Failure(description: "extension \(nid)=\(value)")
      }
      defer { X509_EXTENSION_free(ext) }
      try check(X509_add_ext(x, ext, -1), "add extension")
    }
    guard X509_sign(x, issuerKey ?? key, EVP_sha256()) > 0 else {
      throw Failure(description: "sign")
    }
    return PEMIdentity(
      certificatePEM: try pem { PEM_write_bio_X509($0, x) },
      privateKeyPEM: try pem {
        PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil)
      })
  }

  /// The subject common name of a DER certificate (the last CN, as Go's x509 reads it), or nil.
  public static func commonName(der: [UInt8]) -> String? {
    der.withUnsafeBufferPointer { buf -> String? in
      var p: UnsafePointer<UInt8>? = buf.baseAddress
      guard let x = d2i_X509(nil, &p, buf.count) else { return nil }
      defer { X509_free(x) }
      guard let name = X509_get_subject_name(x) else { return nil }
      var index: Int32 = -1
      var last: Int32 = -1
      while true {
        index = X509_NAME_get_index_by_NID(name, NID_commonName, index)
        if index < 0 { break }
        last = index
      }
      guard last >= 0, let entry = X509_NAME_get_entry(name, last),
        let data = X509_NAME_ENTRY_get_data(entry)
      else { return nil }
      var out: UnsafeMutablePointer<UInt8>?
      let n = ASN1_STRING_to_UTF8(&out, data)
      guard n >= 0, let out else { return nil }
      defer { OPENSSL_free(out) }
      return String(decoding: UnsafeBufferPointer(start: out, count: Int(n)), as: UTF8.self)
    }
  }

  private static func newKey() throws -> OpaquePointer {
    guard let ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1) else { throw Failure(description: "EC key") }
    guard EC_KEY_generate_key(ec) == 1, let key = EVP_PKEY_new() else {
      EC_KEY_free(ec)
      throw Failure(description: "EC key generation")
    }
    guard EVP_PKEY_assign_EC_KEY(key, ec) == 1 else {
      EC_KEY_free(ec)
      EVP_PKEY_free(key)
      throw Failure(description: "EVP_PKEY_assign_EC_KEY")
    }
    return key
  }

  private static func readCertificate(_ pem: String) throws -> OpaquePointer {
    try withBIO(pem) { bio in
      guard let x = PEM_read_bio_X509(bio, nil, nil, nil) else { throw Failure(description: "bad issuer certificate") }
      return x
    }
  }

  private static func readKey(_ pem: String) throws -> OpaquePointer {
    try withBIO(pem) { bio in
      guard let k = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else { throw Failure(description: "bad issuer key") }
      return k
    }
  }

  private static func withBIO<T>(_ text: String, _ body: (OpaquePointer) throws -> T) throws -> T {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { raw in
      guard let bio = BIO_new_mem_buf(raw.baseAddress, raw.count) else { throw Failure(description: "BIO") }
      defer { BIO_free(bio) }
      return try body(bio)
    }
  }

  private static func pem(_ write: (OpaquePointer) -> Int32) throws -> String {
    guard let bio = BIO_new(BIO_s_mem()) else { throw Failure(description: "BIO") }
    defer { BIO_free(bio) }
    guard write(bio) == 1 else { throw Failure(description: "PEM write") }
    var contents: UnsafePointer<UInt8>?
    var length = 0
    guard BIO_mem_contents(bio, &contents, &length) == 1, let contents else { throw Failure(description: "PEM read") }
    return String(decoding: UnsafeBufferPointer(start: contents, count: length), as: UTF8.self)
  }

  private static func check(_ result: Int32, _ what: String) throws {
    guard result == 1 else { throw Failure(description: "certificate: \(what) failed") }
  }
}
