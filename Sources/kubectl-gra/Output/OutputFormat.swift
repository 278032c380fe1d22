import ArgumentParser

/// `-o/--output` as kubectl understands it.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
  case table, wide, json, yaml, name

  init?(argument: String) {
    switch argument {
    case "", "table": self = .table
    default: self.init(rawValue: argument)
    }
  }

  static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
