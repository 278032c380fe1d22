import CRDModels
import KubeClient

/// Reads the end of an attempt pod's log with a plain `GET pods/NAME/log?tailLines=N`.
struct PodLogReader: Sendable {
  let client: KubernetesClient
  var tailLines = 200

  /// The log's last lines, or nil when the log cannot be read (pod gone, node down).
  func tail(namespace: String, pod: String, container: String) async -> String? {
    let path = "/api/v1/namespaces/\(namespace)/pods/\(pod)/log"
    var request = KubeRequest(
      method: "GET", path: path, query: [("container", container), ("tailLines", String(tailLines))])
    request.accept = "*/*"
    guard let bytes = try? await client.send(request) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The last `lines` lines of `log`, at most `bytes` UTF-8 bytes, for `status.message`.
  static func shortTail(_ log: String, lines: Int = 20, bytes: Int = 2048) -> String {
    var kept = log.split(separator: "\n", omittingEmptySubsequences: false)
    while kept.last?.isEmpty == true { kept.removeLast() }
    var text = kept.suffix(lines).joined(separator: "\n")
    if text.utf8.count > bytes {
      text = "…" + String(decoding: text.utf8.suffix(bytes), as: UTF8.self)
    }
    return text
  }
}
