import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// How `ssh` and `config-ssh` reach sshd.
enum SSHVia: String, ExpressibleByArgument, CaseIterable, Sendable {
  /// pods/exec on the runner's pod (needs that right; no limits).
  case exec
  /// The exec bridge's WebSocket (needs only runners/exec; the session is subject to the
  /// bridge's exec timeout, output limit and concurrency limit).
  case bridge
  case portForward = "port-forward"
}

/// The ProxyCommand that reaches a runner: this plugin's `ssh-proxy`, with the same cluster
/// selection as the current invocation.
enum SSHProxyCommandLine {
  /// This executable's absolute path (ssh runs ProxyCommand with its own PATH).
  static var selfPath: String {
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
    let arg0 = CommandLine.arguments[0]
    return arg0.hasPrefix("/") ? arg0 : FileManager.default.currentDirectoryPath + "/" + arg0
  }

  static func make(
    runner: String, namespace: String, global: GlobalOptions, via: SSHVia, selfPath: String = selfPath
  ) -> [String] {
    var c = [selfPath, "ssh-proxy", runner, "--namespace", namespace]
    let kubeconfig = global.kubeconfig ?? ProcessInfo.processInfo.environment["KUBECONFIG"]
    if let kubeconfig, !kubeconfig.isEmpty {
      let abs = kubeconfig.split(separator: ":").map { p -> String in
        let e = (String(p) as NSString).expandingTildeInPath
        return e.hasPrefix("/") ? e : FileManager.default.currentDirectoryPath + "/" + e
      }.joined(separator: ":")
      c += ["--kubeconfig", abs]
    }
    if let context = global.context { c += ["--context", context] }
    if via != .exec { c += ["--via", via.rawValue] }
    return c
  }
}

struct SSHCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "ssh", abstract: "Open an ssh session to a Runner (through a Kubernetes tunnel).",
    discussion: """
      Runs your ssh with a ProxyCommand (`kubectl gra ssh-proxy`) that tunnels to the runner's
      sshd, so no Service or open port is needed. The runner needs ssh on
      (`kubectl gra create NAME --ssh-key-file KEY.pub`). --via exec (default) tunnels over
      pods/exec (also under gVisor, where port-forward does not work); --via bridge tunnels
      through the exec bridge and needs only runners/exec, but the session then ends at the
      bridge's exec timeout (at most 1 h) or output limit (spec.exec.outputLimitBytes, 10 MiB
      by default) — fine for commands, too small for VS Code; --via port-forward runs
      kubectl port-forward.
      Host keys are not pinned (a new pod has new ones); the tunnel is authenticated by your
      Kubernetes credentials. Arguments after -- go to ssh (a remote command, -L forwards…).
      Exits with ssh's exit code.
      Examples:
        kubectl gra ssh demo
        kubectl gra ssh demo -i ~/.ssh/id_ed25519 -- python -V
        kubectl gra ssh demo -- -L 8888:localhost:8888
        kubectl gra ssh demo --print       # show the ssh command instead of running it
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Option(
    name: [.short, .customLong("identity-file")],
    help: "Private key for ssh -i (default: the key in ~/.ssh whose .pub the runner authorizes).")
  var identityFile: String?
  @Option(name: [.customShort("l"), .customLong("user")], help: "Login user (default: the runner's, usually runner).")
  var user: String?
  @Option(help: "Tunnel: exec, bridge or port-forward.") var via: SSHVia = .exec
  @Flag(help: "Print the ssh command line instead of running it.") var print = false
  @Argument(parsing: .postTerminator, help: "ssh arguments or a remote command, after --.") var sshArgs: [String] = []

  func sshCommand(runner: Runner, namespace: String) -> [String] {
    let host = "gra-\(name)"
    let proxy = SSHProxyCommandLine.make(runner: name, namespace: namespace, global: global, via: via)
    var c = [
      "ssh", "-o", "ProxyCommand=" + proxy.map(SSHConfigBlock.quote).joined(separator: " "), "-o",
      "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "HostKeyAlias=\(host)",
    ]
    let identity =
      identityFile.map { ($0 as NSString).expandingTildeInPath }
      ?? SSHTunnel.matchingIdentity(runner: runner, sshDir: SSHTunnel.userSSHDirectory)
    if let identity { c += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
    c += ["-l", user ?? SSHTunnel.user(of: runner), host]
    return c + sshArgs
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    guard runner.spec?.ssh?.enabled == true else {
      throw CLIError(
        .failed, "runner \"\(name)\" has ssh off; create it with --ssh-key-file KEY.pub (spec.ssh.enabled)")
    }
    let argv = sshCommand(runner: runner, namespace: namespace)
    if print {
      if global.output == .json {
        write(try RunnerPrinter.json(JSONValue.array(argv.map { .string($0) })))
      } else {
        write(argv.map(ShellQuote.quote).joined(separator: " ") + "\n")
      }
      return
    }
    try? await client.shutdown()
    let cargs = argv.map { strdup($0) } + [nil]
    execvp("ssh", cargs)
    throw CLIError(.failed, "cannot run ssh: \(String(cString: strerror(errno))) (is openssh-client installed?)")
  }
}

/// POSIX shell quoting for printed command lines.
enum ShellQuote {
  static func quote(_ s: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@,+%")
    if !s.isEmpty, s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}

struct SSHProxyCommand: NamedRunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "ssh-proxy", abstract: "Relay stdin/stdout to a Runner's sshd (an ssh ProxyCommand).",
    discussion: """
      Used by `kubectl gra ssh` and the entries `kubectl gra config-ssh` writes; rarely run by
      hand. --via exec needs `create` on pods/exec; --via bridge needs runners/exec (and is
      bounded by the bridge's exec limits); --via port-forward needs pods/portforward and
      kubectl on the PATH.
      Example (in ~/.ssh/config):
        ProxyCommand kubectl-gra ssh-proxy demo --namespace default
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The runner's name.") var name: String
  @Option(help: "Tunnel: exec, bridge or port-forward.") var via: SSHVia = .exec
  @Option(help: "Port in the pod (default: the runner's ssh port).") var port: Int32?

  func execute(client: KubernetesClient, namespace: String) async throws {
    let runner = try await client.api(Runner.self, namespace: namespace).get(name)
    let target = port ?? SSHTunnel.port(of: runner)
    let code: Int32
    switch via {
    case .exec:
      let pod = try await RunnerPods.readyPod(name, client: client, namespace: namespace)
      code = try await SSHTunnel.viaExec(client: client, namespace: namespace, pod: pod, port: target)
    case .bridge:
      code = try await SSHTunnel.viaBridge(client: client, namespace: namespace, runner: name, port: target)
    case .portForward:
      var args: [String] = []
      if let k = global.kubeconfig { args += ["--kubeconfig", k] }
      if let c = global.context { args += ["--context", c] }
      let pod = try await RunnerPods.readyPod(name, client: client, namespace: namespace)
      code = try SSHTunnel.viaPortForward(kubectlArgs: args, namespace: namespace, pod: pod, port: target)
    }
    if code != 0 { throw ExitCode(code) }
  }
}

