import Testing

@testable import Operator

@Suite struct MetricsTests {
  @Test func rendersCountersGaugesAndHistogramsInTheTextFormat() {
    let r = MetricsRegistry()
    let c = r.counter("gra_things_total", help: "Things.")
    c.inc(labels: ["kind": "a"])
    c.inc(2, labels: ["kind": "a"])
    c.inc(labels: ["kind": "b\"x"])
    r.gauge("gra_depth", help: "Depth.").set(7)
    let h = r.histogram("gra_seconds", help: "Seconds.", buckets: [0.1, 1])
    h.observe(0.05)
    h.observe(0.5)
    h.observe(3)
    let text = r.render()
    #expect(
      text == """
        # HELP gra_depth Depth.
        # TYPE gra_depth gauge
        gra_depth 7
        # HELP gra_seconds Seconds.
        # TYPE gra_seconds histogram
        gra_seconds_bucket{le="0.1"} 1
        gra_seconds_bucket{le="1"} 2
        gra_seconds_bucket{le="+Inf"} 3
        gra_seconds_sum 3.55
        gra_seconds_count 3
        # HELP gra_things_total Things.
        # TYPE gra_things_total counter
        gra_things_total{kind="a"} 3
        gra_things_total{kind="b\\"x"} 1

        """)
  }
}
