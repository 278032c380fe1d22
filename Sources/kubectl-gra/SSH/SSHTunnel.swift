import CRDModels
import Foundation
import KubeClient

/// `kubectl gra ssh-proxy`: joins this process's stdin and stdout to the runner's sshd, for
/// ssh's `ProxyCommand`.
///
/// `exec` (default) runs a small Python relay in the runner's pod over `pods/exec` and talks
/// to sshd on the pod's loopback: it works wherever exec works (also under gVisor, where
/// port-forward does not). `bridge` runs the same relay through the exec bridge's WebSocket
/// (only `runners/exec` needed, but bounded by the bridge's exec timeout and output limit).
/// `port-forward` runs `kubectl port-forward` to the pod and relays to the local port.
enum SSHTunnel {
  static let relay = """
    import os, socket, sys, threading
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    def up():
        while True:
            d = os.read(0, 65536)
            if not d:
                break
            s.sendall(d)
        s.shutdown(socket.SHUT_WR)
    threading.Thread(target=up, daemon=True).start()
    while True:
        d = s.recv(65536)
        if not d:
            break
        os.write(1, d)
    """

  /// The sshd port of a runner: `spec.ssh.port`, default 2222.
  static func port(of runner: Runner) -> Int32 { runner.spec?.ssh?.port ?? GraDefaults.sshPort }

  /// The login user: the one in `status.ssh.command` (`ssh -p 2222 runner@host`), else `runner`.
  static func user(of runner: Runner) -> String {
    if let cmd = runner.status?.ssh?.command, let word = cmd.split(separator: " ").first(where: { $0.contains("@") }),
      let at = word.firstIndex(of: "@"), at != word.startIndex
    {
      return String(word[..<at])
    }
    return "runner"
  }

  /// `$HOME/.ssh` (as ssh itself finds it).
  static var userSSHDirectory: String {
    (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.ssh"
  }

  /// The private key in `sshDir` whose public half (`NAME.pub` beside it) the runner
  /// authorizes inline (`spec.ssh.authorizedKeys`), so `ssh` picks the right key by itself.
  static func matchingIdentity(runner: Runner, sshDir: String) -> String? {
    let authorized = Set((runner.spec?.ssh?.authorizedKeys ?? []).compactMap(keyMaterial))
    guard !authorized.isEmpty, let files = try? FileManager.default.contentsOfDirectory(atPath: sshDir) else {
      return nil
    }
    for pub in files.sorted() where pub.hasSuffix(".pub") {
      let privateKey = sshDir + "/" + String(pub.dropLast(4))
      guard FileManager.default.fileExists(atPath: privateKey),
        let text = try? String(contentsOfFile: sshDir + "/" + pub, encoding: .utf8)
      else { continue }
      if text.split(whereSeparator: \.isNewline).contains(where: {
        keyMaterial(String($0)).map(authorized.contains) ?? false
      }) {
        return privateKey
      }
    }
    return nil
  }

  /// The base64 part of an authorized_keys / .pub line (options and comments ignored).
  static func keyMaterial(_ line: String) -> String? {
    let words = line.split(separator: " ")
    guard let i = words.firstIndex(where: { $0.hasPrefix("ssh-") || $0.hasPrefix("ecdsa-") || $0.hasPrefix("sk-") }),
      i + 1 < words.count
    else { return nil }
    return String(words[i + 1])
  }

  static func viaExec(client: KubernetesClient, namespace: String, pod: String, port: Int32) async throws -> Int32 {
    let input = ExecCommand.streamStandardInput()
    return try await client.exec(
      namespace: namespace, pod: pod, ExecOptions(command: ["python3", "-c", relay, String(port)], stdin: true),
      stdin: input,
      stdout: { FileHandle.standardOutput.write(Data($0)) }, stderr: { FileHandle.standardError.write(Data($0)) })
  }

  /// Through the exec bridge's WebSocket, with the longest timeout the bridge allows.
  static func viaBridge(client: KubernetesClient, namespace: String, runner: String, port: Int32) async throws -> Int32
  {
    let options = BridgeStreamOptions(
      command: ["python3", "-c", relay, String(port)], stdin: true, timeoutSeconds: 3600)
    let end = try await BridgeExecClient(client: client).stream(
      namespace: namespace, runner: runner, options, stdin: ExecCommand.streamStandardInput(),
      stdout: { FileHandle.standardOutput.write(Data($0)) }, stderr: { FileHandle.standardError.write(Data($0)) })
    if let e = end.cliError { throw e }
    return end.shellExitCode ?? 1
  }

  /// Starts `kubectl port-forward pod/POD :PORT`, waits for the local port it reports, and
  /// relays stdin/stdout to it until either side closes.
  static func viaPortForward(kubectlArgs: [String], namespace: String, pod: String, port: Int32) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments =
      ["kubectl"] + kubectlArgs + ["-n", namespace, "port-forward", "pod/\(pod)", ":\(port)", "--address", "127.0.0.1"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.standardError
    try p.run()
    defer { p.terminate() }
    var buffer = ""
    var local: Int32?
    while local == nil {
      let data = out.fileHandleForReading.availableData
      if data.isEmpty { throw CLIError(.failed, "kubectl port-forward ended before it opened a port") }
      buffer += String(decoding: data, as: UTF8.self)
      // "Forwarding from 127.0.0.1:40123 -> 2222"
      if let r = buffer.range(of: #"127\.0\.0\.1:(\d+) ->"#, options: .regularExpression) {
        let digits = buffer[r].dropFirst("127.0.0.1:".count).prefix { $0.isNumber }
        local = Int32(digits)
      }
    }
    return try relayTCP(port: local!)
  }

  /// stdin → 127.0.0.1:port → stdout, on two threads.
  static func relayTCP(port: Int32) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CLIError(.failed, "socket: \(String(cString: strerror(errno)))") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else { throw CLIError(.failed, "connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
    Thread.detachNewThread {
      var buf = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = read(STDIN_FILENO, &buf, buf.count)
        if n <= 0 { break }
        var off = 0
        while off < n {
          let w = buf.withUnsafeBytes { send(fd, $0.baseAddress! + off, n - off, Int32(MSG_NOSIGNAL)) }
          if w <= 0 { return }
          off += w
        }
      }
      shutdown(fd, Int32(SHUT_WR))
    }
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = recv(fd, &buf, buf.count, 0)
      if n <= 0 { break }
      FileHandle.standardOutput.write(Data(buf[0..<n]))
    }
    close(fd)
    return 0
  }
}
