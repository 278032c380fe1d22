import Foundation

/// What a finished program printed and how it ended.
public struct ProcessOutput: Sendable {
  public var status: Int32
  public var output: String

  public init(status: Int32, output: String) {
    self.status = status
    self.output = output
  }
}

/// Runs a program to its end off the cooperative thread pool.
///
/// `Process.waitUntilExit` and pipe reads block their thread. The machine this runs on has two
/// cores, so Swift concurrency has two cooperative threads: a test that blocks one of them stalls
/// the local API server's watchers, the kubelet and the controllers of every test running beside
/// it. The blocking part runs on a Dispatch thread instead; stdout and stderr are combined.
public func runProcess(
  _ path: String, _ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil
) async throws -> ProcessOutput {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: path)
  p.arguments = arguments
  if let environment { p.environment = environment }
  let out = Pipe()
  p.standardOutput = out
  p.standardError = out
  let input = Pipe()
  p.standardInput = stdin == nil ? FileHandle.nullDevice : input
  try p.run()
  return await withCheckedContinuation { c in
    DispatchQueue.global().async {
      if let stdin {
        input.fileHandleForWriting.write(stdin)
        try? input.fileHandleForWriting.close()
      }
      let data = out.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      c.resume(
        returning: ProcessOutput(
          status: p.terminationStatus, output: String(decoding: data, as: UTF8.self)))
    }
  }
}
