@preconcurrency import CNIOBoringSSL
import Foundation

/// An sshd host key pair, made once per Runner and kept in its `NAME-ssh-host-keys` Secret so
/// every pod of the Runner presents the same host key and `known_hosts` entries keep working.
///
/// Ed25519, generated with the BoringSSL that swift-nio-ssl already links (as
/// `Certificates` does); the private key is written in OpenSSH's own unencrypted format
/// (`openssh-key-v1`, PROTOCOL.key in the OpenSSH sources), the public key as an
/// `authorized_keys`/`known_hosts` line.
public struct SSHHostKey: Sendable, Equatable {
  /// `-----BEGIN OPENSSH PRIVATE KEY-----` … as `ssh-keygen` writes it.
  public var privateKeyPEM: String
  /// `ssh-ed25519 AAAA… comment`.
  public var publicKeyLine: String

  /// The Secret keys the entrypoint copies (`ssh_host_<type>_key`).
  public static let privateKeyName = "ssh_host_ed25519_key"
  public static let publicKeyName = "ssh_host_ed25519_key.pub"

  /// A fresh Ed25519 key pair.
  public static func generateEd25519(comment: String) -> SSHHostKey {
    var pub = [UInt8](repeating: 0, count: 32)
    var priv = [UInt8](repeating: 0, count: 64)
    ED25519_keypair(&pub, &priv)
    var check = [UInt8](repeating: 0, count: 4)
    RAND_bytes(&check, 4)
    defer { priv.withUnsafeMutableBytes { buf in for i in buf.indices { buf[i] = 0 } } }
    return make(publicKey: pub, privateKey: priv, checkBytes: check, comment: comment)
  }

  /// Encodes a key pair (`privateKey` is BoringSSL's and OpenSSH's 64 bytes: seed then public
  /// key). Deterministic given `checkBytes`, for tests.
  static func make(publicKey pub: [UInt8], privateKey priv: [UInt8], checkBytes: [UInt8], comment: String) -> SSHHostKey
  {
    let type = Array("ssh-ed25519".utf8)
    var blob = SSHWire()
    blob.string(type)
    blob.string(pub)

    var secret = SSHWire()
    secret.raw(checkBytes)
    secret.raw(checkBytes)
    secret.string(type)
    secret.string(pub)
    secret.string(priv)
    secret.string(Array(comment.utf8))
    var pad: UInt8 = 1
    while secret.bytes.count % 8 != 0 {
      secret.raw([pad])
      pad += 1
    }

    var file = SSHWire()
    file.raw(Array("openssh-key-v1".utf8) + [0])
    file.string(Array("none".utf8))  // cipher
    file.string(Array("none".utf8))  // kdf
    file.string([])  // kdf options
    file.uint32(1)  // number of keys
    file.string(blob.bytes)
    file.string(secret.bytes)

    let b64 = Data(file.bytes).base64EncodedString()
    var lines: [Substring] = []
    var rest = Substring(b64)
    while !rest.isEmpty {
      lines.append(rest.prefix(70))
      rest = rest.dropFirst(70)
    }
    let pem =
      "-----BEGIN OPENSSH PRIVATE KEY-----\n" + lines.joined(separator: "\n")
      + "\n-----END OPENSSH PRIVATE KEY-----\n"
    let line = "ssh-ed25519 \(Data(blob.bytes).base64EncodedString()) \(comment)\n"
    return SSHHostKey(privateKeyPEM: pem, publicKeyLine: line)
  }
}

/// SSH wire encoding (RFC 4251 §5): big-endian uint32, length-prefixed strings.
struct SSHWire {
  var bytes: [UInt8] = []
  mutating func uint32(_ v: UInt32) {
    bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
  }
  mutating func string(_ s: [UInt8]) {
    uint32(UInt32(s.count))
    bytes += s
  }
  mutating func raw(_ b: [UInt8]) { bytes += b }
}
