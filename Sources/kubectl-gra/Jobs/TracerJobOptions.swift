import CRDModels
import Foundation

/// What `kubectl gra run` (and the MCP `run_tracer_job` tool) asks for, turned into a
/// ``TracerJob``. Plain data: no ArgumentParser, no I/O except reading a local script.
struct TracerJobOptions: Sendable, Equatable {
  /// Default: generated from the module or script name and a random suffix.
  var name: String?
  /// Run in this Runner's workspace (artifacts and `run.log` are kept there).
  var runner: String?
  var image: String?
  /// `python -m MODULE ARGS`.
  var module: String?
  /// A local file (its source is sent inline in the spec) or, when no such local file
  /// exists, a path in the pod relative to the working directory.
  var script: String?
  /// A program and its arguments; used when neither `module` nor `script` is set.
  var command: [String]?
  var args: [String] = []
  var workingDir: String?
  /// `KEY=VALUE`.
  var env: [String] = []
  var setup: [String] = []
  var gitRepo: String?
  var gitRef: String?
  /// Deadline of each attempt.
  var timeoutSeconds: Int64?
  /// Attempts after the first failed one (`backoffLimit`).
  var retries: Int32?
  /// Glob patterns relative to the working directory.
  var artifacts: [String] = []
  var cpu: String?
  var memory: String?
  var gpus: Int?
  var ttlSecondsAfterFinished: Int32?
  var labels: [String: String] = [:]

  struct Invalid: Error, CustomStringConvertible {
    var description: String
  }

  /// The TracerJob, validated as the API would validate it; errors name the flag's field.
  func makeJob(namespace: String, readFile: (String) -> String? = Self.readLocalFile) throws -> TracerJob {
    var spec = TracerJobSpec()
    spec.runnerRef = runner.map { LocalObjectReference(name: $0) }
    spec.image = image
    spec.module = module
    if let script {
      if let source = readFile(script) {
        spec.script = source.contains("\n") ? source : source + "\n"
      } else {
        spec.script = script
      }
    }
    if module == nil && script == nil, let command, !command.isEmpty { spec.command = command }
    if !args.isEmpty { spec.args = args }
    spec.workingDir = workingDir
    if !env.isEmpty {
      spec.env = try env.map { e in
        guard let eq = e.firstIndex(of: "="), eq != e.startIndex else {
          throw Invalid(description: "--env \"\(e)\": use KEY=VALUE")
        }
        return EnvVar(name: String(e[..<eq]), value: String(e[e.index(after: eq)...]))
      }
    }
    if !setup.isEmpty { spec.setup = setup }
    if let gitRepo {
      spec.source = SourceSpec(git: GitSource(repo: gitRepo, ref: gitRef))
    } else if gitRef != nil {
      throw Invalid(description: "--git-ref needs --git-repo")
    }
    spec.timeoutSeconds = timeoutSeconds
    spec.backoffLimit = retries
    if !artifacts.isEmpty { spec.artifacts = ArtifactsSpec(paths: artifacts) }
    spec.ttlSecondsAfterFinished = ttlSecondsAfterFinished
    var limits: [String: Quantity] = [:]
    func quantity(_ s: String, _ flag: String) throws -> Quantity {
      do { return try Quantity(parsing: s) } catch {
        throw Invalid(description: "--\(flag) \"\(s)\": not a quantity (examples: 500m, 2, 4Gi)")
      }
    }
    if let cpu { limits["cpu"] = try quantity(cpu, "cpu") }
    if let memory { limits["memory"] = try quantity(memory, "memory") }
    if let gpus { limits["nvidia.com/gpu"] = try quantity(String(gpus), "gpus") }
    if !limits.isEmpty { spec.resources = ResourceRequirements(limits: limits, requests: limits) }
    let meta = ObjectMeta(
      name: name ?? Self.generatedName(module: module, script: script, command: command), namespace: namespace)
    var job = TracerJob(metadata: meta, spec: spec)
    if !labels.isEmpty { job.metadata.labels = labels }
    let errors = job.validate()
    if !errors.isEmpty { throw Invalid(description: errors.map { "\($0)" }.joined(separator: "; ")) }
    return job
  }

  static func readLocalFile(_ path: String) -> String? {
    let p = (path as NSString).expandingTildeInPath
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue,
      let data = FileManager.default.contents(atPath: p)
    else { return nil }
    return String(validating: Array(data), as: UTF8.self)
  }

  /// `<what>-<5 random>`, e.g. `gradienttracer-x7k2p`, `train-a9c0d`, `run-0bq3z`: a valid name
  /// of at most 52 characters (the TracerJob limit).
  static func generatedName(module: String?, script: String?, command: [String]?) -> String {
    var base = "run"
    if let module {
      base = module.split(separator: ".").last.map(String.init) ?? module
    } else if let script {
      base = ((script as NSString).lastPathComponent as NSString).deletingPathExtension
    } else if let first = command?.first {
      base = (first as NSString).lastPathComponent
    }
    var clean = String(base.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "-" })
    while clean.contains("--") { clean = clean.replacingOccurrences(of: "--", with: "-") }
    clean = String(clean.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
    if clean.isEmpty || !(clean.first!.isLetter) { clean = "run" + (clean.isEmpty ? "" : "-" + clean) }
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    return clean.trimmingCharacters(in: CharacterSet(charactersIn: "-")) + "-"
      + String((0..<5).map { _ in alphabet.randomElement()! })
  }
}
