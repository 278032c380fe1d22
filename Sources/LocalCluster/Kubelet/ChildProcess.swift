import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How a process ended.
enum ExitStatus: Sendable, Equatable {
  case exited(Int32)
  case signaled(Int32)

  /// The exit code a container runtime reports: the code, or 128 + signal.
  var code: Int32 {
    switch self {
    case .exited(let c): c
    case .signaled(let s): 128 + s
    }
  }

  init(waitStatus st: Int32) {
    if st & 0x7f == 0 {
      self = .exited((st >> 8) & 0xff)
    } else {
      self = .signaled(st & 0x7f)
    }
  }
}

/// A child process started with `posix_spawn` in its own process group (or session) with
/// default signal handling, waited for on a dedicated thread.
///
/// The thread that spawns a child is the one that waits for it and lives exactly as long as
/// the child, so `PR_SET_PDEATHSIG` (set with `setpriv --pdeathsig`, which follows the
/// *thread* that forked) fires only when the kubelet process itself goes away.
final class ChildProcess: @unchecked Sendable {
  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does
  /// not import; nil on an older libc, where children inherit what is not close-on-exec.
  static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
      return nil
    }
    return unsafeBitCast(
      symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
  }()

  struct SpawnError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "cannot run \(path): \(String(cString: strerror(errno)))" }
  }

  let pid: pid_t
  private let lock = NSLock()
  private var status: ExitStatus?
  private var waiters: [CheckedContinuation<ExitStatus, Never>] = []

  private init(pid: pid_t) { self.pid = pid }

  /// Starts `path` with `arguments` (argv[1...]) and `environment`. `fds` maps child
  /// descriptors (0, 1, 2…) to descriptors of this process; everything else is closed
  /// (the kubelet opens all its descriptors close-on-exec).
  static func spawn(
    _ path: String, _ arguments: [String], environment: [String], fds: [Int32: Int32], newSession: Bool = false
  ) throws -> ChildProcess {
    let ready = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<ChildProcess, SpawnError> = .failure(SpawnError(path: path, errno: EINVAL))
    let thread = Thread {
      var fa = posix_spawn_file_actions_t()
      var attr = posix_spawnattr_t()
      posix_spawn_file_actions_init(&fa)
      posix_spawnattr_init(&attr)
      defer {
        posix_spawn_file_actions_destroy(&fa)
        posix_spawnattr_destroy(&attr)
      }
      for (child, parent) in fds.sorted(by: { $0.key < $1.key }) {
        posix_spawn_file_actions_adddup2(&fa, parent, child)
      }
      for std in Int32(0)...2 where fds[std] == nil {
        posix_spawn_file_actions_addopen(&fa, std, "/dev/null", std == 0 ? O_RDONLY : O_WRONLY, 0)
      }
      // Nothing else of this process's: without this a container inherits every descriptor
      // not opened close-on-exec, the API server's listening socket among them, and keeps the
      // port after the server exits (glibc ≥ 2.34).
      if let closeFrom = ChildProcess.addCloseFrom { _ = closeFrom(&fa, max(3, (fds.keys.max() ?? 2) + 1)) }
      var mask = sigset_t()
      sigemptyset(&mask)
      posix_spawnattr_setsigmask(&attr, &mask)
      var defaults = sigset_t()
      sigemptyset(&defaults)
      for s in Int32(1)...31 where s != SIGKILL && s != SIGSTOP { sigaddset(&defaults, s) }
      posix_spawnattr_setsigdefault(&attr, &defaults)
      var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
      if newSession {
        flags |= 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26)
      } else {
        flags |= Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setpgroup(&attr, 0)
      }
      posix_spawnattr_setflags(&attr, Int16(flags))
      let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
      let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
      defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
      }
      var pid: pid_t = 0
      let rc = posix_spawn(&pid, path, &fa, &attr, argv, envp)
      guard rc == 0 else {
        result = .failure(SpawnError(path: path, errno: rc))
        ready.signal()
        return
      }
      let child = ChildProcess(pid: pid)
      result = .success(child)
      ready.signal()
      var st: Int32 = 0
      while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
      child.finish(ExitStatus(waitStatus: st))
    }
    thread.stackSize = 256 * 1024
    thread.start()
    ready.wait()
    return try result.get()
  }

  private func finish(_ s: ExitStatus) {
    lock.lock()
    status = s
    let w = waiters
    waiters = []
    lock.unlock()
    for c in w { c.resume(returning: s) }
  }

  /// The exit status, once it has exited.
  var exitStatus: ExitStatus? {
    lock.lock()
    defer { lock.unlock() }
    return status
  }

  /// Waits for the process to exit.
  func wait() async -> ExitStatus {
    await withCheckedContinuation { c in
      lock.lock()
      if let s = status {
        lock.unlock()
        c.resume(returning: s)
      } else {
        waiters.append(c)
        lock.unlock()
      }
    }
  }

  /// Waits at most `timeout`; nil when it is still running.
  func wait(timeout: Duration) async -> ExitStatus? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let s = exitStatus { return s }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return exitStatus
  }

  /// Sends `signal` to the process only.
  func signal(_ sig: Int32) { if exitStatus == nil { kill(pid, sig) } }
  /// Sends `signal` to its whole process group.
  func signalGroup(_ sig: Int32) { kill(-pid, sig) }

  /// The arguments of process `pid` (`/proc/<pid>/cmdline`); nil once it is gone, empty for a
  /// zombie and for a process in the middle of `execve` (between the old image and the new one's
  /// arguments).
  static func commandLine(of pid: pid_t) -> [String]? {
    let fd = open("/proc/\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    while true {
      let chunk = FD.read(fd)
      if chunk.isEmpty { break }
      bytes += chunk
    }
    guard !bytes.isEmpty else { return [] }
    if bytes.last == 0 { bytes.removeLast() }
    return bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
  }

  /// True once process `pid` has ended (a zombie, or gone).
  static func hasEnded(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let paren = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: paren)...].trimmingCharacters(in: .whitespaces).first
    return state == "Z" || state == "X"
  }

  /// Host pids of the direct children (e.g. the process `nsenter` forked into a pid namespace).
  func children() -> [pid_t] {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
    return s.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }
}

