import ArgumentParser
import CRDModels
import Testing

@testable import gra_operator

/// `gra-operator run --runner-image` and `GRA_RUNNER_IMAGE`.
@Suite struct RunnerImageFlagTests {
  @Test func theFlagIsParsedAndWinsOverTheEnvironment() throws {
    let run = try RunCommand.parse(["--runner-image", "registry.example.com:5000/team/gra-runner:dev-1"])
    #expect(run.runnerImage == "registry.example.com:5000/team/gra-runner:dev-1")
    let image = try RunCommand.runnerImage(
      flag: run.runnerImage, environment: ["GRA_RUNNER_IMAGE": "ghcr.io/other/runner:2"])
    #expect(image == "registry.example.com:5000/team/gra-runner:dev-1")
  }

  @Test func withoutTheFlagTheEnvironmentThenTheBuiltInDefault() throws {
    #expect(try RunCommand.parse([]).runnerImage == nil)
    #expect(
      try RunCommand.runnerImage(flag: nil, environment: ["GRA_RUNNER_IMAGE": "gra-runner:abc"]) == "gra-runner:abc")
    #expect(try RunCommand.runnerImage(flag: nil, environment: ["GRA_RUNNER_IMAGE": ""]) == GraDefaults.runnerImage)
    #expect(try RunCommand.runnerImage(flag: nil, environment: [:]) == GraDefaults.runnerImage)
  }

  @Test(arguments: [
    ("", "is empty"),
    ("ghcr.io/gra dev/runner", "contains a space"),
    ("ghcr.io/Gra-Dev/runner:1", "upper-case"),
    ("ghcr.io/gra-dev/runner:", "invalid tag"),
    ("ghcr.io/gra-dev/runner:-x", "invalid tag"),
    ("ghcr.io/gra-dev/runner@sha256:abc", "invalid digest"),
    ("ghcr.io//runner", "invalid repository name"),
    (":latest", "no repository name"),
    ("https://ghcr.io/gra-dev/runner", "invalid"),
  ])
  func aBadReferenceIsOneErrorNamingTheFlagAndTheFix(value: String, why: String) throws {
    do {
      _ = try RunCommand.parse(["--runner-image", value])
      Issue.record("\(value.debugDescription) was accepted")
    } catch {
      let line = GraOperator.oneLine(for: error)
      #expect(line.hasPrefix("--runner-image \"\(value)\": "), "\(line)")
      #expect(line.contains(why), "\(line)")
      #expect(line.contains("leave the flag out for \(GraDefaults.runnerImage)"), "\(line)")
      #expect(!line.contains("\n"))
    }
  }

  @Test func aBadEnvironmentValueNamesTheVariable() {
    #expect {
      try RunCommand.runnerImage(flag: nil, environment: ["GRA_RUNNER_IMAGE": "Not An Image"])
    } throws: { error in
      "\(error)".hasPrefix("GRA_RUNNER_IMAGE \"Not An Image\": contains a space")
        && "\(error)".contains("unset GRA_RUNNER_IMAGE")
    }
  }

  @Test(arguments: [
    "gra-runner", "gra-runner:latest", "library/python:3.12-slim", "localhost:5000/gra-runner:dev",
    "ghcr.io/gra-dev/gra-runner:latest", "my.registry/a/b/c:v1.2.3_rc-1", "[::1]:5000/gra-runner:x",
    "ghcr.io/gra-dev/gra-runner@sha256:" + String(repeating: "a1", count: 32),
    "ghcr.io/gra-dev/gra-runner:1.0@sha256:" + String(repeating: "0f", count: 32),
  ])
  func validReferencesAreAccepted(value: String) throws {
    #expect(ImageReference.problem(value) == nil)
    #expect(try RunCommand.parse(["--runner-image", value]).runnerImage == value)
  }
}
