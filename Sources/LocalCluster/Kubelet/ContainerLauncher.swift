import CRDModels
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Who a container runs as: `runAsUser`/`runAsGroup` (container over pod over image),
/// `supplementalGroups` and `fsGroup`.
struct ContainerUser: Sendable, Equatable {
  var uid: Int64
  var gid: Int64
  var groups: [Int64]

  /// The container's `securityContext` over the pod's over the image's USER.
  static func resolve(pod: JSONValue, container: JSONValue, image: LocalImage?) -> ContainerUser {
    let psc = pod["spec"]["securityContext"]
    let csc = container["securityContext"]
    let uid = csc["runAsUser"].intValue ?? psc["runAsUser"].intValue ?? image?.user ?? 0
    let gid =
      csc["runAsGroup"].intValue ?? psc["runAsGroup"].intValue ?? (image?.user != nil && uid == image?.user ? uid : 0)
    var groups = (psc["supplementalGroups"].arrayValue ?? []).compactMap(\.intValue)
    if let fs = psc["fsGroup"].intValue, !groups.contains(fs) { groups.append(fs) }
    return ContainerUser(uid: uid, gid: gid, groups: groups)
  }

  /// `runAsNonRoot` violated: the message the kubelet gives, or nil.
  static func nonRootViolation(pod: JSONValue, container: JSONValue, user: ContainerUser) -> String? {
    let nonRoot =
      container["securityContext"]["runAsNonRoot"].boolValue ?? pod["spec"]["securityContext"]["runAsNonRoot"].boolValue
    guard nonRoot == true, user.uid == 0 else { return nil }
    return "container has runAsNonRoot and image will run as root"
  }

  /// The home directory for `HOME` when the container does not set it.
  static func home(uid: Int64) -> String {
    if uid == 0 { return "/root" }
    if let passwd = try? String(contentsOfFile: "/etc/passwd", encoding: .utf8) {
      for line in passwd.split(separator: "\n") {
        let f = line.split(separator: ":", omittingEmptySubsequences: false)
        if f.count > 5, Int64(f[2]) == uid { return String(f[5]) }
      }
    }
    return "/"
  }
}

/// How a container's start handshake ended (see ``ContainerLaunch``).
enum ContainerStart: Sendable, Equatable {
  /// The container's command runs as `mainPid` (nil when it already ended).
  case started(mainPid: pid_t?)
  /// The wrapper ended first; what it wrote to standard error while setting up.
  case failed(String)
}

/// The command lines that start a container in its pod's sandbox and exec into it.
///
/// Start: `nsenter -t <pod init> -m -p -u -- unshare -m --propagation private sh -c <script>`,
/// where the script bind-mounts the container's volumes and termination-message file into
/// the pod root, then `exec chroot <root> setpriv --reuid … env -C <workingDir> -- sh -c
/// <handshake> <command>`. Each container thus has its own mount namespace (its own
/// volumeMounts) on the pod's shared root, pid and UTS namespaces. Exec:
/// `nsenter -t <container pid> -m -p -u -r -- …`.
///
/// The start handshake (like runc's exec fifo): the wrapper gets the write end of a pipe as
/// descriptor ``startFD``, and its standard error goes there too while it sets up. Once the
/// container's root, user and working directory are in place and its command is found on
/// `PATH`, the last shell restores standard error, writes ``startedMarker`` and `exec`s the
/// command with the pipe closed, keeping its pid (the container's main pid). Until the marker
/// arrives the container has not started; end of file without it means setup failed, and the
/// text read is why.
struct ContainerLaunch: Sendable {
  /// The wrapper's descriptor for the start handshake.
  static let startFD: Int32 = 3
  /// Written to ``startFD`` right before the container's command is executed.
  static let startedMarker: UInt8 = 0

