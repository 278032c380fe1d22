import CRDModels
import KubeClient
import Logging

/// Reconciles a Runner into its workspace claim, pod, ssh Service, keys and host-key Secrets and
/// egress NetworkPolicy, suspends it when idle or past its lifetime, and reports what it sees in
/// the Runner's status.
///
/// One pass: observe (from the informer caches), compute the desired objects (pure builders),
/// apply the differences, report the status (written through `/status` only when it changed).
/// A pass that finds everything in place writes nothing. See `docs/runner.md`.
public struct RunnerReconciler: Reconciler {
  public struct Options: Sendable {
    /// Manage the egress NetworkPolicy. Turned off for the process when the API server does
    /// not serve `networking.k8s.io/v1` NetworkPolicies.
    public var networkPolicies = true
    /// Longest wait between recreations of a pod that keeps failing.
    public var maxRestartBackoff: Duration = .seconds(300)
    /// How often a Runner blocked on something outside its watched objects (a Secret, an
    /// existing claim) is looked at again.
    public var blockedRecheck: Duration = .seconds(30)
    /// The image of Runners whose `spec.image` is unset (`gra-operator run --runner-image`).
    /// Changing it replaces those Runners' pods, as any change to their pod spec does.
    public var defaultImage = GraDefaults.runnerImage
    public init() {}
  }

  public let name = "runner"
  let client: KubernetesClient
  let runners: ObjectCache<Runner>
  let pods: ObjectCache<Pod>
  let claims: ObjectCache<PersistentVolumeClaim>
  let services: ObjectCache<Service>
  let events: EventRecorder
  let options: Options
  let logger: Logger
  let memo = RunnerWriteMemo()
  let desiredPods = DesiredPodMemo()
  let networkPoliciesServed = NetworkPolicySupport()

  public init(
    client: KubernetesClient, runners: ObjectCache<Runner>, pods: ObjectCache<Pod>,
    claims: ObjectCache<PersistentVolumeClaim>, services: ObjectCache<Service>, events: EventRecorder,
    options: Options = Options(), logger: Logger
  ) {
    self.client = client
    self.runners = runners
    self.pods = pods
    self.claims = claims
    self.services = services
    self.events = events
    self.options = options
    self.logger = logger
  }

  public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
    // Observe.
    guard let runner = runners.get(key) else {
      memo.forget(key, uid: nil)
      desiredPods.forget(key)
      return .done
    }
    let r = runner.withDefaults(image: options.defaultImage)
    var seen = observe(r, key)

    // Deletion: detach a retained claim, then let the Runner go.
    if r.metadata.deletionTimestamp != nil {
      try await finalize(r, seen)
      return .done
    }

    // An invalid spec is reported once and not retried: a new generation brings it back.
    seen.specErrors = r.validate()
    if !seen.specErrors.isEmpty {
      try await report(runner, seen)
      return .done
    }
    try await ensureFinalizer(r)

    // Apply: the egress policy (in parallel: nothing waits for it), the workspace, what the
    // pod mounts and exposes, then the pod.
    async let egress: Void = ensureNetworkPolicy(r)
    seen.claim = try await ensureClaim(r, seen.claim, &seen)
    try await ensureKeysSecret(r)
    try await ensureHostKeysSecret(r)
    seen.service = try await ensureService(r, seen.service)
    try await egress
    let (current, timers) = try await enforceLifecycle(runner, &seen)
    let next = try await ensurePod(current.withDefaults(image: options.defaultImage), key, &seen)

    // Report.
    try await report(current, seen)
    return next.sooner(timers)
  }

  /// The Runner's objects as the caches (and this controller's recent writes) show them.
  func observe(_ r: Runner, _ key: ObjectKey) -> RunnerObservation {
    let ns = r.metadata.namespace
    let name = r.metadata.name ?? ""
    var o = RunnerObservation(runner: r)
    let podKey = ObjectKey(namespace: ns, name: RunnerNames.pod(name))
    o.pod = memo.pod(podKey, cached: pods.get(podKey))
    let claimKey = ObjectKey(namespace: ns, name: RunnerNames.claim(r))
    o.claim = memo.claim(claimKey, cached: claims.get(claimKey))
    let svcKey = ObjectKey(namespace: ns, name: RunnerNames.service(name))
    o.service = memo.service(svcKey, cached: services.get(svcKey)).flatMap { owned($0.metadata, by: r) ? $0 : nil }
    return o
  }

  /// Writes the status computed from `seen` through `/status` when it differs from the
  /// Runner's, and tells the user about new problems with a Warning Event.
  func report(_ cached: Runner, _ seen: RunnerObservation) async throws {
    let key = ObjectCache<Runner>.key(of: cached)
    // The cache may not show this controller's last status write yet: build on that write.
    let runner = memo.newerThanCache(key, cachedRV: cached.metadata.resourceVersion) ?? cached
    var obs = seen
    obs.runner = runner
    let status = RunnerStatusBuilder.status(obs)
    if status == runner.status || memo.alreadyWrote(key, rv: runner.metadata.resourceVersion, status) { return }
    var updated = runner
    updated.status = status
    do {
      let written = try await client.api(Runner.self, namespace: runner.metadata.namespace).replaceStatus(updated)
      memo.wroteStatus(key, baseRV: runner.metadata.resourceVersion ?? "", status, written: written)
    } catch let e as KubeError where e.isNotFound {
      return
    }
    await announce(runner, old: runner.status, new: status)
  }
}
