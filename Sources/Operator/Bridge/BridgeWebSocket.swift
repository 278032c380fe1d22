import CRDModels
import Foundation
import KubeClient
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// `GET …/runners/NAME/exec?command=…&stdin=true&tty=true` upgraded to WebSocket speaks the
/// Kubernetes channel protocol, like `pods/exec`: `v5.channel.k8s.io` (or `v4`), binary
/// messages of one channel byte and a payload — 0 stdin, 1 stdout, 2 stderr, 3 the final
/// `Status`, 4 resize `{"Width":W,"Height":H}`, 255 close (`[255, 0]` ends stdin, v5 only).
///
/// The final Status follows kubelet's: `Success` for exit 0, `NonZeroExitCode` with an
/// `ExitCode` cause otherwise (128+n for a signal), and a `Failure` whose reason is
/// `TimedOut`, `OutputLimitReached`, `Lost`, `RunnerNotReady` or `RunnerSuspended` when there
/// is no exit code to give. A client that closes the socket ends the command.
extension ExecBridge: BridgeWebSocketHandling {
  static let webSocketProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

  static func chosenProtocol(_ headers: HTTPHeaders) -> String? {
    let offered = headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }.map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    return webSocketProtocols.first { offered.contains($0) }
  }

  public func webSocketProtocol(for request: BridgeRequest) async -> String? {
    let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
    guard request.method == .GET, let t = Self.target(path), t.kind == .exec(id: nil),
      let proto = Self.chosenProtocol(request.headers),
      let user = try? await authenticate(request),
      let (allowed, _) = try? await authorizer.mayExec(user, namespace: t.namespace, name: t.runner), allowed
    else { return nil }
    return proto
  }

  public func serveWebSocket(
    _ req: BridgeRequest, subprotocol: String, _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
  ) async {
    let path = req.path.split(separator: "?").first.map(String.init) ?? req.path
    let query = Self.multiQuery(req.path)
    guard let t = Self.target(path), let user = try? await authenticate(req) else {
      try? await channel.channel.close()
      return
    }
    let v5 = Self.chosenProtocol(req.headers) == "v5.channel.k8s.io"
    let tty = query["tty"]?.last == "true"
    let wantStdin = query["stdin"]?.last == "true"
    let request = ExecRequest(
      command: query["command"] ?? [], timeoutSeconds: query["timeoutSeconds"]?.last.flatMap(Int.init))
    try? await channel.executeThenClose { inbound, outbound in
      @Sendable func send(_ ch: UInt8, _ bytes: ArraySlice<UInt8>) async throws {
        var buf = ByteBuffer()
        buf.writeInteger(ch)
        buf.writeBytes(bytes)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, data: buf))
      }
      func finish(_ status: JSONValue) async {
        try? await send(3, status.serialized()[...])
        var close = ByteBuffer()
        close.write(webSocketErrorCode: .normalClosure)
        try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: close))
      }
      let causes = request.validate(maxTimeoutSeconds: limits.maxTimeoutSeconds)
      guard causes.isEmpty else {
        return await finish(
          Self.failure("Invalid", causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: ", ")))
      }
      guard let runner = try? await client.api(Runner.self, namespace: t.namespace).getIfExists(t.runner) else {
        return await finish(Self.failure("NotFound", "runners.gra.dev \"\(t.runner)\" not found"))
      }
      let started = Date()
      let plan: Plan
      switch self.plan(runner, request) {
      case .failure(let end):
        await finish(Self.statusJSON(end))
        return await Task {
          await self.record(end, request: request, user: user, runner: runner, since: started, bytes: 0)
        }.value
      case .success(let p): plan = p
      }
      let key = "\(t.namespace)/\(t.runner)"
      guard acquire(key, max: plan.maxConcurrent) else {
        return await finish(
          Self.failure(
            "TooManyRequests",
            "runner \(t.runner) already runs \(plan.maxConcurrent) execs (its spec.exec.maxConcurrent)"))
      }
      defer { release(key) }
      metrics?.active.add(1)
      defer { metrics?.active.add(-1) }

      let (stdin, stdinC) = AsyncStream<[UInt8]>.makeStream()
      let (resize, resizeC) = AsyncStream<TerminalSize>.makeStream()
      let run = ExecRun(
        client: client, namespace: t.namespace, pod: plan.pod, id: Self.newID(), request: request,
        timeoutSeconds: plan.timeoutSeconds, outputLimit: plan.outputLimit, tty: tty, logger: logger)
      let bytes = Locked(0)
      let metrics = self.metrics
      let end: ExecEnd = await withTaskGroup(of: ExecEnd?.self) { group in
        group.addTask {
          await run.run(stdin: wantStdin ? stdin : nil, resize: tty ? resize : nil) { stream, chunk in
            bytes.withLock { $0 += chunk.count }
            metrics?.bytes.inc(Double(chunk.count), labels: ["stream": stream.rawValue])
            do {
              try await send(stream == .stdout ? 1 : 2, chunk)
            } catch {
              throw ExecRun.ConsumerGone()
            }
          }
        }
        group.addTask {
          // Reads the client; its going away (or a v4 client closing) ends the command.
          do {
            for try await frame in inbound {
              switch frame.opcode {
              case .binary, .text:
                var data = frame.unmaskedData
                guard let ch: UInt8 = data.readInteger() else { continue }
                let payload = data.readBytes(length: data.readableBytes) ?? []
                switch ch {
                case 0: stdinC.yield(payload)
                case 4:
                  if let size = try? KubeJSON.decode(TerminalSize.self, from: payload) {
                    resizeC.yield(size)
                  }
                case 255 where v5: if payload.first == 0 { stdinC.finish() }
                default: break
                }
              case .ping:
                try? await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
              case .connectionClose:
                stdinC.finish()
                resizeC.finish()
                return nil
              default: break
              }
            }
          } catch {}
          stdinC.finish()
          resizeC.finish()
          return nil
        }
        var result: ExecEnd?
        while let next = await group.next() {
          if let next {
            result = next
            break
          }
          // The client is gone: stop the command (ExecRun stops the remote process).
          group.cancelAll()
        }
        group.cancelAll()
        return result ?? .lost("the client went away before the command finished; the command was stopped")
      }
      stdinC.finish()
      resizeC.finish()
      await finish(Self.statusJSON(end))
      let total = bytes.withLock { $0 }
      await Task { await self.record(end, request: request, user: user, runner: runner, since: started, bytes: total) }
        .value
    }
  }

  static func failure(_ reason: String, _ message: String) -> JSONValue {
    ["metadata": .object([:]), "status": "Failure", "reason": .string(reason), "message": .string(message)]
  }

  /// The channel-3 Status for an ending, as kubelet writes it.
  static func statusJSON(_ end: ExecEnd) -> JSONValue {
    func nonZero(_ code: Int32, _ message: String) -> JSONValue {
      var v = failure("NonZeroExitCode", message)
      v["details"] = ["causes": [["reason": "ExitCode", "message": .string(String(code))]]]
      return v
    }
    switch end {
    case .exited(0): return ["metadata": .object([:]), "status": "Success"]
    case .exited(let code): return nonZero(code, "command terminated with non-zero exit code: exit code \(code)")
    case .signaled(let name):
      let n = ExecRun.signalNumbers[String(name.dropFirst(3))] ?? 9
      return nonZero(128 + n, "command terminated by signal \(name)")
    case .timedOut(let s):
      return failure("TimedOut", "the command ran longer than its timeout of \(s)s and was stopped")
    case .outputLimitReached(let b):
      return failure("OutputLimitReached", "the command wrote more than \(b) bytes and was stopped")
    case .lost(let m): return failure("Lost", m)
    case .notRun(let reason, let message): return failure(reason, message)
    }
  }

  /// Query parameters with repeats kept in order (`command=python3&command=-V`).
  static func multiQuery(_ uri: String) -> [String: [String]] {
    guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
    var out: [String: [String]] = [:]
    for pair in q.split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      out[kv[0], default: []].append(kv.count > 1 ? kv[1] : "")
    }
    return out
  }
}
