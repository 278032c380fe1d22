import Testing

@testable import CRDModels

@Suite struct GoDurationTests {
  @Test(
    arguments: [
      ("0", 0), ("30m", 1_800_000_000_000), ("1h30m", 5_400_000_000_000),
      ("1.5h", 5_400_000_000_000),
      ("90s", 90_000_000_000), ("300ms", 300_000_000), ("1us", 1_000), ("1µs", 1_000),
      ("1μs", 1_000), ("2ns", 2),
      ("-2s", -2_000_000_000), ("+5s", 5_000_000_000), (".5s", 500_000_000), ("1.s", 1_000_000_000),
      ("1h1m1s1ms", 3_661_001_000_000), ("2562047h47m16.854775807s", Int64.max),
    ] as [(String, Int64)])
  func parsesLikeGo(input: String, nanos: Int64) throws {
    #expect(try GoDuration(parsing: input).nanoseconds == nanos)
  }

  @Test(arguments: [
    ("", "invalid duration"), ("30", "missing unit"), ("1d", "unknown unit \"d\""),
    ("1h 30m", "unknown unit \"h \""),
    ("h", "invalid duration"), (".s", "invalid duration"), ("1.5.5s", "missing unit"),
    ("-", "invalid duration"),
    ("2562047h47m16.854775808s", "invalid duration"), ("30M", "unknown unit \"M\""),
  ])
  func rejectsWhatGoRejects(input: String, fragment: String) {
    do {
      _ = try GoDuration(parsing: input)
      Issue.record("\(input) parsed")
    } catch {
      #expect(error.message.contains(fragment), "\(input): \(error.message)")
    }
  }

  @Test(
    arguments: [
      (0, "0s"), (1, "1ns"), (1_500, "1.5µs"), (300_000_000, "300ms"), (1_500_000_000, "1.5s"),
      (92_000_000_000, "1m32s"),
      (5_400_000_000_000, "1h30m0s"), (3_600_000_000_000, "1h0m0s"), (-2_000_000_000, "-2s"),
      (60_500_000_000, "1m0.5s"),
    ] as [(Int64, String)])
  func printsLikeGo(nanos: Int64, expected: String) throws {
    let d = GoDuration(nanoseconds: nanos)
    #expect(d.description == expected)
    #expect(try GoDuration(parsing: expected) == d)
  }
}
