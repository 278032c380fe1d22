import Foundation
import KubeClient
import Synchronization

/// A minimal Prometheus registry: counters, gauges and histograms with labels, rendered in the
/// text exposition format (version 0.0.4) for `/metrics`.
public final class MetricsRegistry: Sendable {
  private let families = Mutex<[String: MetricFamily]>([:])
  public init() {}

  public func counter(_ name: String, help: String) -> Counter {
    Counter(register(name, help: help, type: "counter"))
  }
  public func gauge(_ name: String, help: String) -> Gauge {
    Gauge(register(name, help: help, type: "gauge"))
  }
  public func histogram(_ name: String, help: String, buckets: [Double] = Histogram.defaultBuckets) -> Histogram {
    Histogram(register(name, help: help, type: "histogram"), buckets: buckets.sorted())
  }

  private func register(_ name: String, help: String, type: String) -> MetricFamily {
    families.withLock { f in
      if let existing = f[name] { return existing }
      let family = MetricFamily(name: name, help: help, type: type)
      f[name] = family
      return family
    }
  }

  /// The text exposition of every metric, families sorted by name.
  public func render() -> String {
    let all = families.withLock { $0.values.sorted { $0.name < $1.name } }
    var out = ""
    for family in all { family.render(into: &out) }
    return out
  }
}

/// One metric name with its samples by label set.
final class MetricFamily: Sendable {
  let name: String
  let help: String
  let type: String
  /// Label set (sorted pairs) → sample values by suffix (`""`, `_bucket{le=…}`, `_sum`, `_count`).
  let samples = Mutex<[[LabelPair]: [String: Double]]>([:])

  init(name: String, help: String, type: String) {
    self.name = name
    self.help = help
    self.type = type
  }

  func update(_ labels: [String: String], _ body: (inout [String: Double]) -> Void) {
    let key = labels.map { LabelPair(name: $0.key, value: $0.value) }.sorted()
    samples.withLock { s in body(&s[key, default: [:]]) }
  }

  func render(into out: inout String) {
    out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    let snapshot = samples.withLock { $0 }
    for (labels, values) in snapshot.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
      for (suffix, value) in values.sorted(by: { Self.order($0.key) < Self.order($1.key) }) {
        let (metricSuffix, extra) = Self.split(suffix)
        var pairs = labels.map { "\($0.name)=\"\(Self.escape($0.value))\"" }
        if let extra { pairs.append(extra) }
        let labelText = pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
        out += "\(name)\(metricSuffix)\(labelText) \(Self.format(value))\n"
      }
    }
  }

  /// Suffixes look like `_bucket|le="0.5"`; split into the name suffix and an extra label.
  private static func split(_ suffix: String) -> (String, String?) {
    guard let bar = suffix.firstIndex(of: "|") else { return (suffix, nil) }
    return (String(suffix[..<bar]), String(suffix[suffix.index(after: bar)...]))
  }
  private static func order(_ suffix: String) -> String {
    // Buckets in ascending `le`, then _sum, then _count.
    if suffix.hasPrefix("_bucket|le=\"") {
      let v = suffix.dropFirst(12).dropLast()
      let d = v == "+Inf" ? Double.infinity : Double(v) ?? 0
      return "0" + String(format: "%030.9f", min(d, 1e20))
    }
    return suffix == "_sum" ? "1" : suffix == "_count" ? "2" : suffix
  }
  static func format(_ v: Double) -> String {
    if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return String(v)
  }
  private static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }
}

struct LabelPair: Hashable, Comparable, Sendable {
  var name: String
  var value: String
  static func < (a: LabelPair, b: LabelPair) -> Bool { (a.name, a.value) < (b.name, b.value) }
}

public struct Counter: Sendable {
  let family: MetricFamily
  init(_ family: MetricFamily) { self.family = family }
  public func inc(_ by: Double = 1, labels: [String: String] = [:]) {
    family.update(labels) { $0["", default: 0] += by }
  }
}

public struct Gauge: Sendable {
  let family: MetricFamily
  init(_ family: MetricFamily) { self.family = family }
  public func set(_ value: Double, labels: [String: String] = [:]) { family.update(labels) { $0[""] = value } }
  public func add(_ by: Double, labels: [String: String] = [:]) {
    family.update(labels) { $0["", default: 0] += by }
  }
}