  /// The last step of the wrapper, run as the container's user in its root and working
  /// directory: fails as runc does when the command cannot be executed, else restores
  /// standard error (descriptor 4), signals the start and replaces itself with the command.
  static let handshakeScript = #"""
    __gra_e=
    case "$1" in
    */*) if [ ! -e "$1" ]; then __gra_e="stat $1: no such file or directory"; elif [ -d "$1" ] || [ ! -x "$1" ]; then __gra_e="permission denied"; fi ;;
    *) command -v -- "$1" >/dev/null 2>&1 || __gra_e='executable file not found in $PATH' ;;
    esac
    if [ -n "${__gra_e:-}" ]; then printf 'exec: "%s": %s\n' "$1" "$__gra_e" >&2; exit 127; fi
    exec 2>&4 4>&-
    printf '\000' >&3
    exec "$@" 3>&-
    """#

  var rootfs: String
  var mounts: [VolumeMountPlan]
  /// Host file bind-mounted at `terminationMessagePath`.
  var terminationLog: (host: String, path: String)?
  var user: ContainerUser
  var workingDir: String
  var command: [String]
  var environment: [(String, String)]

  /// See ``KubeletConfiguration/startGateForTests``.
  var startGate: String?

  var envp: [String] { environment.map { "\($0.0)=\($0.1)" } }

  /// True while `argv` (a process's `/proc/<pid>/cmdline` fields) is still the wrapper's
  /// last shell rather than the container's command.
  static func isHandshakeShell(_ argv: [String]) -> Bool {
    argv.count >= 3 && argv[1] == "-c" && argv[2] == handshakeScript
  }

  /// The tail that drops privileges and enters the working directory.
  static func userAndDir(_ user: ContainerUser, _ workingDir: String) -> [String] {
    var argv: [String] = []
    if user.uid != 0 || user.gid != 0 || !user.groups.isEmpty {
      argv += [HostTools.find("setpriv") ?? "/usr/bin/setpriv", "--reuid=\(user.uid)", "--regid=\(user.gid)"]
      argv +=
        user.groups.isEmpty ? ["--clear-groups"] : ["--groups=" + user.groups.map(String.init).joined(separator: ",")]
      argv += ["--"]
    }
    argv += [HostTools.find("env") ?? "/usr/bin/env", "-C", workingDir, "--"]
    return argv
  }

  func script() -> String {
    let q = PodSandbox.quote
    var s = "set -e\nexec 4>&2 2>&\(Self.startFD)\n"
    for m in mounts {
      let dst = q(rootfs + m.target)
      s += "__gra_s=\(q(m.source)); __gra_d=\(dst)\n"
      s += "[ -e \"$__gra_s\" ] || mkdir -p \"$__gra_s\"\n"
      s +=
        "if [ -d \"$__gra_s\" ]; then mkdir -p \"$__gra_d\"; else mkdir -p \"$(dirname \"$__gra_d\")\"; [ -e \"$__gra_d\" ] || touch \"$__gra_d\"; fi\n"
      s += "mount --bind \"$__gra_s\" \"$__gra_d\"\n"
      if m.readOnly { s += "mount -o remount,bind,ro \"$__gra_d\"\n" }
    }
    if let t = terminationLog {
      let dst = q(rootfs + VolumeLayout.normalize(t.path))
      s += "mkdir -p \"$(dirname \(dst))\"; [ -e \(dst) ] || touch \(dst); mount --bind \(q(t.host)) \(dst)\n"
    }
    s += "mkdir -p \(q(rootfs + VolumeLayout.normalize(workingDir)))\n"
    s += "unset __gra_s __gra_d\n"
    if let gate = startGate { s += "read __gra_g < \(q(gate)) || true; unset __gra_g\n" }
    s += "exec chroot \(q(rootfs)) \"$@\"\n"
    return s
  }

  /// `nsenter` and its arguments to start the container in the sandbox whose init is `initPid`.
  func startArgv(initPid: pid_t) -> (String, [String]) {
    let tail = Self.userAndDir(user, workingDir) + ["/bin/sh", "-c", Self.handshakeScript, "gra-container"] + command
    return (
      HostTools.find("nsenter")!,
      [
        "-t", String(initPid), "-m", "-p", "-u", "--", HostTools.find("unshare")!, "-m", "--propagation", "private",
        "/bin/sh", "-c", script(), "gra-container",
      ] + tail
    )
  }

  /// `nsenter` and its arguments to run `command` inside the container whose main process is
  /// `pid` (its mounts, root, pid and UTS namespaces, user and working directory).
  static func execArgv(
    pid: pid_t, user: ContainerUser, workingDir: String, command: [String], tty: Bool
  )
    -> (String, [String])
  {
    var argv = ["-t", String(pid), "-m", "-p", "-u", "-r", "--"]
    if tty { argv += [HostTools.find("setsid") ?? "/usr/bin/setsid", "-c"] }
    argv += userAndDir(user, workingDir) + command
    return (HostTools.find("nsenter")!, argv)
  }
}
