import CRDModels
import KubeClient
import Testing

@testable import kubectl_gra

/// Errors from the API server, the bridge and the network, as the agent reads them.
@Suite struct MCPToolFailureTests {
  func message(_ error: any Error, _ permission: Permission, _ subject: Subject? = nil) -> String {
    ToolFailure.from(error, needs: permission, subject: subject).message
  }

  @Test func notFoundNamesTheObjectAndTheNextCall() {
    let e = KubeError(
      status: Status(
        message: "runners.gra.dev \"demo\" not found", reason: "NotFound",
        details: StatusDetails(name: "demo", kind: "runners"),
        code: 404))
    #expect(
      message(e, .runners("get", "team"), .runner("demo", "team"))
        == "runner \"demo\" not found in namespace \"team\"; call list_runners to see the runners there, or create_runner to make one"
    )
    #expect(
      message(e, .tracerJobs("get", "team"), .tracerJob("demo", "team")).hasSuffix(
        "call run_tracer_job to start one"))
  }

  @Test func aMissingExecPathMeansTheBridgeIsNotInstalled() {
    let e = KubeError(
      status: Status(
        message: "the server could not find the requested resource", reason: "NotFound", code: 404))
    #expect(
      message(e, .runnerExec("team"), .runner("demo", "team")).hasPrefix(
        "the exec bridge is not served by this cluster"))
  }

  @Test func forbiddenOnLogsNamesTheCoreGroup() {
    let e = KubeError(
      status: Status(message: "pods \"j-1\" is forbidden", reason: "Forbidden", code: 403))
    #expect(
      message(e, .podLogs("team")).contains(
        #"needs "get" on "pods/log" in the core API group, namespace "team""#))
  }

  @Test func conflictsInvalidAndExistingObjectsSayHowToRecover() {
    let exists = KubeError(
      status: Status(
        message: "runners.gra.dev \"demo\" already exists", reason: "AlreadyExists", code: 409))
    #expect(
      message(exists, .runners("create", "t"), .runner("demo", "t")).hasPrefix(
        "runner \"demo\" already exists in namespace \"t\"; use it"))
    let invalid = KubeError(
      status: Status(
        message: "Runner \"demo\" is invalid", reason: "Invalid",
        details: StatusDetails(causes: [
          StatusCause(
            reason: "FieldValueInvalid", message: "must be a quantity",
            field: "spec.resources.limits.cpu")
        ]),
        code: 422))
    #expect(
      message(invalid, .runners("create", "t"))
        == "the API server rejected the request: spec.resources.limits.cpu: must be a quantity; fix the arguments and retry"
    )
  }

  @Test func unauthorizedAndUnreachable() {
    let unauthorized = KubeError(
      status: Status(message: "Unauthorized", reason: "Unauthorized", code: 401))
    #expect(
      message(unauthorized, .runners("list", "t")).hasPrefix(
        "unauthorized: the API server did not accept the credentials"))
    #expect(
      message(KubeError.transport("connection refused"), .runners("list", "t"))
        .hasPrefix("cannot reach the Kubernetes API server (connection refused)"))
  }
}
