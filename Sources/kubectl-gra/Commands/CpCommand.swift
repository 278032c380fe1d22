import ArgumentParser
import CRDModels
import Foundation
import KubeClient

/// One side of `kubectl gra cp`: a local path, or `[NAMESPACE/]RUNNER:PATH`.
enum CopySpec: Equatable {
  case local(String)
  case runner(namespace: String?, name: String, path: String)

  /// kubectl's rule: `RUNNER:PATH` is remote when the part before the first `:` is a name
  /// (optionally `namespace/name`); anything else (`./a:b`, `/tmp/x`) is local.
  init(_ s: String) {
    guard let colon = s.firstIndex(of: ":") else {
      self = .local(s)
      return
    }
    let head = String(s[..<colon])
    let path = String(s[s.index(after: colon)...])
    let parts = head.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let isName = { (n: String) in !n.isEmpty && NameRules.dns1123LabelProblem(n) == nil }
    if parts.count == 1, isName(parts[0]) {
      self = .runner(namespace: nil, name: parts[0], path: path)
    } else if parts.count == 2, isName(parts[0]), isName(parts[1]) {
      self = .runner(namespace: parts[0], name: parts[1], path: path)
    } else {
      self = .local(s)
    }
  }
}

struct CpCommand: RunnerCommand {
  static let configuration = CommandConfiguration(
    commandName: "cp", abstract: "Copy files and directories to and from a Runner's workspace.",
    discussion: """
      One side is RUNNER:PATH (or NAMESPACE/RUNNER:PATH); a relative PATH is relative to the
      runner's workspace (/workspace). Directories are copied recursively. As with cp, a
      destination that is an existing directory or ends in / receives the source inside it;
      missing parent directories are created. The copy is a tar stream over the exec bridge
      (runners/exec, so no pods/exec right is needed); --direct uses pods/exec. Archive members
      that would land outside the destination are refused; symlinks pointing outside are skipped.
      Examples:
        kubectl gra cp train.py demo:                      # into /workspace/train.py
        kubectl gra cp ./data demo:inputs/                 # /workspace/inputs/data/...
        kubectl gra cp demo:out/trace.json ./trace.json
        kubectl gra cp demo:/workspace/out ./results -o json
      """)
  @OptionGroup var global: GlobalOptions
  @Argument(help: "What to copy: a local path or RUNNER:PATH.") var source: String
  @Argument(help: "Where to: RUNNER:PATH or a local path.") var destination: String
  @Flag(help: "Use pods/exec on the runner's pod instead of the exec bridge.") var direct = false

  func validate() throws {
    switch (CopySpec(source), CopySpec(destination)) {
    case (.local, .local): throw ValidationError("one of SOURCE and DESTINATION must be RUNNER:PATH, e.g. demo:out/")
    case (.runner, .runner):
      throw ValidationError("copying between runners is not supported: copy to a local path first")
    default: break
    }
  }

  func execute(client: KubernetesClient, namespace: String) async throws {
    let src = CopySpec(source)
    let dst = CopySpec(destination)
    let (ns, name, remotePath): (String, String, String)
    switch (src, dst) {
    case (.runner(let n, let r, let p), _), (_, .runner(let n, let r, let p)):
      (ns, name, remotePath) = (n ?? namespace, r, p)
    default: throw CLIError(.usage, "one of SOURCE and DESTINATION must be RUNNER:PATH")
    }
    let runner: Runner
    do {
      runner = try await client.api(Runner.self, namespace: ns).get(name)
    } catch let e as KubeError where e.isNotFound {
      throw CLIError(.notFound, "runner \"\(name)\" not found in namespace \"\(ns)\"")
    }
    let executor = try await ExecutorChoice.make(direct: direct, runner: name, client: client, namespace: ns)
    var copy = RunnerCopy(
      executor: executor, base: RunnerCopy.base(of: runner), downloadChunk: RunnerCopy.downloadChunk(for: runner))
    if direct { copy.uploadChunk = 4 << 20 }  // pods/exec has no request size limit
    let result: RunnerCopy.Result
    let direction: String
    if case .local(let path) = src {
      result = try await copy.upload(local: path, remote: remotePath.isEmpty ? "." : remotePath)
      direction = "upload"
    } else {
      guard case .local(let path) = dst else { throw CLIError(.usage, "give a local destination") }
      result = try await copy.download(
        remote: remotePath.isEmpty ? "." : remotePath, local: path,
        warn: { msg in
          FileHandle.standardError.write(Data("warning: \(msg)\n".utf8))
        })
      direction = "download"
    }
    if global.output == .json {
      let v: JSONValue = [
        "runner": .string(name), "namespace": .string(ns), "direction": .string(direction),
        "path": .string(result.path),
        "archiveBytes": .int(result.bytes),
      ]
      write(try RunnerPrinter.json(v))
    } else {
      progress(
        "\(direction == "upload" ? "copied to" : "copied from") runner \(name): \(result.path) (\(result.bytes) bytes of tar)"
      )
    }
  }
}
