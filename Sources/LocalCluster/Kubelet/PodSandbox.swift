import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A pod's sandbox, the local stand-in for the pause container: a process that holds the
/// pod's own mount, pid and UTS namespaces.
///
/// It is started as `setpriv --pdeathsig KILL unshare --mount --pid --uts --fork
/// --kill-child=KILL …`, and becomes pid 1 of the pod after mounting the pod's root: an
/// overlay of the host's `/` whose writes go to a per-pod tmpfs (like a container's writable
/// layer), with its own `/proc`, a minimal `/dev` and the image's extra files (the gra runner's
/// entrypoint, a `python` link). When it dies every process of the pod dies with it (the
/// kernel kills a pid namespace with its init), and it dies with the kubelet (parent-death signal).
final class PodSandbox: Sendable {
  struct Failure: Error, CustomStringConvertible { var description: String }

  let layout: PodLayout
  let process: ChildProcess
  /// Host pid of the pod's init (pid 1 inside the pod).
  let initPid: pid_t

  private init(layout: PodLayout, process: ChildProcess, initPid: pid_t) {
    self.layout = layout
    self.process = process
    self.initPid = initPid
  }

  /// Why pods cannot get a sandbox on this machine, or nil when they can.
  static func unsupportedReason() -> String? {
    guard geteuid() == 0 else {
      return
        "the local kubelet needs root to give each pod its own mount namespace (so that absolute mountPaths such as /workspace are real); run it as root"
    }
    for tool in ["unshare", "nsenter", "setpriv", "mount", "chroot", "env", "setsid"] where HostTools.find(tool) == nil
    {
      return "the local kubelet needs \(tool) (util-linux/coreutils) on this machine"
    }
    return nil
  }

  static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// The init script: mounts the pod's root, then stays as pid 1 inside it.
  static func initScript(layout: PodLayout, hostname: String, images: [LocalImage], runnerScripts: URL?) -> String {
    let r = quote(layout.rootfs.path)
    let l = quote(layout.layer.path)
    var s = """
      set -e
      mount -t tmpfs -o mode=0755 gra-layer \(l)
      mkdir \(l)/upper \(l)/work
      mount -t overlay gra-rootfs -o lowerdir=/,upperdir=\(l)/upper,workdir=\(l)/work \(r)
      mount -t proc proc \(r)/proc
      mount --rbind /sys \(r)/sys
      mount -t tmpfs -o mode=0755,nosuid gra-dev \(r)/dev
      for d in null zero full random urandom tty; do touch \(r)/dev/$d; mount --bind /dev/$d \(r)/dev/$d; done
      mkdir \(r)/dev/pts \(r)/dev/shm \(r)/dev/mqueue
      mount --rbind /dev/pts \(r)/dev/pts
      ln -s pts/ptmx \(r)/dev/ptmx
      mount -t tmpfs -o mode=1777,nosuid,nodev gra-shm \(r)/dev/shm
      ln -s /proc/self/fd \(r)/dev/fd
      ln -s /proc/self/fd/0 \(r)/dev/stdin
      ln -s /proc/self/fd/1 \(r)/dev/stdout
      ln -s /proc/self/fd/2 \(r)/dev/stderr
      touch \(r)/dev/termination-log
      hostname \(quote(hostname))
      echo \(quote(hostname)) > \(r)/etc/hostname || true

      """
    let kinds = Set(images.map(\.kind))
    if kinds.contains(.python) || kinds.contains(.graRunner) {
      s += "mkdir -p \(r)/usr/local/bin\n"
      s += "[ -e \(r)/usr/local/bin/python ] || ln -s \(quote(LocalImage.hostPython)) \(r)/usr/local/bin/python\n"
      s += "[ -e \(r)/usr/local/bin/python3 ] || ln -s \(quote(LocalImage.hostPython)) \(r)/usr/local/bin/python3\n"
    }
    if kinds.contains(.graRunner) {
      s += "mkdir -p \(r)/workspace \(r)/home/runner/.ssh \(r)/etc/gra/ssh\n"
      s += "chown 1000:1000 \(r)/workspace \(r)/home/runner \(r)/home/runner/.ssh && chmod 0700 \(r)/home/runner/.ssh\n"
      if let dir = runnerScripts {
        let files = [
          ("gra-runner", "/usr/local/bin", "0755"), ("healthcheck", "/usr/local/bin", "0755"),
          ("gra-run", "/usr/local/bin", "0755"), ("gra-sessions", "/usr/local/bin", "0755"),
          ("sshd_config", "/etc/gra", "0644"),
        ]
        for (f, dest, mode) in files where FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path) {
          s += "cp \(quote(dir.appendingPathComponent(f).path)) \(r)\(dest)/\(f) && chmod \(mode) \(r)\(dest)/\(f)\n"
        }
      }
    }
    s += "echo ready\n"
    s += "exec chroot \(r) sleep infinity\n"
    return s
  }

  /// Creates the sandbox; throws with the script's error output when it cannot.
  static func create(
    layout: PodLayout, hostname: String, images: [LocalImage], runnerScripts: URL?
  ) async throws
    -> PodSandbox
  {
    if let reason = unsupportedReason() { throw Failure(description: reason) }
    let fm = FileManager.default
    try fm.createDirectory(at: layout.rootfs, withIntermediateDirectories: true)
    try fm.createDirectory(at: layout.layer, withIntermediateDirectories: true)
    let script = initScript(layout: layout, hostname: hostname, images: images, runnerScripts: runnerScripts)
    let (outR, outW) = try FD.pipe()
    let proc = try ChildProcess.spawn(
      HostTools.find("setpriv")!,
      [
        "--pdeathsig", "KILL", "--", HostTools.find("unshare")!, "--mount", "--pid", "--uts", "--fork",
        "--kill-child=SIGKILL", "--propagation", "private", "/bin/sh", "-c", script,
      ],
      environment: ["PATH=\(LocalImage.defaultPath)"], fds: [1: outW, 2: outW])
    close(outW)
    let output = await FD.blocking { () -> String in
      var all: [UInt8] = []
      while true {
        let chunk = FD.read(outR)
        if chunk.isEmpty { break }
        all += chunk
        if all.suffix(6) == Array("ready\n".utf8) { break }
      }
      close(outR)
      return String(decoding: all, as: UTF8.self)
    }
    guard output.hasSuffix("ready\n") else {
      proc.signal(SIGKILL)
      _ = await proc.wait()
      throw Failure(
        description: "cannot create the pod sandbox: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    var initPid: pid_t?
    for _ in 0..<100 {
      if let p = proc.children().first {
        initPid = p
        break
      }
      try await Task.sleep(for: .milliseconds(10))
    }
    guard let initPid else {
      proc.signal(SIGKILL)
      throw Failure(description: "cannot create the pod sandbox: its init process is missing")
    }
    return PodSandbox(layout: layout, process: proc, initPid: initPid)
  }

  /// Kills every process of the pod and waits for the sandbox to go.
  func destroy() async {
    kill(initPid, SIGKILL)
    process.signal(SIGKILL)
    _ = await process.wait()
  }

  var isAlive: Bool { process.exitStatus == nil }
}
