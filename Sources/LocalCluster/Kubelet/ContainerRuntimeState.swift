import CRDModels
import Foundation

/// How one container instance ended.
struct ContainerTermination: Sendable, Equatable {
  var exitCode: Int32
  /// The signal that killed it, if any (exitCode is then 128 + signal).
  var signal: Int32?
  /// `Completed` (exit 0), `Error`, or `DeadlineExceeded`/`ContainerCannotRun`…
  var reason: String
  var message: String?
  var startedAt: Date
  var finishedAt: Date
  var containerID: String

  var json: JSONValue {
    var t: JSONValue = [
      "exitCode": .int(Int64(exitCode)), "reason": .string(reason),
      "startedAt": .string(Time(startedAt).description), "finishedAt": .string(Time(finishedAt).description),
      "containerID": .string(containerID),
    ]
    if let message, !message.isEmpty { t["message"] = .string(message) }
    return t
  }
}

/// The kubelet's view of one container: what `containerStatuses[]` is computed from.
struct ContainerRuntimeState: Sendable, Equatable {
  enum State: Sendable, Equatable {
    case waiting(reason: String, message: String?)
    case running(startedAt: Date)
    case terminated(ContainerTermination)
  }
  var name: String
  var image: String
  var imageID: String = ""
  var containerID: String?
  var state: State
  var lastTermination: ContainerTermination?
  var restartCount: Int = 0
  /// Readiness: true while running and the readiness probe (if any) passes.
  var ready = false
  /// Startup: true once running and the startup probe (if any) passed.
  var started = false

  init(name: String, image: String, state: State) {
    self.name = name
    self.image = image
    self.state = state
  }

  var isRunning: Bool { if case .running = state { true } else { false } }
  var termination: ContainerTermination? { if case .terminated(let t) = state { t } else { nil } }

  /// The `containerStatuses[]` entry.
  var json: JSONValue {
    var s: JSONValue = [
      "name": .string(name), "image": .string(image), "imageID": .string(imageID),
      "ready": .bool(ready), "restartCount": .int(Int64(restartCount)),
    ]
    if let containerID { s["containerID"] = .string(containerID) }
    switch state {
    case .waiting(let reason, let message):
      var w: JSONValue = ["reason": .string(reason)]
      if let message { w["message"] = .string(message) }
      s["state"] = ["waiting": w]
      s["started"] = false
    case .running(let at):
      s["state"] = ["running": ["startedAt": .string(Time(at).description)]]
      s["started"] = .bool(started)
    case .terminated(let t):
      s["state"] = ["terminated": t.json]
      s["started"] = false
    }
    s["lastState"] = lastTermination.map { ["terminated": $0.json] } ?? .object([:])
    return s
  }
}

/// Everything the pod's status is computed from, besides the pod itself.
struct PodRuntimeSnapshot: Sendable, Equatable {
  var initContainers: [ContainerRuntimeState] = []
  var containers: [ContainerRuntimeState] = []
  /// The pod's sandbox (mount/pid namespaces) exists.
  var sandboxReady = false
  /// When the kubelet first saw the pod (`status.startTime`).
  var startTime: Date?
  /// A pod-level failure such as `DeadlineExceeded`, which makes the phase Failed.
  var failure: (reason: String, message: String)?
  /// A pod-level message while Pending (e.g. why the sandbox cannot be created).
  var pendingMessage: (reason: String, message: String)?

  static func == (a: PodRuntimeSnapshot, b: PodRuntimeSnapshot) -> Bool {
    a.initContainers == b.initContainers && a.containers == b.containers && a.sandboxReady == b.sandboxReady
      && a.startTime == b.startTime && a.failure?.reason == b.failure?.reason
      && a.failure?.message == b.failure?.message && a.pendingMessage?.reason == b.pendingMessage?.reason
      && a.pendingMessage?.message == b.pendingMessage?.message
  }
}
