import Foundation

/// The bridge's metrics in the operator's registry (served on `/metrics`):
/// `gra_bridge_execs_total{outcome}`, `gra_bridge_exec_duration_seconds{outcome}`,
/// `gra_bridge_exec_output_bytes_total{stream}`, `gra_bridge_execs_active`, and
/// `gra_bridge_requests_refused_total{code}` (401/403/429).
public struct BridgeMetrics: Sendable {
  let execs: Counter
  let duration: Histogram
  let bytes: Counter
  let active: Gauge
  let refused: Counter

  public init(registry: MetricsRegistry) {
    execs = registry.counter("gra_bridge_execs_total", help: "Execs run through the bridge, by outcome.")
    duration = registry.histogram(
      "gra_bridge_exec_duration_seconds", help: "Wall time of bridge execs, by outcome.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600])
    bytes = registry.counter(
      "gra_bridge_exec_output_bytes_total", help: "Output bytes relayed by the bridge, by stream.")
    active = registry.gauge("gra_bridge_execs_active", help: "Execs running now.")
    refused = registry.counter("gra_bridge_requests_refused_total", help: "Bridge requests refused, by HTTP code.")
  }

  /// The outcome label of an ending: exited, signaled, timed_out, output_limit, lost, not_run.
  static func outcome(_ end: ExecEnd) -> String {
    switch end {
    case .exited: "exited"
    case .signaled: "signaled"
    case .timedOut: "timed_out"
    case .outputLimitReached: "output_limit"
    case .lost: "lost"
    case .notRun: "not_run"
    }
  }
}
