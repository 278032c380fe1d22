import Foundation

/// Settings of the ``LocalKubelet``. The defaults are the real kubelet's where one exists.
public struct KubeletConfiguration: Sendable {
  /// The Node's name (`local-node` by default; the hostname is another good choice).
  public var nodeName: String
  /// Where pod directories (`pods/<uid>/`), container logs and claim directories
  /// (`volumes/<namespace>/<claim>/`) live. Claim directories outlive their pods.
  public var dataDirectory: URL
  /// First restart delay of a crashing container after its first restart (kubelet: 10 s).
  public var crashLoopInitialBackoff: Duration
  /// Upper bound of the restart delay (kubelet: 5 min).
  public var crashLoopMaxBackoff: Duration
  /// How often the Node's status (conditions, heartbeat times) is written even when unchanged.
  public var nodeStatusReportInterval: Duration
  /// How often the node's Lease in `kube-node-lease` is renewed (kubelet: 10 s).
  public var leaseRenewInterval: Duration
  /// Capacity advertised by the Node. Defaults to this machine's CPUs and memory, 110 pods
  /// and `nvidia.com/gpu: 0`.
  public var capacity: [String: String]
  /// The directory with the gra runner image's entrypoint scripts (`gra-runner`, `healthcheck`);
  /// `nil` looks for `images/runner/` in the current directory and its parents.
  public var runnerScriptsDirectory: URL?
  /// How often the scheduler retries pods it could not place when nothing else changes.
  public var unschedulableRetryInterval: Duration
  /// Test hook: a FIFO every container's wrapper reads one line from after setting up its
  /// mounts and before entering its root, so a test can hold a container in the "created,
  /// not yet started" state and release it by writing a line.
  var startGateForTests: String?

  public init(
    nodeName: String = "local-node",
    dataDirectory: URL,
    crashLoopInitialBackoff: Duration = .seconds(10),
    crashLoopMaxBackoff: Duration = .seconds(300),
    nodeStatusReportInterval: Duration = .seconds(60),
    leaseRenewInterval: Duration = .seconds(10),
    capacity: [String: String]? = nil,
    runnerScriptsDirectory: URL? = nil,
    unschedulableRetryInterval: Duration = .seconds(10)
  ) {
    self.nodeName = nodeName
    self.dataDirectory = dataDirectory
    self.crashLoopInitialBackoff = crashLoopInitialBackoff
    self.crashLoopMaxBackoff = crashLoopMaxBackoff
    self.nodeStatusReportInterval = nodeStatusReportInterval
    self.leaseRenewInterval = leaseRenewInterval
    self.capacity = capacity ?? Self.machineCapacity()
    self.runnerScriptsDirectory = runnerScriptsDirectory
    self.unschedulableRetryInterval = unschedulableRetryInterval
  }

  /// This machine's CPUs and memory, 110 pods and no GPUs.
  public static func machineCapacity() -> [String: String] {
    [
      "cpu": String(ProcessInfo.processInfo.activeProcessorCount),
      "memory": "\(ProcessInfo.processInfo.physicalMemory / 1024)Ki",
      "pods": "110",
      "ephemeral-storage": "100Gi",
      "nvidia.com/gpu": "0",
    ]
  }
}
