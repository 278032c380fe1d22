import Testing

@testable import kubectl_gra

@Suite struct TablePrinterTests {
  @Test func padsColumnsLikeKubectlGet() {
    var t = TablePrinter(headers: ["Name", "Phase", "Age"])
    t.add(["demo", "Ready", "5m"])
    t.add(["a-much-longer-name", "", "2d3h"])
    #expect(
      t.render() == """
        NAME                 PHASE    AGE
        demo                 Ready    5m
        a-much-longer-name   <none>   2d3h

        """)
  }

  @Test(arguments: [
    (5, "5s"), (119, "119s"), (120, "2m"), (150, "2m30s"), (600, "10m"), (3 * 3600 + 240, "3h4m"),
    (9 * 3600, "9h"), (2 * 86400 + 3 * 3600, "2d3h"), (10 * 86400, "10d"), (400 * 86400, "400d"),
  ])
  func formatsAgesLikeKubectl(seconds: Int, expected: String) {
    #expect(HumanDuration.format(seconds: seconds) == expected)
  }
}
