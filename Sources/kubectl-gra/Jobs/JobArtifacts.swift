import CRDModels
import Foundation

/// Where a finished TracerJob's files are and whether a download matches its status.
enum JobArtifacts {
  struct Unreachable: Error, CustomStringConvertible {
    var description: String
  }

  /// The attempt directory (`run.json`, `run.log`, the artifacts) relative to the runner's
  /// workspace, for jobs that ran with `runnerRef` and keep artifacts in its workspace (the
  /// default there). Other destinations are explained in the error.
  static func workspaceDirectory(job: TracerJob, attempt: Int32) throws -> (runner: String, path: String) {
    let name = job.metadata.name ?? ""
    let dest = job.spec?.artifacts?.destination
    if let claim = dest?.persistentVolumeClaim {
      throw Unreachable(
        description:
          "tracerjob \(name) kept its files on claim \(claim.claimName) (pvc://\(claim.claimName)/\(claim.subPath ?? name)/\(attempt)); mount that claim in a runner (spec.workspace.existingClaim) and use kubectl gra cp"
      )
    }
    if let s3 = dest?.s3 {
      let prefix = s3.prefix ?? "\(job.metadata.namespace ?? "default")/\(name)/"
      throw Unreachable(
        description: "tracerjob \(name) uploaded its files to s3://\(s3.bucket)/\(prefix); fetch them from there")
    }
    guard let runner = job.spec?.runnerRef?.name else {
      throw Unreachable(
        description:
          "tracerjob \(name) ran without a runner, so its files were in the pod's own volume and went with it; run it with --runner NAME to keep run.json, run.log and the artifacts"
      )
    }
    let sub = (dest?.workspace?.subPath ?? ".gra/artifacts/\(name)").trimmingCharacters(
      in: CharacterSet(charactersIn: "/"))
    return (runner, "\(sub)/\(attempt)")
  }

  /// One artifact checked against the status.
  struct Check: Sendable, Equatable, Encodable {
    var path: String
    var size: Int64
    var sha256: String
    /// `ok`, `missing` or `mismatch`.
    var result: String
  }

  /// Hashes each recorded artifact under `directory`.
  static func verify(directory: String, records: [ArtifactRecord]) -> [Check] {
    records.map { r in
      let path = (directory as NSString).appendingPathComponent(r.path)
      guard let h = FileHandle(forReadingAtPath: path) else {
        return Check(path: r.path, size: r.size, sha256: r.sha256, result: "missing")
      }
      defer { try? h.close() }
      var hasher = SHA256()
      var size: Int64 = 0
      while true {
        let d = h.readData(ofLength: 1 << 20)
        if d.isEmpty { break }
        hasher.update(d)
        size += Int64(d.count)
      }
      let ok = hasher.hex() == r.sha256.lowercased() && size == r.size
      return Check(path: r.path, size: size, sha256: r.sha256, result: ok ? "ok" : "mismatch")
    }
  }
}