/// `pipe2(2)`, which Glibc's Swift overlay does not export.
@_silgen_name("pipe2") private func sys_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

/// Blocking descriptor helpers for the kubelet's dedicated threads and queues.
enum FD {
  /// A close-on-exec pipe: (read end, write end).
  static func pipe() throws -> (Int32, Int32) {
    var p: [Int32] = [0, 0]
    guard sys_pipe2(&p, O_CLOEXEC) == 0 else { throw ChildProcess.SpawnError(path: "pipe", errno: errno) }
    return (p[0], p[1])
  }

  /// Reads up to `max` bytes; empty at end of file or on error.
  static func read(_ fd: Int32, max: Int = 65536) -> [UInt8] {
    var buf = [UInt8](repeating: 0, count: max)
    while true {
      let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, max) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return [] }
      return Array(buf[0..<n])
    }
  }

  /// Writes everything; false when the reader went away.
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var off = 0
    while off < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      off += n
    }
    return true
  }

  /// Runs `body` on a new thread (for loops that block on a descriptor). SIGPIPE is blocked
  /// on it, so writing to a pipe or socket whose reader went away fails with EPIPE instead of
  /// killing the process (the pending signal goes away with the thread).
  static func thread(_ body: @escaping @Sendable () -> Void) {
    let t = Thread {
      var set = sigset_t()
      sigemptyset(&set)
      sigaddset(&set, SIGPIPE)
      pthread_sigmask(SIG_BLOCK, &set, nil)
      body()
    }
    t.stackSize = 256 * 1024
    t.start()
  }

  /// Runs a blocking `body` on a new thread and awaits its result.
  static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in thread { c.resume(returning: body()) } }
  }
}

/// Finds the system tools the kubelet drives (`unshare`, `nsenter`, `setpriv`…).
enum HostTools {
  static func find(_ name: String) -> String? {
    for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] {
      let p = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }
}
