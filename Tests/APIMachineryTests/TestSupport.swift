import CRDModels
import Foundation

/// Parses a JSON text in a test; traps on malformed test data.
func json(_ text: String) -> JSONValue {
  do {
    return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
  } catch {
    fatalError("bad test JSON: \(text): \(error)")
  }
}
