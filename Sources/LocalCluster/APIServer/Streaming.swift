import CRDModels
import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// pods/log, pods/exec (WebSocket `v5.channel.k8s.io` / `v4.channel.k8s.io`) through the
/// attached ``NodeAgent``. The server authenticates, authorizes (`create` on `pods/exec`),
/// checks the pod and container, and speaks the wire protocol; the agent runs the process.
enum Streaming {
  static let execProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

  struct Target {
    var namespace: String
    var pod: String
    var subresource: String
  }

  static func target(_ path: String) -> Target? {
    let s = path.split(separator: "/").map(String.init)
    // api v1 namespaces NS pods NAME SUB
    guard s.count == 7, s[0] == "api", s[1] == "v1", s[2] == "namespaces", s[4] == "pods" else { return nil }
    return Target(namespace: s[3], pod: s[5], subresource: s[6])
  }

  static func chosenProtocol(_ head: HTTPRequestHead) -> String? {
    let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }.map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    return execProtocols.first { offered.contains($0) }
  }

  /// Picks the container like the API server: the named one, else the only one, else the
  /// `kubectl.kubernetes.io/default-container` annotation.
  static func container(_ pod: JSONValue, requested: String?, name: String) throws -> String {
    let all = ((pod["spec"]["containers"].arrayValue ?? []) + (pod["spec"]["initContainers"].arrayValue ?? []))
      .compactMap { $0["name"].stringValue }
    let main = (pod["spec"]["containers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
    if let c = requested, !c.isEmpty {
      guard all.contains(c) else { throw APIErrors.badRequest("container \(c) is not valid for pod \(name)") }
      return c
    }
    if main.count == 1 { return main[0] }
    if let d = pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].stringValue, all.contains(d) {
      return d
    }
    throw APIErrors.badRequest(
      "a container name must be specified for pod \(name), choose one of: [\(main.joined(separator: " "))]")
  }

  static func podResource(_ h: APIHandler) async throws -> ResourceInfo {
    guard let r = await h.store.lookup(group: "", version: "v1", plural: "pods") else { throw APIErrors.pathNotFound() }
    return r
  }

  static func logs(
    _ h: APIHandler, _ req: HTTPRequest, _ r: ResourceInfo, namespace: String, name: String
  ) async throws
    -> HTTPResponse
  {
    let pod = try await h.store.get(r, namespace: namespace, name: name)
    let c = try container(pod, requested: req.q("container"), name: name)
    guard let agent = h.agents.agent, pod["spec"]["nodeName"].stringValue != nil else {
      throw APIErrors.badRequest("container \"\(c)\" in pod \"\(name)\" is waiting to start: ContainerCreating")
    }
    var opts = LogOptions()
    opts.follow = req.flag("follow")
    opts.previous = req.flag("previous")
    opts.timestamps = req.flag("timestamps")
    opts.tailLines = req.q("tailLines").flatMap { Int($0) }
    opts.sinceSeconds = req.q("sinceSeconds").flatMap { Int($0) }
    opts.limitBytes = req.q("limitBytes").flatMap { Int($0) }
    let chunks = try await agent.logs(namespace: namespace, pod: name, container: c, options: opts)
    let (out, cont) = AsyncStream<[UInt8]>.makeStream()
    let task = Task {
      do {
        for try await chunk in chunks where !chunk.isEmpty { cont.yield(chunk) }
      } catch {}
      cont.finish()
    }
    cont.onTermination = { @Sendable _ in task.cancel() }
    return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .stream(out))
  }

  static func shouldUpgrade(_ h: APIHandler, _ head: HTTPRequestHead) async -> HTTPHeaders? {
    let path = String(head.uri.split(separator: "?", maxSplits: 1)[0])
    guard let t = target(path), t.subresource == "exec" || t.subresource == "attach",
      let proto = chosenProtocol(head), h.agents.agent != nil
    else { return nil }
    do {
      let user = try await h.authenticate(head.headers)
      let attrs = AuthorizationAttributes(
        user: user, verb: "create", namespace: t.namespace, resource: "pods", subresource: t.subresource, name: t.pod)
      guard await h.authorizer.authorize(attrs).allowed else { return nil }
      let r = try await podResource(h)
      let pod = try await h.store.get(r, namespace: t.namespace, name: t.pod)
      let req = HTTPRequest(head: head, body: [])
      let c = try container(pod, requested: req.q("container"), name: t.pod)
      guard pod["spec"]["nodeName"].stringValue != nil,
        await h.agents.agent?.execRefusal(namespace: t.namespace, pod: t.pod, container: c) == nil
      else { return nil }
    } catch {
      return nil
    }
    return HTTPHeaders([("Sec-WebSocket-Protocol", proto)])
  }

  /// Why a streaming request (exec, attach, portforward) that was not upgraded fails, checked
  /// in kube-apiserver's order: the pod (404), the container, the pod's node (400), then the
  /// upgrade itself.
  static func refusal(
    _ h: APIHandler, _ req: HTTPRequest, _ r: ResourceInfo, namespace: String, name: String, subresource: String
  ) async -> Status {
    do {
      let pod = try await h.store.get(r, namespace: namespace, name: name)
      let c = subresource == "portforward" ? nil : try container(pod, requested: req.q("container"), name: name)
      guard pod["spec"]["nodeName"].stringValue?.isEmpty == false else {
        return APIErrors.badRequest("pod \(name) does not have a host assigned")
      }
      // The kubelet's own refusal, passed through as kube-apiserver proxies it (500).
      if let c, req.header("Upgrade") != nil,
        let why = await h.agents.agent?.execRefusal(namespace: namespace, pod: name, container: c)
      {
        return Status(message: why, reason: "InternalError", code: 500)
      }
    } catch let s as Status {
      return s
    } catch {
      return APIErrors.internalError("\(error)")
    }
    guard req.header("Upgrade") != nil else { return APIErrors.badRequest("Upgrade request required") }
    guard h.agents.agent != nil else {
      return APIErrors.internalError("error dialing backend: no kubelet is attached to the local API server")
    }
    if subresource == "portforward" {
      return APIErrors.badRequest("unable to upgrade connection: port-forward is not served by the local API server")
    }
    if req.header("Upgrade")?.lowercased().hasPrefix("spdy/") == true {
      return APIErrors.badRequest(
        "unable to upgrade connection: SPDY is not served by the local API server; exec speaks WebSocket (\(goList(execProtocols)))"
      )
    }
    let offered = req.headers["Sec-WebSocket-Protocol"].joined(separator: ",")
    return APIErrors.badRequest(
      "unable to upgrade connection: unable to negotiate protocol: client supports [\(offered)], server supports \(goList(execProtocols))"
    )
  }

  static func statusJSON(_ outcome: ExecOutcome, command: [String]) -> [UInt8] {
    switch outcome {
    case .exited(let code) where code == 0:
      return Array(#"{"metadata":{},"status":"Success"}"#.utf8)
    case .exited(let code):
      let v: JSONValue = [
        "metadata": .object([:]), "status": "Failure",
        "message": .string(
          "command terminated with non-zero exit code: error executing command \(goList(command)), exit code \(code)"),
        "reason": "NonZeroExitCode",
        "details": ["causes": [["reason": "ExitCode", "message": .string(String(code))]]],
      ]
      return v.serialized()
    case .failed(let message):
      let v: JSONValue = ["metadata": .object([:]), "status": "Failure", "message": .string(message)]
      return v.serialized()
    }
  }

  static func goList(_ a: [String]) -> String { "[" + a.joined(separator: " ") + "]" }

  static func handleWebSocket(
    _ h: APIHandler, _ head: HTTPRequestHead, _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>
  ) async {
    let req = HTTPRequest(head: head, body: [])
    guard let t = target(req.path), let agent = h.agents.agent else {
      try? await channel.channel.close()
      return
    }
    let v5 = chosenProtocol(head) == "v5.channel.k8s.io"
    let command = req.query["command"] ?? []
    let wantStdin = req.flag("stdin")
    let tty = req.flag("tty")
    let containerName: String
    do {
      let pod = try await h.store.get(try await podResource(h), namespace: t.namespace, name: t.pod)
      containerName = try container(pod, requested: req.q("container"), name: t.pod)
    } catch {
      try? await channel.channel.close()
      return
    }
    try? await channel.executeThenClose { inbound, outbound in
      let (stdin, stdinC) = AsyncStream<[UInt8]>.makeStream()
      let (resize, resizeC) = AsyncStream<TerminalSize>.makeStream()
      @Sendable func send(_ ch: UInt8, _ bytes: [UInt8]) async {
        var buf = ByteBuffer()
        buf.writeInteger(ch)
        buf.writeBytes(bytes)
        try? await outbound.write(WebSocketFrame(fin: true, opcode: .binary, data: buf))
      }
      let reader = Task {
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
                if let size = try? KubeJSON.decode(TerminalSize.self, from: payload) { resizeC.yield(size) }
              case 255 where v5:
                if payload.first == 0 { stdinC.finish() }
              default: break
              }
            case .ping:
              try? await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
            case .connectionClose:
              stdinC.finish()
              return
            default: break
            }
          }
        } catch {}
        stdinC.finish()
        resizeC.finish()
      }
      let io = ExecIO(
        stdin: wantStdin ? stdin : nil, resize: tty ? resize : nil,
        stdout: { await send(1, $0) }, stderr: { await send(2, $0) })
      let outcome: ExecOutcome
      do {
        outcome = try await agent.exec(
          namespace: t.namespace, pod: t.pod, container: containerName, command: command, tty: tty, io: io)
      } catch let s as Status {
        outcome = .failed(message: s.message ?? "exec failed")
      } catch {
        outcome = .failed(message: "\(error)")
      }
      await send(3, statusJSON(outcome, command: command))
      var close = ByteBuffer()
      close.write(webSocketErrorCode: .normalClosure)
      try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, data: close))
      reader.cancel()
      stdinC.finish()
      resizeC.finish()
    }
  }
}
