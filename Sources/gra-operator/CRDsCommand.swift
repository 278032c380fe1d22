import ArgumentParser

/// `gra-operator crds`: prints the CustomResourceDefinitions generated from the types.
struct CRDsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crds", abstract: "Print the gra.dev CustomResourceDefinitions as YAML.")
  func run() throws {
    throw ValidationError("not implemented yet")
  }
}
