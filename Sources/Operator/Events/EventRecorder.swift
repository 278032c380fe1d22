import CRDModels
import Foundation
import KubeClient
import Logging

/// Whom an event is about.
public struct EventSubject: Sendable, Hashable {
  public var apiVersion: String
  public var kind: String
  public var namespace: String?
  public var name: String
  public var uid: String
  public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.namespace = namespace
    self.name = name
    self.uid = uid
  }

  public init<K: KubernetesObject>(_ object: K) {
    self.init(
      apiVersion: K.apiVersion, kind: K.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? "",
      uid: object.metadata.uid ?? "")
  }
}

public enum EventType: String, Sendable {
  case normal = "Normal"
  case warning = "Warning"
}

/// Records core/v1 Events on objects, as `kubectl describe` shows them.
///
/// Repeats of the same event (same object, type, reason and message) within six minutes patch
/// the existing Event's `count` and `lastTimestamp` instead of creating another, as client-go's
/// event correlator does; after that a new Event starts. Failures to record are logged and
/// never fail a reconcile. Messages are cut to 1 kB; reasons must be CamelCase.
public actor EventRecorder {
  static let resource = ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
  static let seriesWindow: Duration = .seconds(360)
  static let cacheLimit = 4096

  private let client: KubernetesClient
  private let component: String
  private let instance: String
  private let logger: Logger
  private struct Seen {
    var name: String
    var count: Int
    var first: Time
    var last: ContinuousClock.Instant
  }
  private var seen: [String: Seen] = [:]

  public init(client: KubernetesClient, component: String = "gra-operator", instance: String, logger: Logger) {
    self.client = client
    self.component = component
    self.instance = instance
    self.logger = logger
  }

  public func record(
    _ subject: EventSubject, _ type: EventType, reason: String, _ message: String, action: String = "Reconcile"
  ) async {
    let note = message.utf8.count > 1024 ? String(decoding: message.utf8.prefix(1021), as: UTF8.self) + "..." : message
    let key = "\(subject.uid)|\(type.rawValue)|\(reason)|\(note)"
    let now = Time.now()
    let api = client.dynamic(Self.resource, namespace: subject.namespace ?? "default")
    if var s = seen[key], ContinuousClock.now - s.last < Self.seriesWindow {
      s.count += 1
      s.last = .now
      seen[key] = s
      let patch: JSONValue = ["count": .int(Int64(s.count)), "lastTimestamp": .string(now.description)]
      do {
        _ = try await api.patch(s.name, .merge(patch))
        return
      } catch {
        logger.debug("event patch failed, creating a new one", metadata: ["error": "\(error)"])
      }
    }
    let name = "\(subject.name).\(String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16))"
    var event: JSONValue = ["apiVersion": "v1", "kind": "Event", "type": .string(type.rawValue)]
    event["metadata"] = ["name": .string(name), "namespace": .string(subject.namespace ?? "default")]
    event["involvedObject"] = [
      "apiVersion": .string(subject.apiVersion), "kind": .string(subject.kind), "name": .string(subject.name),
      "namespace": subject.namespace.map(JSONValue.string) ?? .null, "uid": .string(subject.uid),
    ]
    event["reason"] = .string(reason)
    event["message"] = .string(note)
    event["action"] = .string(action)
    event["source"] = ["component": .string(component)]
    event["reportingComponent"] = .string(component)
    event["reportingInstance"] = .string(instance)
    event["firstTimestamp"] = .string(now.description)
    event["lastTimestamp"] = .string(now.description)
    event["count"] = 1
    do {
      _ = try await api.create(event)
      if seen.count >= Self.cacheLimit { evictOldest() }
      seen[key] = Seen(name: name, count: 1, first: now, last: .now)
    } catch {
      logger.warning(
        "could not record event",
        metadata: ["object": "\(subject.kind)/\(subject.name)", "reason": "\(reason)", "error": "\(error)"])
    }
  }

  private func evictOldest() {
    let cutoff = ContinuousClock.now - Self.seriesWindow
    seen = seen.filter { $0.value.last > cutoff }
    if seen.count >= Self.cacheLimit, let oldest = seen.min(by: { $0.value.last < $1.value.last }) {
      seen[oldest.key] = nil
    }
  }
}
