import CRDModels
import Foundation
import KubeClient
import LocalCluster
import Logging
import Operator

/// The exec bridge in `gra-operator local`, reached the way a real cluster reaches it: the
/// local API server aggregates `exec.gra.dev/v1alpha1` (APIService `v1alpha1.exec.gra.dev`,
/// service `gra-system/gra-bridge:443`) and proxies to the bridge with a front-proxy client
/// certificate that the bridge trusts through `kube-system/extension-apiserver-authentication`.
enum LocalBridge {
  static let service = "gra-system/gra-bridge:443"

  static func start(
    server: LocalAPIServer, client: KubernetesClient, port: Int, metrics: MetricsRegistry?, logger: Logger
  ) async throws -> BridgeLauncher.Running {
    // What kubeadm makes for kube-apiserver: a front-proxy CA and the aggregator's client certificate.
    let ca = try Certificates.makeCA(commonName: "front-proxy-ca")
    var proxySubject = Certificates.Subject(commonName: "front-proxy-client")
    proxySubject.clientAuth = true
    let proxyClient = try Certificates.make(proxySubject, issuer: ca)
    try await server.enableAggregation(
      AggregationOptions(
        proxyClientCertificatePEM: proxyClient.certificatePEM, proxyClientKeyPEM: proxyClient.privateKeyPEM,
        requestHeaderCAPEM: ca.certificatePEM, requestHeaderAllowedNames: ["front-proxy-client"], services: [:]))

    var options = BridgeLauncher.Options()
    options.host = "127.0.0.1"
    options.port = port
    options.serviceNames = ["gra-bridge.gra-system.svc", "gra-bridge.gra-system", "gra-bridge", "localhost"]
    let events = EventRecorder(client: client, instance: "gra-operator-local", logger: logger)
    let running = try await BridgeLauncher.start(client: client, options: options, metrics: metrics, events: events, logger: logger)
    try await register(server: server, caBundle: running.caBundlePEM ?? "")
    await server.mapAggregatedService(service, to: "127.0.0.1:\(running.server.port)")
    return running
  }

  /// The namespace and the APIService, as `manifests/operator/apiservice.yaml` would create them
  /// with the bridge's certificate as `caBundle`.
  static func register(server: LocalAPIServer, caBundle: String) async throws {
    let namespaces = ResourceDescriptor(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    if (try? await server.store.get(namespaces, namespace: nil, name: "gra-system")) == nil {
      _ = try await server.store.create(
        namespaces, namespace: nil, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "gra-system"]])
    }
    let apiservices = ResourceDescriptor(
      group: "apiregistration.k8s.io", version: "v1", plural: "apiservices", kind: "APIService", namespaced: false)
    var spec: JSONValue = ["group": "exec.gra.dev", "version": "v1alpha1", "groupPriorityMinimum": 1000, "versionPriority": 15]
    spec["service"] = ["namespace": "gra-system", "name": "gra-bridge", "port": 443]
    spec["caBundle"] = .string(Data(caBundle.utf8).base64EncodedString())
    var obj: JSONValue = ["apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService"]
    obj["metadata"] = ["name": "v1alpha1.exec.gra.dev", "labels": ["app.kubernetes.io/part-of": "gra"]]
    obj["spec"] = spec
    if var existing = try? await server.store.get(apiservices, namespace: nil, name: "v1alpha1.exec.gra.dev") {
      existing["spec"] = spec
      _ = try await server.store.update(apiservices, namespace: nil, object: existing)
    } else {
      _ = try await server.store.create(apiservices, namespace: nil, object: obj)
    }
  }
}
