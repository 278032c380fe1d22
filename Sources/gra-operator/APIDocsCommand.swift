import ArgumentParser
import CRDModels
import Foundation

/// `gra-operator api-docs`: prints the gra.dev API reference (docs/api.md) generated from the
/// same schemas as the CRDs.
struct APIDocsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "api-docs", abstract: "Print the gra.dev API reference as Markdown (docs/api.md).")

  @Option(name: .long, help: "Write the reference to this file instead of stdout.")
  var output: String?

  func run() throws {
    let text = APIReference.markdown()
    if let output {
      try Data(text.utf8).write(to: URL(fileURLWithPath: output))
      print("wrote \(output)")
    } else {
      print(text, terminator: "")
    }
  }
}
