import CRDModels
import Foundation

/// Writes core/v1 Events about pods and nodes, as the kubelet and the scheduler do, folding
/// repeats (same object, reason and message) into one Event whose `count` grows.
actor EventRecorder {
  let store: any ClusterStore
  let host: String
  private var seen: [String: (name: String, namespace: String)] = [:]

  init(store: any ClusterStore, host: String) {
    self.store = store
    self.host = host
  }

  /// Records an event about `object` (a Pod or the Node). `fieldPath` names a container
  /// (`spec.containers{app}`) as the kubelet does.
  func record(
    _ object: JSONValue, type: String = "Normal", reason: String, message: String, fieldPath: String? = nil,
    component: String = "kubelet"
  ) async {
    let kind = object["kind"].stringValue ?? "Pod"
    let name = object["metadata"]["name"].stringValue ?? ""
    let uid = object["metadata"]["uid"].stringValue ?? ""
    let namespace = object["metadata"]["namespace"].stringValue ?? "default"
    let now = Time.now().description
    let key = [uid, reason, message, fieldPath ?? "", component].joined(separator: "\u{1}")
    if let existing = seen[key],
      var event = try? await store.get(KubeletResources.events, namespace: existing.namespace, name: existing.name)
    {
      event["count"] = .int((event["count"].intValue ?? 1) + 1)
      event["lastTimestamp"] = .string(now)
      if (try? await store.update(KubeletResources.events, namespace: existing.namespace, object: event)) != nil {
        return
      }
    }
    var involved: JSONValue = [
      "kind": .string(kind), "name": .string(name), "uid": .string(uid),
      "apiVersion": .string(object["apiVersion"].stringValue ?? "v1"),
    ]
    if kind != "Node" { involved["namespace"] = .string(namespace) }
    if let rv = object["metadata"]["resourceVersion"].stringValue { involved["resourceVersion"] = .string(rv) }
    if let fieldPath { involved["fieldPath"] = .string(fieldPath) }
    let eventName = "\(name).\(String(UInt64(Date().timeIntervalSince1970 * 1e9), radix: 16))"
    var event: JSONValue = ["apiVersion": "v1", "kind": "Event"]
    event["metadata"] = ["name": .string(eventName), "namespace": .string(namespace)]
    event["involvedObject"] = involved
    event["reason"] = .string(reason)
    event["message"] = .string(message)
    event["type"] = .string(type)
    event["source"] =
      component == "kubelet" ? ["component": "kubelet", "host": .string(host)] : ["component": .string(component)]
    event["firstTimestamp"] = .string(now)
    event["lastTimestamp"] = .string(now)
    event["count"] = 1
    event["reportingComponent"] = .string(component)
    event["reportingInstance"] = .string(component == "kubelet" ? host : "")
    if (try? await store.create(KubeletResources.events, namespace: namespace, object: event)) != nil {
      seen[key] = (eventName, namespace)
    }
  }
}
