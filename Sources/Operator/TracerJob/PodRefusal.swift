import CRDModels

/// Says which TracerJob fields a pod refusal (422 Invalid) is about. The API server names the
/// pod's fields (`spec.containers[0].env[7].name`); gra puts its own variables before the
/// job's, so the job's `spec.env[0]` is the pod's `env[7]`. Pure.
enum PodRefusal {
  /// The job's fields behind the pod fields of `causes`, in order, each once; empty when none
  /// of them came from the job's spec as written.
  static func jobFields(_ causes: [StatusCause], pod: Pod, job: TracerJob) -> [String] {
    let userEnv = job.spec?.env?.count ?? 0
    let podEnv = pod.spec?.containers.first?.env?.count ?? 0
    let firstUserEnv = podEnv - userEnv
    let container = "spec.containers[0]."
    var fields: [String] = []
    for cause in causes {
      guard let field = cause.field, field.hasPrefix(container) else { continue }
      let rest = field.dropFirst(container.count)
      var mapped: String?
      if rest.hasPrefix("env["), let close = rest.firstIndex(of: "]"),
        let i = Int(rest[rest.index(rest.startIndex, offsetBy: 4)..<close]), i >= firstUserEnv
      {
        mapped = "spec.env[\(i - firstUserEnv)]" + rest[rest.index(after: close)...]
      } else if rest.hasPrefix("resources") {
        mapped = "spec." + rest
      }
      if let mapped, !fields.contains(mapped) { fields.append(mapped) }
    }
    return fields
  }

  /// The job's status message for a refused pod of attempt `attempt`.
  static func message(serverMessage: String, jobFields: [String], attempt: Int32) -> String {
    let fix = jobFields.isEmpty ? "fix the TracerJob's spec" : "fix \(jobFields.joined(separator: ", ")) of the TracerJob"
    return "the API server refused the pod of attempt \(attempt): \(serverMessage); \(fix) and create the job again"
  }
}
