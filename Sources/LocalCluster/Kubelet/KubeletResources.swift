import CRDModels

/// The built-in resources the local kubelet reads and writes.
enum KubeletResources {
  static let pods = ResourceDescriptor(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
  static let nodes = ResourceDescriptor(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
  static let events = ResourceDescriptor(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
  static let secrets = ResourceDescriptor(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
  static let configMaps = ResourceDescriptor(
    group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
  static let claims = ResourceDescriptor(
    group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true)
  static let volumes = ResourceDescriptor(
    group: "", version: "v1", plural: "persistentvolumes", kind: "PersistentVolume", namespaced: false)
  static let namespaces = ResourceDescriptor(
    group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
  static let leases = ResourceDescriptor(
    group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
}
