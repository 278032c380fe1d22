import CRDModels
import Foundation
import KubeClient

/// A tool call that did not do what was asked. It comes back to the agent as a tool error
/// (`isError: true`) whose text says what happened and what to call next, never as a
/// protocol error: agents read tool errors, protocol errors are often hidden from them.
struct ToolFailure: Error, Equatable, CustomStringConvertible {
  var message: String

  init(_ message: String) { self.message = message }

  var description: String { message }

  static func invalidArgument(_ key: String, _ problem: String) -> ToolFailure {
    ToolFailure("invalid argument \"\(key)\": \(problem)")
  }
}

/// What one API call needs, so a 403 can say which permission is missing.
struct Permission: Sendable, Equatable, CustomStringConvertible {
  var verb: String
  /// e.g. `runners`, `runners/exec`, `pods/log`.
  var resource: String
  /// "" for the core group.
  var group: String
  var namespace: String

  static func runners(_ verb: String, _ ns: String) -> Permission {
    Permission(verb: verb, resource: "runners", group: "gra.dev", namespace: ns)
  }
  static func runnerExec(_ ns: String) -> Permission {
    Permission(verb: "create", resource: "runners/exec", group: "gra.dev", namespace: ns)
  }
  static func tracerJobs(_ verb: String, _ ns: String) -> Permission {
    Permission(verb: verb, resource: "tracerjobs", group: "gra.dev", namespace: ns)
  }
  static func podLogs(_ ns: String) -> Permission {
    Permission(verb: "get", resource: "pods/log", group: "", namespace: ns)
  }

  var description: String {
    // The API server authorizes the aggregated path in group exec.gra.dev before the bridge
    // checks gra.dev itself (a SubjectAccessReview), so a Role needs both.
    let groups =
      resource == "runners/exec"
      ? "API groups \"gra.dev\" and \"exec.gra.dev\""
      : group.isEmpty ? "the core API group" : "API group \"\(group)\""
    return "\"\(verb)\" on \"\(resource)\" in \(groups), namespace \"\(namespace)\""
  }
}

/// The object a call is about, for not-found and conflict messages.
struct Subject: Sendable {
  /// `runner` or `tracer job`.
  var kind: String
  var name: String
  var namespace: String

  static func runner(_ name: String, _ ns: String) -> Subject {
    Subject(kind: "runner", name: name, namespace: ns)
  }
  static func tracerJob(_ name: String, _ ns: String) -> Subject {
    Subject(kind: "tracer job", name: name, namespace: ns)
  }

  var notFoundHint: String {
    kind == "runner"
      ? "call list_runners to see the runners there, or create_runner to make one"
      : "call run_tracer_job to start one"
  }
}

extension ToolFailure {
  /// Turns any error from the API server, the exec bridge or the transport into a tool error
  /// that says what to do next.
  static func from(
    _ error: any Error, needs permission: Permission, subject: Subject? = nil
  )
    -> ToolFailure
  {
    if let f = error as? ToolFailure { return f }
    guard let e = error as? KubeError else { return ToolFailure("\(error)") }
    let server = e.message.isEmpty ? "\(e)" : e.message
    if e.isForbidden {
      return ToolFailure(
        "forbidden: \(server). Your kubeconfig identity needs \(permission). This server acts only with your own rights: ask a cluster admin to bind a Role that grants it (docs/agents.md has one)."
      )
    }
    if e.isUnauthorized {
      return ToolFailure(
        "unauthorized: the API server did not accept the credentials in your kubeconfig (\(server)); log in again or refresh the token, then restart the MCP server"
      )
    }
    if e.isNotFound {
      if let subject, isAboutSubject(e) {
        return ToolFailure(
          "\(subject.kind) \"\(subject.name)\" not found in namespace \"\(subject.namespace)\"; \(subject.notFoundHint)"
        )
      }
      if permission.resource == "runners/exec" {
        return ToolFailure(
          "the exec bridge is not served by this cluster (\(server)); the gra operator and its APIService v1alpha1.exec.gra.dev must be installed and available (kubectl get apiservice v1alpha1.exec.gra.dev)"
        )
      }
      if let subject {
        return ToolFailure(
          "\(subject.kind) \"\(subject.name)\" not found in namespace \"\(subject.namespace)\" (\(server)); \(subject.notFoundHint)"
        )
      }
      return ToolFailure("not found: \(server)")
    }
    if e.isAlreadyExists, let subject {
      return ToolFailure(
        "\(subject.kind) \"\(subject.name)\" already exists in namespace \"\(subject.namespace)\"; use it as it is, pick another name, or delete it first"
      )
    }
    if e.isInvalid {
      let causes = e.causes.map { "\($0.field ?? ""): \($0.message ?? "")" }.joined(separator: "; ")
      return ToolFailure(
        "the API server rejected the request: \(causes.isEmpty ? server : causes); fix the arguments and retry"
      )
    }
    if e.isConflict {
      return ToolFailure(
        "conflict: \(server); someone else changed the object at the same time, retry the call")
    }
    if e.code == 503 || e.code == 502 {
      return ToolFailure(
        "the service behind this call is unavailable (\(server))\(permission.resource == "runners/exec" ? "; is the gra operator running? (kubectl get apiservice v1alpha1.exec.gra.dev)" : ""); retry in a moment"
      )
    }
    if e.kind == .transport {
      return ToolFailure(
        "cannot reach the Kubernetes API server (\(server)); check that the cluster is up and that your kubeconfig points at it"
      )
    }
    return ToolFailure(server)
  }

  /// A 404 about the named object itself (rather than about the URL).
  private static func isAboutSubject(_ e: KubeError) -> Bool {
    if let kind = e.status?.details?.kind, kind == "runners" || kind == "tracerjobs" { return true }
    return e.message.contains("runners.gra.dev \"") || e.message.contains("tracerjobs.gra.dev \"")
  }
}
