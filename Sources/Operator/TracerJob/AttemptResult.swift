import CRDModels
import Foundation

/// What one attempt's pod came to, read from its status (pure).
public struct AttemptResult: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    /// The pod is pending or running: nothing to record yet.
    case active
    case succeeded
    case failed
  }

  public var outcome: Outcome
  public var exitCode: Int32?
  public var signal: Int32?
  /// `Succeeded`, `Failed`, `DeadlineExceeded`, `ImagePullFailed`, `SetupFailed`,
  /// `GitCloneFailed`, `Signaled`, `CommandNotFound`, `OOMKilled`, `Evicted`, …
  public var reason: String?
  public var message: String?
  public var startTime: Time?
  public var finishTime: Time?
  /// The termination message when it was gra-run's JSON summary.
  public var summary: RunSummary?

  public init(
    outcome: Outcome, exitCode: Int32? = nil, signal: Int32? = nil, reason: String? = nil, message: String? = nil,
    startTime: Time? = nil, finishTime: Time? = nil, summary: RunSummary? = nil
  ) {
    self.outcome = outcome
    self.exitCode = exitCode
    self.signal = signal
    self.reason = reason
    self.message = message
    self.startTime = startTime
    self.finishTime = finishTime
    self.summary = summary
  }

  /// Waiting reasons that mean the image will not run; the attempt fails at once.
  static let imagePullReasons: Set<String> = [
    "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
  ]

  /// Reads the attempt's result from `pod`'s status.
  public static func evaluate(_ pod: Pod) -> AttemptResult {
    let status = pod.status ?? PodStatus()
    let container =
      status.containerStatuses?.first { $0.name == TracerJobPodBuilder.containerName }
      ?? status.containerStatuses?.first
    let terminated = container?.state?.terminated
    let summary = terminated?.message.flatMap(RunSummary.decode)
    // A container that never started (StartError) reports the zero time, 1970-01-01: then the
    // attempt started when its pod did.
    let started = terminated?.startedAt.flatMap { $0.date.timeIntervalSince1970 > 0 ? $0 : nil }
    let start = started ?? container?.state?.running?.startedAt ?? status.startTime

    if let waiting = container?.state?.waiting, let reason = waiting.reason, imagePullReasons.contains(reason) {
      return AttemptResult(
        outcome: .failed, reason: "ImagePullFailed", message: waiting.message ?? reason, startTime: status.startTime,
        finishTime: nil)
    }
    switch status.phase {
    case "Succeeded":
      return AttemptResult(
        outcome: .succeeded, exitCode: terminated?.exitCode ?? 0, reason: "Succeeded", message: summary?.message,
        startTime: start, finishTime: terminated?.finishedAt, summary: summary)
    case "Failed":
      var r = AttemptResult(
        outcome: .failed, exitCode: terminated?.exitCode, signal: terminated?.signal,
        startTime: start, finishTime: terminated?.finishedAt, summary: summary)
      if status.reason == "DeadlineExceeded" {
        r.reason = "DeadlineExceeded"
        r.message = status.message ?? "the attempt ran longer than timeoutSeconds"
      } else if let s = summary?.reason, s != "Succeeded" {
        r.reason = s
        r.message = summary?.message
      } else if let t = terminated?.reason, t != "Error" {
        r.reason = t
        r.message = terminated?.message
      } else if let p = status.reason {
        r.reason = p
        r.message = status.message
      } else {
        r.reason = "Failed"
        r.message = terminated?.message
      }
      return r
    default:
      return AttemptResult(outcome: .active, startTime: start)
    }
  }
}

/// gra-run's termination message:
/// `{"exitCode":3,"reason":"Failed","artifacts":1,"files":[{"path":…,"size":…,"sha256":…}],…}`.
/// `files` is there when the list fits the message's 4096 bytes; otherwise `filesOmitted`
/// counts them and the controller reads the record line from the log instead.
public struct RunSummary: Codable, Sendable, Equatable {
  public var exitCode: Int32?
  public var reason: String?
  /// The signal's name (`SIGTERM`) when one ended the command.
  public var signal: String?
  public var message: String?
  public var runJson: String?
  public var startTime: String?
  public var endTime: String?
  /// How many artifacts were recorded.
  public var artifacts: Int?
  public var files: [RunRecord.Artifact]?
  public var filesOmitted: Int?

  public init(
    exitCode: Int32? = nil, reason: String? = nil, signal: String? = nil, message: String? = nil, artifacts: Int? = nil,
    files: [RunRecord.Artifact]? = nil, filesOmitted: Int? = nil
  ) {
    self.exitCode = exitCode
    self.reason = reason
    self.signal = signal
    self.message = message
    self.artifacts = artifacts
    self.files = files
    self.filesOmitted = filesOmitted
  }

  /// The artifact list when the summary has all of it (none recorded counts as all).
  public var completeArtifacts: [RunRecord.Artifact]? {
    if let files { return files }
    if filesOmitted == nil, artifacts == 0 { return [] }
    return nil
  }

  /// Nil when `text` is not gra-run's JSON (e.g. the log tail the kubelet used instead).
  public static func decode(_ text: String) -> RunSummary? {
    guard text.first == "{" else { return nil }
    return try? JSONDecoder().decode(RunSummary.self, from: Data(text.utf8))
  }
}

/// The parts of `run.json` the controller copies into the status, from the log line the pod's
/// wrapper prints (see ``TracerJobPodBuilder/recordMarker``).
public struct RunRecord: Codable, Sendable, Equatable {
  public struct Artifact: Codable, Sendable, Equatable {
    public var path: String
    public var size: Int64
    public var sha256: String
    public init(path: String, size: Int64, sha256: String) {
      self.path = path
      self.size = size
      self.sha256 = sha256
    }
  }
  public init(artifacts: [Artifact]? = nil, artifactDir: String? = nil, log: String? = nil) {
    self.artifacts = artifacts
    self.artifactDir = artifactDir
    self.log = log
  }
  public var artifacts: [Artifact]?
  public var artifactDir: String?
  public var log: String?

  /// Finds the last record line in `log` and decodes it; also returns the log without it.
  public static func extract(from log: String) -> (record: RunRecord?, log: String) {
    var lines = log.split(separator: "\n", omittingEmptySubsequences: false)
    guard let i = lines.lastIndex(where: { $0.hasPrefix(TracerJobPodBuilder.recordMarker) }) else { return (nil, log) }
    let json = lines[i].dropFirst(TracerJobPodBuilder.recordMarker.count)
    lines.remove(at: i)
    let record = try? JSONDecoder().decode(RunRecord.self, from: Data(json.utf8))
    return (record, lines.joined(separator: "\n"))
  }
}
