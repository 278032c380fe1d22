import Foundation
import KubeClient

/// Checks, before the operator starts anything, what would otherwise show up only as
/// warnings repeated forever: an API server that cannot be reached, credentials it rejects,
/// CRDs that are not installed, and RBAC that does not let the operator list what it watches.
/// Each failure is one ``CommandFailure`` line saying what is wrong and how to fix it, so the
/// process exits (and a Deployment shows the reason in `kubectl logs --previous`), as
/// controller-runtime's manager does when its first discovery or cache sync fails.
///
/// It uses only requests the operator makes anyway (`GET /version`, discovery, `list` with
/// `limit=1`, `get` of the Lease), so it needs no permission beyond the operator's own.
struct Preflight {
  var configuration: ClientConfiguration
  var watchNamespace: String?
  var leaseNamespace: String?
  var leaseName: String

  /// What the informers list and watch: (API path prefix, plural, human name).
  static let watched: [(prefix: String, plural: String)] = [
    ("/apis/gra.dev/v1alpha1", "runners"), ("/apis/gra.dev/v1alpha1", "tracerjobs"),
    ("/api/v1", "pods"), ("/api/v1", "persistentvolumeclaims"), ("/api/v1", "services"),
  ]

  func run() async throws {
    var config = configuration
    config.retry = RetryPolicy(maxRetries: 2, baseDelay: .milliseconds(300), maxDelay: .seconds(2))
    // AsyncHTTPClient retries a refused connection until this timeout, once per attempt: 2 s
    // keeps a wrong server address to ~6 s before the one-line error.
    config.connectTimeout = .seconds(2)
    config.requestTimeout = .seconds(15)
    let client = try KubernetesClient(configuration: config)
    // AsyncHTTPClient traps if a client is deinitialised before its shutdown finished.
    do {
      try await check(client)
    } catch {
      try? await client.shutdown()
      throw error
    }
    try? await client.shutdown()
  }

  private func check(_ client: KubernetesClient) async throws {
    let server = configuration.server
    let from = configuration.origin

    do {
      _ = try await client.send(KubeRequest(method: "GET", path: "/version"))
    } catch let e as KubeError where e.kind == .transport {
      throw CommandFailure(
        "cannot reach the API server \(server) (from \(from)): \(e.message); check that the cluster is running and that the server address is right (kubectl cluster-info)")
    } catch let e as KubeError where e.code == 401 {
      throw Self.unauthorized(server: server, from: from)
    } catch let e as KubeError where e.code == 403 {
      // Anonymous access to /version is off on some clusters; the list below tells more.
      _ = e
    }

    do {
      _ = try await client.send(KubeRequest(method: "GET", path: "/apis/gra.dev/v1alpha1"))
    } catch let e as KubeError where e.code == 404 {
      throw CommandFailure(
        "the API server \(server) does not serve gra.dev/v1alpha1 (Runner, TracerJob): install the CRDs first (kubectl apply -f manifests/crds, or the Helm chart)")
    } catch let e as KubeError where e.code == 401 {
      throw Self.unauthorized(server: server, from: from)
    } catch let e as KubeError where e.code == 403 {
      _ = e
    }

    for (prefix, plural) in Self.watched {
      let path = watchNamespace.map { "\(prefix)/namespaces/\($0)/\(plural)" } ?? "\(prefix)/\(plural)"
      do {
        _ = try await client.send(KubeRequest(method: "GET", path: path, query: [("limit", "1")]))
      } catch let e as KubeError where e.code == 401 {
        throw Self.unauthorized(server: server, from: from)
      } catch let e as KubeError where e.code == 403 {
        let scope = watchNamespace.map { "in namespace \($0)" } ?? "in all namespaces"
        throw CommandFailure(
          "not allowed to list \(plural) \(scope) (403 Forbidden: \(e.message)); bind the operator's ClusterRole to this user (manifests/operator, or the Helm chart)\(watchNamespace == nil ? ", or run with --namespace and a Role there" : "")")
      } catch let e as KubeError where e.code == 404 && prefix.hasPrefix("/apis/gra.dev") {
        throw CommandFailure(
          "the API server \(server) does not serve \(plural).gra.dev: install the CRDs first (kubectl apply -f manifests/crds, or the Helm chart)")
      } catch let e as KubeError where e.code == 404 && watchNamespace != nil {
        throw CommandFailure("--namespace \(watchNamespace!): \(e.message); create it or pick an existing one")
      }
    }

    if let leaseNamespace {
      do {
        _ = try await client.send(
          KubeRequest(method: "GET", path: "/apis/coordination.k8s.io/v1/namespaces/\(leaseNamespace)/leases/\(leaseName)"))
      } catch let e as KubeError where e.code == 403 {
        throw CommandFailure(
          "--leader-elect: not allowed to get the Lease \(leaseNamespace)/\(leaseName) (403 Forbidden: \(e.message)); bind the leader-election Role in \(leaseNamespace) (get, create, update leases), or set --leader-election-namespace")
      } catch let e as KubeError where e.isNotFound {
        // Created on first election; a dry-run create tells whether its namespace exists (a GET
        // answers "lease not found" either way), with the create right the elector needs anyway.
        try await checkLeaseNamespace(client, leaseNamespace)
      }
    }
  }

  private func checkLeaseNamespace(_ client: KubernetesClient, _ ns: String) async throws {
    let lease: [String: Any] = [
      "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": leaseName, "namespace": ns],
    ]
    var request = KubeRequest(
      method: "POST", path: "/apis/coordination.k8s.io/v1/namespaces/\(ns)/leases", query: [("dryRun", "All")],
      body: Array(try JSONSerialization.data(withJSONObject: lease)), contentType: "application/json")
    request.accept = "application/json"
    do {
      _ = try await client.send(request)
    } catch let e as KubeError where e.isNotFound {
      throw CommandFailure(
        "--leader-elect: the Lease's namespace \(ns) does not exist (\(e.message)); create it (kubectl create namespace \(ns)) or set --leader-election-namespace")
    } catch let e as KubeError where e.code == 403 {
      throw CommandFailure(
        "--leader-elect: not allowed to create the Lease \(ns)/\(leaseName) (403 Forbidden: \(e.message)); bind the leader-election Role in \(ns) (get, create, update leases), or set --leader-election-namespace")
    } catch let e as KubeError where e.isAlreadyExists {
      _ = e
    }
  }

  static func unauthorized(server: String, from: String) -> CommandFailure {
    CommandFailure(
      "the API server \(server) rejected the credentials from \(from) (401 Unauthorized): the token or client certificate is wrong or expired; get a fresh one (e.g. kubectl create token SERVICEACCOUNT) and update the kubeconfig")
  }
}
