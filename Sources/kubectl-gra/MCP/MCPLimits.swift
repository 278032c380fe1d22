/// The limits `kubectl gra mcp` applies to every tool call. Tool descriptions quote these
/// numbers, so what an agent reads is what the server enforces.
struct MCPLimits: Sendable, Equatable {
  /// Bytes of stdout and of stderr returned per command; the rest stays in a workspace file.
  var returnedOutputBytes = 16 * 1024
  /// Saved full streams kept in a runner's `.gra/mcp/`: saving one deletes the oldest beyond
  /// this many.
  var savedOutputsKept = 100
  var execDefaultTimeoutSeconds = 60
  /// Agent clients give up on a tool call after about 10 minutes; longer work is a TracerJob.
  var execMaxTimeoutSeconds = 600
  var readDefaultBytes = 64 * 1024
  var readMaxBytes = 1 << 20
  var writeMaxBytes = 8 << 20
  /// The bridge reads at most 1 MiB of request body; content travels base64-encoded in chunks
  /// of this size (about 700 KB once encoded).
  var writeChunkBytes = 512 * 1024
  var listMaxEntries = 1000
  var waitDefaultSeconds = 120
  var waitMaxSeconds = 600
  var jobWaitDefaultSeconds = 300
  var jobWaitMaxSeconds = 600
  var logTailDefaultLines = 200
  var logTailMaxLines = 5000
  var logMaxBytes = 256 * 1024
  /// How often waits re-read the object.
  var pollInterval: Duration = .milliseconds(500)
}
