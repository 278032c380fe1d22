import ArgumentParser
import CRDModels
import Foundation
import Yams

/// `gra-operator crds`: prints the CustomResourceDefinitions generated from the types, or writes
/// them to a directory (`manifests/crds/` is generated this way: `make generate`).
struct CRDsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crds",
    abstract: "Print the gra.dev CustomResourceDefinitions as YAML.",
    discussion:
      "Without --output-dir, prints every CRD to stdout separated by ---. Output is deterministic (sorted keys)."
  )

  @Option(
    name: .long,
    help:
      "Write one file per CRD (gra.dev_runners.yaml, gra.dev_tracerjobs.yaml) into this directory.")
  var outputDir: String?

  func run() throws {
    let docs = try GraCRDs.all.map { ($0.fileName, try YAMLOutput.document($0.crd)) }
    if let dir = outputDir {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for (name, yaml) in docs {
        let path = URL(fileURLWithPath: dir).appendingPathComponent(name).path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
      }
    } else {
      print(docs.map { "---\n" + $0.1 }.joined(), terminator: "")
    }
  }
}

/// YAML rendering of generated manifests: sorted keys, no line folding, strings quoted when
/// they would otherwise read as another type.
enum YAMLOutput {
  static func document(_ value: JSONValue) throws -> String {
    try Yams.dump(object: plain(value), width: -1, allowUnicode: true, sortKeys: true)
  }

  static func plain(_ v: JSONValue) -> Any {
    switch v {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return Int(i)
    case .double(let d): return d
    case .string(let s): return s
    case .array(let a): return a.map(plain)
    case .object(let o): return o.mapValues(plain)
    }
  }
}
