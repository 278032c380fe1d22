import CRDModels
import KubeClient

/// The image the plugin shows for a Runner (`describe`, `list -o wide`, the MCP runner tools).
///
/// A Runner without `spec.image` runs the operator's `--runner-image`, which the plugin cannot
/// read: it may differ from ``GraDefaults/runnerImage``. So the image shown is the one the
/// Runner's pod runs (its `runner` container) when there is a pod, else `spec.image`, else
/// ``operatorDefault``.
enum RunnerImage {
  /// The runner container's name in the pod (`RunnerNames.containerName` in the operator).
  static let containerName = "runner"
  /// Shown when the image is the operator's default and no pod shows which one that is.
  static let operatorDefault = "<operator default>"

  static func shown(_ r: Runner, pod: Pod?) -> String {
    if let pod, isPod(pod, of: r),
      let image = pod.spec?.containers.first(where: { $0.name == containerName })?.image, !image.isEmpty
    {
      return image
    }
    if let image = r.spec?.image, !image.isEmpty { return image }
    return operatorDefault
  }

  /// The pod's name: `status.podName`, else the Runner's name (the operator names the pod so).
  static func podName(_ r: Runner) -> String { r.status?.podName ?? r.metadata.name ?? "" }

  /// Whether `pod` is `r`'s: same namespace and name as ``podName(_:)``, controlled by `r`.
  static func isPod(_ pod: Pod, of r: Runner) -> Bool {
    guard pod.metadata.name == podName(r),
      pod.metadata.namespace == nil || pod.metadata.namespace == r.metadata.namespace,
      let owner = pod.metadata.controllerRef, owner.kind == Runner.resource.kind, owner.name == r.metadata.name
    else { return false }
    return r.metadata.uid == nil || owner.uid == r.metadata.uid
  }

  /// `r`'s pod, or nil when it has none or the caller may not read pods (the image is then
  /// shown from the spec).
  static func pod(of r: Runner, client: KubernetesClient) async -> Pod? {
    guard let ns = r.metadata.namespace, !podName(r).isEmpty,
      let pod = try? await client.api(Pod.self, namespace: ns).getIfExists(podName(r)), isPod(pod, of: r)
    else { return nil }
    return pod
  }

  /// The pods of `runners` that exist, keyed by ``key(_:)``: one list of the runner pods of
  /// `namespace` (all namespaces when nil). Empty when the caller may not list pods.
  static func pods(of runners: [Runner], namespace: String?, client: KubernetesClient) async -> [String: Pod] {
    guard !runners.isEmpty else { return [:] }
    let params = ListParams(labelSelector: "app.kubernetes.io/name=gra-runner")
    let api = namespace.map { client.api(Pod.self, namespace: $0) } ?? client.allNamespaces(Pod.self)
    guard let pods = try? await api.listAll(params).items else { return [:] }
    var out: [String: Pod] = [:]
    for r in runners {
      if let p = pods.first(where: { $0.metadata.namespace == r.metadata.namespace && isPod($0, of: r) }) {
        out[key(r)] = p
      }
    }
    return out
  }

  static func key(_ r: Runner) -> String { "\(r.metadata.namespace ?? "")/\(r.metadata.name ?? "")" }
}
