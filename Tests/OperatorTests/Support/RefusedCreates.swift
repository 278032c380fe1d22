import KubeClient

@testable import Operator

/// Counts the creates a client's API server refused with 422 Invalid, from the client's own
/// request metrics (`gra_rest_client_requests_total`).
struct RefusedCreates {
  private let registry = MetricsRegistry()

  init(_ client: KubernetesClient) {
    client.transport.addMetricsHook(APIRequestMetrics(registry: registry).record)
  }

  var count: Double {
    MetricsIntegrationTests.sample(registry.render(), #"gra_rest_client_requests_total{code="422",verb="create"}"#)
      ?? 0
  }
}