public struct Histogram: Sendable {
  /// Prometheus client defaults, in seconds.
  public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  let family: MetricFamily
  let buckets: [Double]
  init(_ family: MetricFamily, buckets: [Double]) {
    self.family = family
    self.buckets = buckets
  }
  public func observe(_ value: Double, labels: [String: String] = [:]) {
    family.update(labels) { s in
      for b in buckets where value <= b { s["_bucket|le=\"\(MetricFamily.format(b))\"", default: 0] += 1 }
      for b in buckets where value > b { s["_bucket|le=\"\(MetricFamily.format(b))\"", default: 0] += 0 }
      s["_bucket|le=\"+Inf\"", default: 0] += 1
      s["_sum", default: 0] += value
      s["_count", default: 0] += 1
    }
  }
}

/// The metrics every controller reports, named after controller-runtime's
/// (`controller_runtime_reconcile_*`, `workqueue_*`) with a `gra_` prefix and a `controller`
/// label.
public struct ControllerMetrics: Sendable {
  /// Reconciles by `result`: `success`, `requeue_after`, `error` (retried) or `terminal_error`.
  public let reconciles: Counter
  public let reconcileErrors: Counter
  public let reconcileDuration: Histogram
  public let queue: WorkQueueMetrics
  public var queueDepth: Gauge { queue.depth }

  public init(registry: MetricsRegistry) {
    reconciles = registry.counter("gra_reconcile_total", help: "Reconciles by controller and result.")
    reconcileErrors = registry.counter("gra_reconcile_errors_total", help: "Reconciles that returned an error.")
    reconcileDuration = registry.histogram(
      "gra_reconcile_duration_seconds", help: "Time spent in one reconcile.")
    queue = WorkQueueMetrics(registry: registry)
  }
}

/// client-go's work queue metrics: depth, adds, how long a key waited before a worker took it,
/// how long the worker held it, and rate-limited retries.
public struct WorkQueueMetrics: Sendable {
  public let depth: Gauge
  public let adds: Counter
  public let queueDuration: Histogram
  public let workDuration: Histogram
  public let retries: Counter

  /// From 1 ms to about 17 minutes, as client-go's `workqueue_queue_duration_seconds`.
  public static let buckets: [Double] = [0.001, 0.01, 0.1, 1, 10, 100, 1000]

  public init(registry: MetricsRegistry) {
    depth = registry.gauge("gra_workqueue_depth", help: "Keys waiting in the work queue.")
    adds = registry.counter(
      "gra_workqueue_adds_total", help: "Keys added to the work queue (repeats of a queued key included).")
    queueDuration = registry.histogram(
      "gra_workqueue_queue_duration_seconds", help: "How long a key waited in the work queue before a worker took it.",
      buckets: Self.buckets)
    workDuration = registry.histogram(
      "gra_workqueue_work_duration_seconds", help: "How long a worker held a key (reconcile and bookkeeping).",
      buckets: Self.buckets)
    retries = registry.counter("gra_workqueue_retries_total", help: "Keys requeued with rate-limited backoff.")
  }
}

/// Kubernetes API requests made through ``KubeClient``, by verb and HTTP code, like client-go's
/// `rest_client_requests_total` and `rest_client_request_duration_seconds`. Code `0` means no
/// answer (connection error). Durations include retries; for watches and follow-logs they end
/// when the response starts.
public struct APIRequestMetrics: Sendable {
  public let requests: Counter
  public let duration: Histogram
  public let retries: Counter

  public init(registry: MetricsRegistry) {
    requests = registry.counter(
      "gra_rest_client_requests_total", help: "Kubernetes API requests by verb and HTTP code.")
    duration = registry.histogram(
      "gra_rest_client_request_duration_seconds", help: "Kubernetes API request latency by verb, retries included.")
    retries = registry.counter("gra_rest_client_retries_total", help: "Kubernetes API request retries by verb.")
  }

  /// The hook to give ``KubeTransport/addMetricsHook(_:)``.
  public func record(_ m: RequestMetric) {
    requests.inc(labels: ["verb": m.verb, "code": String(m.code)])
    duration.observe(m.duration.seconds, labels: ["verb": m.verb])
    if m.retries > 0 { retries.inc(Double(m.retries), labels: ["verb": m.verb]) }
  }
}

extension Duration {
  /// The duration in seconds, as Prometheus wants it.
  var seconds: Double {
    let c = components
    return Double(c.seconds) + Double(c.attoseconds) / 1e18
  }
}
