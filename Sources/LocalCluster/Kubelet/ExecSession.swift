import Foundation

#if canImport(Glibc)
  import Glibc
#endif

@_silgen_name("posix_openpt") private func sys_posix_openpt(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func sys_grantpt(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func sys_unlockpt(_ fd: Int32) -> Int32
@_silgen_name("ptsname") private func sys_ptsname(_ fd: Int32) -> UnsafeMutablePointer<CChar>?

/// Runs one exec process and streams its I/O through ``ExecIO``: pipes for stdin, stdout
/// and stderr, or a pseudo-terminal (stdout and stderr merged, resize via `TIOCSWINSZ`).
/// Output is read on dedicated threads and handed to the writers one chunk at a time, so a
/// slow client slows the process down (backpressure) instead of filling memory.
enum ExecSession {
  static func run(
    path: String, argv: [String], environment: [String], tty: Bool, io: ExecIO
  ) async throws
    -> ExecOutcome
  {
    var fds: [Int32: Int32] = [:]
    var closeAfterSpawn: [Int32] = []
    var readers: [(Int32, @Sendable ([UInt8]) async -> Void)] = []
    var stdinFD: Int32?
    var master: Int32 = -1
    if tty {
      master = sys_posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
      guard master >= 0, sys_grantpt(master) == 0, sys_unlockpt(master) == 0, let name = sys_ptsname(master) else {
        if master >= 0 { close(master) }
        return .failed(message: "cannot allocate a pseudo-terminal")
      }
      let slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
      guard slave >= 0 else {
        close(master)
        return .failed(message: "cannot open the pseudo-terminal")
      }
      fds = [0: slave, 1: slave, 2: slave]
      closeAfterSpawn = [slave]
      readers = [(master, io.stdout)]
      if io.stdin != nil { stdinFD = master }
    } else {
      let (outR, outW) = try FD.pipe()
      let (errR, errW) = try FD.pipe()
      fds = [1: outW, 2: errW]
      closeAfterSpawn = [outW, errW]
      readers = [(outR, io.stdout), (errR, io.stderr)]
      if io.stdin != nil {
        let (inR, inW) = try FD.pipe()
        fds[0] = inR
        closeAfterSpawn.append(inR)
        stdinFD = inW
      }
    }
    let process: ChildProcess
    do {
      var env = environment
      if tty, !env.contains(where: { $0.hasPrefix("TERM=") }) { env.append("TERM=xterm") }
      process = try ChildProcess.spawn(path, argv, environment: env, fds: fds, newSession: tty)
    } catch {
      for fd in closeAfterSpawn { close(fd) }
      for (fd, _) in readers where fd != master { close(fd) }
      if let s = stdinFD, s != master { close(s) }
      if master >= 0 { close(master) }
      return .failed(message: "\(error)")
    }
    for fd in closeAfterSpawn { close(fd) }
    let ptm = master
    let outputs = readers

    let stdinTask: Task<Void, Never>? = stdinFD.map { fd in
      Task {
        if let stdin = io.stdin {
          for await chunk in stdin {
            let ok = await FD.blocking { FD.writeAll(fd, chunk) }
            if !ok { break }
          }
        }
        if fd != ptm {
          close(fd)
        } else {
          // End of input on a terminal: send EOF (Ctrl-D) as a terminal would.
          _ = await FD.blocking { FD.writeAll(fd, [4]) }
        }
      }
    }
    let resizeTask: Task<Void, Never>? =
      tty
      ? Task {
        guard let resize = io.resize else { return }
        for await size in resize {
          var ws = winsize(ws_row: size.height, ws_col: size.width, ws_xpixel: 0, ws_ypixel: 0)
          _ = ioctl(ptm, UInt(TIOCSWINSZ), &ws)
        }
      } : nil
    let pumps = outputs.map { fd, write in
      Task {
        while true {
          let chunk = await FD.blocking { FD.read(fd) }
          if chunk.isEmpty { break }
          await write(chunk)
        }
      }
    }
    let status = await withTaskCancellationHandler {
      await process.wait()
    } onCancel: {
      process.signalGroup(SIGKILL)
      process.signal(SIGKILL)
    }
    let drained = Task { for p in pumps { await p.value } }
    if tty {
      // The terminal reads EIO once no process holds it; background processes may keep it.
      _ = await drained.value(within: .seconds(1))
      process.signalGroup(SIGHUP)
      _ = await drained.value(within: .milliseconds(200))
      close(ptm)
    } else {
      await drained.value
      for (fd, _) in outputs { close(fd) }
    }
    stdinTask?.cancel()
    resizeTask?.cancel()
    return .exited(code: status.code)
  }
}

extension Task where Success == Void, Failure == Never {
  /// Waits for the task at most `timeout`; false when it has not finished by then.
  func value(within timeout: Duration) async -> Bool {
    let done = OutputCollector()
    let waiter = Task<Void, Never> {
      await self.value
      done.append([1])
    }
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
      if !done.isEmpty { return true }
      try? await Task<Never, Never>.sleep(for: .milliseconds(10))
    }
    waiter.cancel()
    return !done.isEmpty
  }
}
