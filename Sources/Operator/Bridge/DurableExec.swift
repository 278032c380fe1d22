import CRDModels
import Foundation

/// A command started with `POST …/runners/NAME/execs`: it runs on its own, whoever is
/// listening, and keeps its latest output in a bounded ``ReplayBuffer`` so a client whose
/// connection dropped can reattach with `GET …/execs/ID?follow=true&offset=N`.
///
/// Output never waits for readers (the buffer drops the oldest bytes instead, and a reattach
/// sees the gap in the first frame's `offset`), so a durable exec is not slowed by a slow
/// reader; memory stays bounded by the buffer's capacity.
actor DurableExec {
  let id: String
  let namespace: String
  let runner: String
  let owner: BridgeUser
  let request: ExecRequest
  let created = Date()
  private var buffer: ReplayBuffer
  private(set) var end: ExecEnd?
  private(set) var finishedAt: Date?
  private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
  private var signalSink: AsyncStream<String>.Continuation?

  init(id: String, namespace: String, runner: String, owner: BridgeUser, request: ExecRequest, capacity: Int) {
    self.id = id
    self.namespace = namespace
    self.runner = runner
    self.owner = owner
    self.request = request
    self.buffer = ReplayBuffer(capacity: capacity)
  }

  func attachSignals(_ c: AsyncStream<String>.Continuation) { signalSink = c }

  func append(_ stream: ExecFrame.OutputStream, _ bytes: [UInt8]) {
    buffer.append(stream, bytes)
    wake()
  }

  func finish(_ e: ExecEnd) {
    end = e
    finishedAt = Date()
    signalSink?.finish()
    wake()
  }

  /// Asks the running command to take `signal` (false once it has ended).
  func signal(_ name: String) -> Bool {
    guard end == nil, let s = signalSink else { return false }
    s.yield(name)
    return true
  }

  /// The held output from `offset`, the next offset to ask for, and the end when there is one.
  func read(from offset: Int) -> (frames: [ExecFrame], next: Int, end: ExecEnd?) {
    (buffer.frames(from: offset), max(offset, buffer.written), end)
  }

  /// Returns once output past `written` exists, the command ended, or the caller is cancelled.
  func waitForChange(after written: Int, token: UUID) async {
    if buffer.written > written || end != nil || Task.isCancelled { return }
    await withCheckedContinuation { waiters[token] = $0 }
  }

  func stopWaiting(_ token: UUID) { waiters.removeValue(forKey: token)?.resume() }

  private func wake() {
    let w = waiters
    waiters = [:]
    for c in w.values { c.resume() }
  }

  /// The exec as JSON (`kind: Exec`), for the answers to POST, DELETE and a plain GET.
  func object() -> JSONValue {
    var status: JSONValue = ["phase": end == nil ? "Running" : "Finished", "outputBytes": .int(Int64(buffer.written))]
    status["startTime"] = .string(Time(created).description)
    if let finishedAt { status["completionTime"] = .string(Time(finishedAt).description) }
    if let end {
      let frame = (try? KubeJSON.decode(JSONValue.self, from: Data(ExecFrame.exit(end).line().utf8))) ?? .null
      var outcome = frame
      outcome["type"] = nil
      status["outcome"] = outcome
    }
    var o: JSONValue = ["apiVersion": "exec.gra.dev/v1alpha1", "kind": "Exec"]
    o["metadata"] = [
      "name": .string(id), "namespace": .string(namespace), "creationTimestamp": .string(Time(created).description),
    ]
    o["spec"] = [
      "runner": .string(runner), "command": .array(request.command.map { .string($0) }), "user": .string(owner.name),
    ]
    o["status"] = status
    return o
  }
}

/// The durable execs this bridge runs, and the finished ones kept for late readers.
actor DurableExecStore {
  private var execs: [String: DurableExec] = [:]
  private var order: [String] = []
  let maxFinished: Int
  let retain: Duration

  init(maxFinished: Int = 256, retain: Duration) {
    self.maxFinished = maxFinished
    self.retain = retain
  }

  func add(_ e: DurableExec) {
    execs[e.id] = e
    order.append(e.id)
  }

  func get(_ id: String) -> DurableExec? { execs[id] }

  /// Drops finished execs older than the retention, and the oldest finished ones past `maxFinished`.
  func prune() async {
    let now = Date()
    var finished: [String] = []
    for id in order {
      guard let e = execs[id], let at = await e.finishedAt else { continue }
      if now.timeIntervalSince(at) > Double(retain.components.seconds) {
        execs[id] = nil
      } else {
        finished.append(id)
      }
    }
    for id in finished.dropLast(maxFinished) { execs[id] = nil }
    order.removeAll { execs[$0] == nil }
  }

  func all() -> [DurableExec] { order.compactMap { execs[$0] } }

  func remove(_ id: String) {
    execs[id] = nil
    order.removeAll { $0 == id }
  }
}
