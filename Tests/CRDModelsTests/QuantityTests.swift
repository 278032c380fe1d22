import Foundation
import Testing

@testable import CRDModels

@Suite struct QuantityTests {
  @Test(arguments: [
    ("0", "0"), ("0m", "0"), ("0Ki", "0"), ("00", "0"), ("-0", "0"),
    ("1", "1"), ("1000m", "1"), ("0.5", "500m"), ("1.5", "1500m"), (".5", "500m"), ("1.", "1."),
    ("1000", "1k"), ("1000k", "1M"), ("12000", "12k"), ("1.5k", "1500"), ("100", "100"),
    ("0.001", "1m"), ("0.0001", "100u"), ("1n", "1n"), ("0.1n", "1n"), ("1.1n", "2n"), ("1.0", "1"),
    ("250m", "250m"), ("2500m", "2500m"), ("10000m", "10"), ("1500u", "1500u"), ("1000000u", "1"),
    ("1Ki", "1Ki"), ("1024", "1024"), ("1536Mi", "1536Mi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"),
    ("1024Ki", "1Mi"), ("0.5Ki", "512"), ("1023Ki", "1023Ki"), ("100Ki", "100Ki"), ("10Gi", "10Gi"),
    ("2048Gi", "2Ti"), ("0.5Mi", "512Ki"), ("0.3Ki", "307200m"), ("8Ei", "9223372036854775807"),
    ("1e3", "1e3"), ("1E3", "1E3"), ("1e-3", "1e-3"), ("1.5e3", "1500"), ("12e6", "12e6"),
    ("10e3", "10e3"),
    ("100e3", "100e3"), ("1000e3", "1e6"), ("1e+3", "1e+3"), ("1.5e-3", "1500e-6"),
    // Go keeps an input it considers canonical verbatim, even "1." and "+1".
    ("-1", "-1"), ("-1000m", "-1"), ("-1536Mi", "-1536Mi"), ("-0.5", "-500m"), ("+1", "+1"),
    ("+1.5", "1500m"),
    ("1E", "1E"), ("1000E", "1000E"), ("1P", "1P"), ("1000T", "1P"), ("5G", "5G"), ("2", "2"),
  ])
  func printsLikeKubernetes(input: String, expected: String) throws {
    let q = try Quantity(parsing: input)
    #expect(q.description == expected, "\(input)")
    // The printed form parses back to the same value and prints the same.
    let again = try Quantity(parsing: q.description)
    #expect(again == q)
    #expect(again.description == expected)
  }

  @Test(arguments: [
    ("", "quantities must match"), ("abc", "quantities must match"),
    ("1.2.3", "quantities must match"),
    (" 1", "quantities must match"), ("1 ", "quantities must match"),
    ("1Mi5x", "quantities must match"),
    ("1K", "suffix"), ("1e", "suffix"), ("1ee3", "suffix"), ("--1", "suffix"), ("1mi", "suffix"),
    ("1KiB", "quantities must match"), ("1Kix", "quantities must match"),
  ])
  func rejectsWhatKubernetesRejects(input: String, fragment: String) {
    #expect(throws: QuantityError.self) { try Quantity(parsing: input) }
    do {
      _ = try Quantity(parsing: input)
    } catch {
      #expect(error.message.contains(fragment), "\(input): \(error.message)")
    }
  }

  @Test func comparesByValue() {
    #expect(Quantity("1") == Quantity("1000m"))
    #expect(Quantity("1Gi") == Quantity("1073741824"))
    #expect(Quantity("1Gi") > Quantity("1G"))
    #expect(Quantity("500m") < Quantity("1"))
    #expect(Quantity("-2") < Quantity("-1"))
    #expect(Quantity("-1") < Quantity("0"))
    #expect(Quantity("1n") > Quantity.zero)
    #expect(Set([Quantity("1"), Quantity("1000m")]).count == 1)
    #expect(
      [Quantity("2Gi"), Quantity("512Mi"), Quantity("1G")].sorted().map(\.description) == [
        "512Mi", "1G", "2Gi",
      ])
  }

  @Test func numericValues() {
    #expect(Quantity("1Gi").value == 1_073_741_824)
    #expect(Quantity("0.5").milliValue == 500)
    #expect(Quantity("100m").value == 1)  // rounds up, like Go's Value()
    #expect(Quantity("1.1n").milliValue == 1)
    #expect(Quantity("2").milliValue == 2000)
    #expect(Quantity("-1.5").value == -2)
    #expect(Quantity("1000E").value == Int64.max)
    #expect(Quantity("10Mi").scaledValue(0) == 10_485_760)
    #expect(abs(Quantity("1.5").doubleValue - 1.5) < 1e-12)
    #expect(Quantity(milli: 250).description == "250m")
    #expect(Quantity(2).description == "2")
    #expect(Quantity(1 << 30, format: .binarySI).description == "1Gi")
  }

  struct Holder: Codable, Equatable {
    var q: Quantity
  }

  @Test func decodesStringsAndNumbersEncodesStrings() throws {
    func decode(_ json: String) throws -> Quantity {
      try KubeJSON.decode(Holder.self, from: Data(json.utf8)).q
    }
    #expect(try decode(#"{"q":"1Gi"}"#).description == "1Gi")
    #expect(try decode(#"{"q":2}"#).description == "2")
    #expect(try decode(#"{"q":0.5}"#).description == "500m")
    #expect(try decode(#"{"q":1000}"#).description == "1k")
    #expect(try decode(#"{"q":" 1 "}"#).description == "1")
    #expect(throws: DecodingError.self) { try decode(#"{"q":"1K"}"#) }
    #expect(throws: DecodingError.self) { try decode(#"{"q":true}"#) }
    let out = String(decoding: try KubeJSON.encode(Holder(q: "1024Mi")), as: UTF8.self)
    #expect(out == #"{"q":"1Gi"}"#)
  }
}