struct ConfigSSHCommand: RunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "config-ssh",
    abstract: "Write `Host gra-NAME` entries to ~/.ssh/config for ssh, VS Code and JetBrains.",
    discussion: """
      Adds (or updates) one entry per runner with ssh on, in a marked block of the ssh config
      that later runs rewrite; the rest of the file is left alone. Each entry's ProxyCommand is
      `kubectl-gra ssh-proxy NAME` with this invocation's --kubeconfig/--context/namespace, so
      `ssh gra-NAME` and VS Code Remote-SSH (host gra-NAME) work without open ports.
      With no NAME, every runner in the namespace that has ssh on. --remove deletes entries.
      Examples:
        kubectl gra config-ssh demo -i ~/.ssh/id_ed25519
        kubectl gra config-ssh                      # all ssh-enabled runners in the namespace
        kubectl gra config-ssh demo --print         # show the entry, change nothing
        kubectl gra config-ssh demo --remove
        ssh gra-demo
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "Runners to add (default: all with ssh on).") var names: [String] = []
  @Option(name: [.short, .customLong("identity-file")], help: "Private key to use (IdentityFile).") var identityFile:
    String?
  @Option(name: [.customShort("l"), .customLong("user")], help: "Login user (default: the runner's).") var user: String?
  @Option(help: "Tunnel: exec, bridge or port-forward.") var via: SSHVia = .exec
  @Option(help: "The ssh config file to edit.") var sshConfig = "~/.ssh/config"
  @Flag(help: "Print the entries instead of writing them.") var print = false
  @Flag(help: "Remove the entries of the named runners (all gra entries without names).") var remove = false

  func execute(client: KubernetesClient, namespace: String) async throws {
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    let path = sshConfig.hasPrefix("~/") ? home + sshConfig.dropFirst(1) : (sshConfig as NSString).expandingTildeInPath
    let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    var (before, block, after) = SSHConfigBlock.parse(existing)
    var changed: [String] = []
    if remove {
      let hosts = Set(names.isEmpty ? block.entries.map(\.host) : names.map { "gra-\($0)" })
      changed = block.entries.map(\.host).filter { hosts.contains($0) }
      block.remove(hosts: hosts)
    } else {
      let api = client.api(Runner.self, namespace: namespace)
      var runners: [Runner] = []
      if names.isEmpty {
        runners = try await api.listAll().items.filter { $0.spec?.ssh?.enabled == true }
        if runners.isEmpty { throw CLIError(.notFound, "no runner in namespace \"\(namespace)\" has ssh on") }
      } else {
        for n in names {
          guard let r = try await api.getIfExists(n) else {
            throw CLIError(.notFound, "runner \"\(n)\" not found in namespace \"\(namespace)\"")
          }
          guard r.spec?.ssh?.enabled == true else {
            throw CLIError(.failed, "runner \"\(n)\" has ssh off; create it with --ssh-key-file KEY.pub")
          }
          runners.append(r)
        }
      }
      let entries = runners.map { r in
        let identity =
          identityFile.map { ($0 as NSString).expandingTildeInPath }
          ?? SSHTunnel.matchingIdentity(runner: r, sshDir: SSHTunnel.userSSHDirectory)
        let name = r.metadata.name ?? ""
        return SSHConfigBlock.entry(
          host: "gra-\(name)", user: user ?? SSHTunnel.user(of: r),
          proxyCommand: SSHProxyCommandLine.make(runner: name, namespace: namespace, global: global, via: via),
          identityFile: identity)
      }
      if print {
        write(entries.map(\.text).joined(separator: "\n") + "\n")
        return
      }
      block.upsert(entries)
      changed = entries.map(\.host)
    }
    if print {
      write(block.render(before: before, after: after))
      return
    }
    let dir = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(
      atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let text = block.render(before: before, after: after)
    let tmp = path + ".gra-tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else {
      throw CLIError(.failed, "cannot write \(tmp)")
    }
    guard rename(tmp, path) == 0 else {
      throw CLIError(.failed, "cannot replace \(path): \(String(cString: strerror(errno)))")
    }
    if global.output == .json {
      write(
        try RunnerPrinter.json(
          ["file": .string(path), remove ? "removed" : "hosts": .array(changed.map { .string($0) })] as JSONValue))
    } else {
      for h in changed { write("\(h): \(remove ? "removed from" : "written to") \(path)\n") }
    }
  }
}
