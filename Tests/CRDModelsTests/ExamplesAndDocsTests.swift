import Foundation
import Testing
import Yams

@testable import CRDModels

private let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent()
  .deletingLastPathComponent()

private func yamlJSON(_ any: Any?) -> JSONValue {
  switch any {
  case nil, is NSNull: return .null
  case let b as Bool: return .bool(b)
  case let i as Int: return .int(Int64(i))
  case let d as Double: return .double(d)
  case let s as String: return .string(s)
  case let a as [Any]: return .array(a.map(yamlJSON))
  case let o as [String: Any]: return .object(o.mapValues(yamlJSON))
  default: return .string("\(any!)")
  }
}

@Suite struct ExamplesAndDocsTests {
  static let examples = [
    "runner-minimal.yaml", "runner-ssh-gpu-s3.yaml", "tracerjob-module.yaml",
    "tracerjob-git-setup.yaml",
  ]

  @Test(arguments: examples)
  func examplesDecodeAndValidate(file: String) throws {
    let text = try String(
      contentsOf: repoRoot.appendingPathComponent("manifests/examples/\(file)"), encoding: .utf8)
    let json = yamlJSON(try Yams.load(yaml: text))
    switch json["kind"].stringValue {
    case "Runner":
      let (r, errs) = ManifestDecoder.runner(json)
      #expect(errs.map(\.description) == [])
      #expect(r?.withDefaults().validate() == [])
    case "TracerJob":
      let (j, errs) = ManifestDecoder.tracerJob(json)
      #expect(errs.map(\.description) == [])
      #expect(j?.withDefaults().validate() == [])
    default:
      Issue.record("\(file): unexpected kind \(json["kind"])")
    }
  }

  @Test func theExamplesCoverWhatTheyClaim() throws {
    func load(_ f: String) throws -> JSONValue {
      yamlJSON(
        try Yams.load(
          yaml: String(
            contentsOf: repoRoot.appendingPathComponent("manifests/examples/\(f)"), encoding: .utf8)
        ))
    }
    let gpu = try load("runner-ssh-gpu-s3.yaml")
    #expect(gpu["spec"]["ssh"]["enabled"] == true)
    #expect(gpu["spec"]["resources"]["limits"]["nvidia.com/gpu"] == 1)
    #expect(gpu["spec"]["s3"]["bucket"] != .null)
    let git = try load("tracerjob-git-setup.yaml")
    #expect(git["spec"]["source"]["git"]["repo"] != .null)
    #expect(git["spec"]["setup"].arrayValue?.isEmpty == false)
    #expect(try load("tracerjob-module.yaml")["spec"]["module"] == "gradienttracer")
  }

  @Test func apiReferenceMatchesTheGenerator() throws {
    let onDisk = try String(
      contentsOf: repoRoot.appendingPathComponent("docs/api.md"), encoding: .utf8)
    #expect(
      onDisk == APIReference.markdown(),
      "docs/api.md is stale: run `gra-operator api-docs --output docs/api.md` (make generate)")
  }

  @Test func apiReferenceDocumentsEveryField() {
    let md = APIReference.markdown()
    for field in [
      "`existingClaim`", "`idleTimeout`", "`podFailurePolicy`", "`attemptStatuses`",
      "`outputLimitBytes`", "`sha256`",
    ] {
      #expect(md.contains("| \(field) |"), "\(field)")
    }
    #expect(md.contains("### `Runner.spec.workspace`"))
    #expect(md.contains("`size` and `existingClaim` cannot both be set."))
  }
}
