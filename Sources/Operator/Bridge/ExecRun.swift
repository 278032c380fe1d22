import CRDModels
import Foundation
import KubeClient
import Logging
import Synchronization

/// One command in a runner's pod over `pods/exec`, with the bridge's rules around it: a
/// timeout, an output cap, a consumer that sets the pace (backpressure), and a way to stop the
/// remote process for real.
///
/// Closing a `pods/exec` stream does not end a process that is not on a terminal (Kubernetes
/// leaves it running until it writes to the closed pipe), so the command is started through
/// `sh -c 'echo $$ > PIDFILE; exec "$@"'` and stopped by a second exec that signals that
/// process (its process group first), escalating to SIGKILL after ``ExecRun/killGrace``.
/// The runner image has `sh`; a program that cannot be found exits 127, as in a shell.
struct ExecRun: Sendable {
  /// A consumer that is gone (the client disconnected).
  struct ConsumerGone: Error {}
  private struct OutputLimitReached: Error {}

  let client: KubernetesClient
  let namespace: String
  let pod: String
  let id: String
  let request: ExecRequest
  let timeoutSeconds: Int
  let outputLimit: Int
  let tty: Bool
  let logger: Logger
  static let killGrace = 5

  var pidFile: String { "/tmp/.gra-exec-\(id).pid" }

  /// The command as sent to `pods/exec`: pid recorded, then `env -C DIR K=V… CMD` when a working
  /// directory or environment is asked for (`pods/exec` has neither).
  var wrappedCommand: [String] {
    var c = request.command
    if request.workingDir != nil || !(request.env ?? [:]).isEmpty {
      var e = ["env"]
      if let dir = request.workingDir { e += ["-C", dir] }
      e += (request.env ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      c = e + c
    }
    return ["sh", "-c", "(echo $$ > \(pidFile)) 2>/dev/null; exec \"$@\"", "gra-exec"] + c
  }

  /// Runs to the end. `sink` receives output in order and is awaited (so it sets the pace);
  /// it throws ``ConsumerGone`` when the reader went away, which stops the command.
  /// `signals` delivers signal names (`TERM`, `KILL`, …) to send while it runs.
  func run(
    stdin: AsyncStream<[UInt8]>?, resize: AsyncStream<TerminalSize>? = nil,
    signals: AsyncStream<String>? = nil,
    sink: @escaping @Sendable (ExecFrame.OutputStream, ArraySlice<UInt8>) async throws -> Void
  ) async -> ExecEnd {
    let counter = Locked(0)
    let limit = outputLimit
    let sent = Locked<String?>(nil)
    let emit: @Sendable (ExecFrame.OutputStream, ArraySlice<UInt8>) async throws -> Void = { stream, bytes in
      let total = counter.withLock { t -> Int in
        t += bytes.count
        return t
      }
      if total > limit { throw OutputLimitReached() }
      try await sink(stream, bytes)
    }
    enum Step: Sendable {
      case ended(ExecEnd)
      case stop(ExecEnd)
      case consumerGone
    }
    let this = self
    let step: Step = await withTaskGroup(of: Step?.self) { group in
      group.addTask {
        do {
          let code = try await this.client.exec(
            namespace: this.namespace, pod: this.pod,
            ExecOptions(
              command: this.wrappedCommand, container: RunnerNames.containerName, stdin: stdin != nil, tty: this.tty),
            stdin: stdin, resize: resize,
            stdout: { try await emit(.stdout, $0) }, stderr: { try await emit(.stderr, $0) })
          // A cancelled caller ends the exec stream early; that is not the command's end.
          if Task.isCancelled { return nil }
          if let name = sent.withLock({ $0 }), let signo = Self.signalNumbers[name], code == 128 + signo {
            return .ended(.signaled("SIG\(name)"))
          }
          return .ended(.exited(code))
        } catch is OutputLimitReached {
          return .stop(.outputLimitReached(bytes: limit))
        } catch is ConsumerGone {
          return .consumerGone
        } catch is CancellationError {
          return nil
        } catch let e as ExecStatusMissing {
          if Task.isCancelled { return nil }
          return .ended(.lost(e.description))
        } catch {
          if counter.withLock({ $0 }) > limit { return .stop(.outputLimitReached(bytes: limit)) }
          if Task.isCancelled { return nil }
          return .ended(.lost("the exec into pod \(this.pod) failed: \(error)"))
        }
      }
      group.addTask {
        try? await Task.sleep(for: .seconds(this.timeoutSeconds))
        return Task.isCancelled ? nil : .stop(.timedOut(seconds: this.timeoutSeconds))
      }
      if let signals {
        group.addTask {
          for await name in signals {
            sent.withLock { $0 = name }
            await this.kill(signal: name, escalate: false)
          }
          return nil
        }
      }
      var first: Step?
      while first == nil, let next = await group.next() {
        if let next { first = next } else if Task.isCancelled { break }
      }
      group.cancelAll()
      return first ?? .consumerGone
    }
    switch step {
    case .ended(let end):
      return end
    case .stop(let end):
      await kill(signal: "TERM", escalate: true)
      return end
    case .consumerGone:
      // Nobody reads the answer; stop the remote process on a task of its own so a
      // cancelled caller does not cancel the kill too.
      let this = self
      await Task.detached { await this.kill(signal: "TERM", escalate: true) }.value
      return .lost("the client went away before the command finished; the command was stopped")
    }
  }

  static let signalNumbers: [String: Int32] = [
    "HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15,
  ]

  /// Signals the command's process group (or the process), with a second exec. With
  /// `escalate`, sends SIGKILL if it is still there after ``killGrace`` seconds.
  func kill(signal: String, escalate: Bool) async {
    guard Self.signalNumbers[signal] != nil else { return }
    var script =
      "p=$(cat \(pidFile) 2>/dev/null) || exit 0; kill -\(signal) -- -$p 2>/dev/null || kill -\(signal) $p 2>/dev/null"
    if escalate {
      script +=
        "; i=0; while kill -0 $p 2>/dev/null && [ $i -lt \(Self.killGrace * 10) ]; do sleep 0.1; i=$((i+1)); done"
      script += "; kill -KILL -- -$p 2>/dev/null || kill -KILL $p 2>/dev/null; rm -f \(pidFile)"
    }
    do {
      _ = try await client.execCollect(
        namespace: namespace, pod: pod,
        ExecOptions(command: ["sh", "-c", script], container: RunnerNames.containerName))
    } catch {
      logger.warning(
        "could not stop an exec's process",
        metadata: ["pod": "\(namespace)/\(pod)", "exec": "\(id)", "error": "\(error)"])
    }
  }
}

/// A value shared between tasks, behind a lock.
final class Locked<Value: Sendable>: Sendable {
  private let m: Mutex<Value>
  init(_ v: Value) { m = Mutex(v) }
  func withLock<R>(_ body: (inout Value) -> R) -> R { m.withLock { body(&$0) } }
}
