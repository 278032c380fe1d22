import CRDModels
import Foundation
import Testing

@testable import LocalCluster

/// Pod validation as kube-apiserver 1.32 answers it: 422 Invalid, kube's field paths, its
/// `ErrorBody` messages and the aggregated `Pod "x" is invalid: …` message.
@Suite struct PodValidationTests {
  /// A pod whose single container is `container` (JSON members after the name and image).
  static func pod(_ name: String, container: String = "", spec: String = "") -> String {
    let c = #"{"name":"main","image":"busybox""# + (container.isEmpty ? "" : "," + container) + "}"
    return #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":""# + name + #""},"spec":{"containers":["# + c + "]"
      + (spec.isEmpty ? "" : "," + spec) + "}}"
  }

  static func create(_ c: TestCluster, _ body: String) async throws -> Reply {
    try await c.request("POST", "/api/v1/namespaces/default/pods", body: body)
  }

  static func causes(_ r: Reply) -> [String] {
    (r.json["details"]["causes"].arrayValue ?? []).map {
      "\($0["field"].stringValue ?? ""): \($0["message"].stringValue ?? "") (\($0["reason"].stringValue ?? ""))"
    }
  }

  @Test func envNamesFollowTheRelaxedRuleOf132() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    // Printable ASCII other than '=' is valid since RelaxedEnvironmentVariableValidation
    // (beta and on by default in 1.32), spaces and leading digits included.
    let relaxed = try await Self.create(
      c, Self.pod("relaxed", container: #""env":[{"name":"1 BAD","value":"x"},{"name":"a.b-c:d","value":"y"}]"#))
    #expect(relaxed.code == 201, "\(relaxed.text)")

    let eq = try await Self.create(c, Self.pod("eq", container: #""env":[{"name":"OK"},{"name":"A=B"}]"#))
    #expect(eq.code == 422)
    #expect(eq.json["reason"] == "Invalid")
    #expect(eq.json["details"]["kind"] == "Pod")
    #expect(eq.json["details"]["name"] == "eq")
    #expect(
      eq.json["message"]
        == #"Pod "eq" is invalid: spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='"#
    )
    #expect(
      Self.causes(eq) == [
        #"spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '=' (FieldValueInvalid)"#
      ])

    // Non-ASCII and control characters; Go's %q prints the first as is and escapes the second.
    let odd = try await Self.create(
      c, Self.pod("odd", container: #""env":[{"name":"CAFÉ"},{"name":"A\tB"},{"name":""}]"#))
    #expect(odd.code == 422)
    #expect(
      Self.causes(odd) == [
        #"spec.containers[0].env[0].name: Invalid value: "CAFÉ": a valid environment variable name must consist only of printable ASCII characters other than '=' (FieldValueInvalid)"#,
        #"spec.containers[0].env[1].name: Invalid value: "A\tB": a valid environment variable name must consist only of printable ASCII characters other than '=' (FieldValueInvalid)"#,
        "spec.containers[0].env[2].name: Required value (FieldValueRequired)",
      ])
    #expect(
      odd.json["message"].stringValue?.hasPrefix(#"Pod "odd" is invalid: [spec.containers[0].env[0].name: "#) == true)
    #expect(odd.json["message"].stringValue?.hasSuffix(", spec.containers[0].env[2].name: Required value]") == true)

    let prefix = try await Self.create(
      c, Self.pod("prefix", container: #""envFrom":[{"prefix":"X=","configMapRef":{"name":"cm"}}]"#))
    #expect(Self.causes(prefix).first?.hasPrefix(#"spec.containers[0].envFrom[0].prefix: Invalid value: "X=""#) == true)
  }

  @Test func requestsAboveLimitsAndExtendedResources() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let cpu = try await Self.create(
      c, Self.pod("cpu", container: #""resources":{"requests":{"cpu":"2","memory":"1Gi"},"limits":{"cpu":"1"}}"#))
    #expect(cpu.code == 422)
    #expect(
      cpu.json["message"]
        == #"Pod "cpu" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1"#
    )

    // A fractional GPU: the request is defaulted from the limit, and both are reported with the
    // Quantity printed as Go prints the struct (its String method has a pointer receiver).
    let half = try await Self.create(
      c, Self.pod("half", container: #""resources":{"limits":{"nvidia.com/gpu":"0.5"}}"#))
    #expect(half.code == 422)
    let go =
      #"resource.Quantity{i:resource.int64Amount{value:5, scale:-1}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}"#
    #expect(
      Self.causes(half) == [
        "spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: \(go): must be an integer (FieldValueInvalid)",
        "spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: \(go): must be an integer (FieldValueInvalid)",
      ])
    let milli = try await Self.create(
      c, Self.pod("milli", container: #""resources":{"limits":{"nvidia.com/gpu":"500m"}}"#))
    #expect(
      Self.causes(milli).first
        == #"spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer (FieldValueInvalid)"#
    )

    let unequal = try await Self.create(
      c, Self.pod("unequal", container: #""resources":{"requests":{"nvidia.com/gpu":1},"limits":{"nvidia.com/gpu":2}}"#)
    )
    #expect(
      Self.causes(unequal) == [
        #"spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2 (FieldValueInvalid)"#
      ])
    let noLimit = try await Self.create(
      c, Self.pod("nolimit", container: #""resources":{"requests":{"example.com/fpga":"1"}}"#))
    #expect(
      Self.causes(noLimit) == [
        "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources (FieldValueRequired)"
      ])
    let negative = try await Self.create(c, Self.pod("neg", container: #""resources":{"limits":{"memory":"-1Gi"}}"#))
    #expect(
      Self.causes(negative).first
        == #"spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0 (FieldValueInvalid)"#
    )
    let unknown = try await Self.create(c, Self.pod("gpu", container: #""resources":{"limits":{"gpu":"1"}}"#))
    #expect(
      Self.causes(unknown) == [
        #"spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified (FieldValueInvalid)"#,
        #"spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers (FieldValueInvalid)"#,
        #"spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified (FieldValueInvalid)"#,
        #"spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers (FieldValueInvalid)"#,
      ])

    // A whole GPU in limits only is valid; like SetDefaults_Pod, the request copies the limit.
    let whole = try await Self.create(
      c, Self.pod("whole", container: #""resources":{"limits":{"nvidia.com/gpu":"1","cpu":"500m"}}"#))
    #expect(whole.code == 201, "\(whole.text)")
    #expect(whole.json["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] == "1")
    #expect(whole.json["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "500m")
  }

  @Test func containerNamesPortsAndVolumeMounts() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let names = try await Self.create(
      c,
      #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"names"},"spec":{"containers":[{"name":"Main_1","image":"busybox"},{"name":"b","image":"busybox"},{"name":"b","image":"busybox"},{"name":"a.b","image":""}],"initContainers":[{"name":"b","image":"busybox"}]}}"#
    )
    #expect(names.code == 422)
    #expect(
      Self.causes(names) == [
        "spec.containers[0].name: Invalid value: \"Main_1\": \(Admission.labelMessage) (FieldValueInvalid)",
        #"spec.containers[2].name: Duplicate value: "b" (FieldValueDuplicate)"#,
        #"spec.containers[3].name: Invalid value: "a.b": must not contain dots (FieldValueInvalid)"#,
        "spec.containers[3].image: Required value (FieldValueRequired)",
        #"spec.initContainers[0].name: Duplicate value: "b" (FieldValueDuplicate)"#,
      ])

    let ports = try await Self.create(
      c,
      Self.pod(
        "ports",
        container:
          #""ports":[{"name":"http","containerPort":80},{"name":"http","containerPort":70000},{"name":"Web_1","containerPort":81,"protocol":"HTTP"}]"#
      ))
    #expect(
      Self.causes(ports) == [
        #"spec.containers[0].ports[1].name: Duplicate value: "http" (FieldValueDuplicate)"#,
        "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive (FieldValueInvalid)",
        #"spec.containers[0].ports[2].name: Invalid value: "Web_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-) (FieldValueInvalid)"#,
        #"spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP" (FieldValueNotSupported)"#,
      ])

    let mounts = try await Self.create(
      c,
      Self.pod(
        "mounts",
        container:
          #""volumeMounts":[{"name":"data","mountPath":"/data"},{"name":"cache","mountPath":"/data"},{"name":"typeless","mountPath":"/t"}]"#,
        spec:
          #""volumes":[{"name":"cache","emptyDir":{}},{"name":"typeless"},{"name":"claim","persistentVolumeClaim":{}}]"#
      ))
    #expect(
      Self.causes(mounts) == [
        "spec.volumes[1]: Required value: must specify a volume type (FieldValueRequired)",
        "spec.volumes[2].persistentVolumeClaim.claimName: Required value (FieldValueRequired)",
        #"spec.containers[0].volumeMounts[0].name: Not found: "data" (FieldValueNotFound)"#,
        #"spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique (FieldValueInvalid)"#,
        #"spec.containers[0].volumeMounts[2].name: Not found: "typeless" (FieldValueNotFound)"#,
      ])

    // Two sources in one volume; kube's path for the second spells it "downwarAPI".
    let two = try await Self.create(
      c, Self.pod("two", spec: #""volumes":[{"name":"v","emptyDir":{},"downwardAPI":{},"flexVolume":{"driver":"x"}}]"#))
    #expect(
      Self.causes(two) == [
        "spec.volumes[0].downwarAPI: Forbidden: may not specify more than 1 volume type (FieldValueForbidden)",
        "spec.volumes[0].flexVolume: Forbidden: may not specify more than 1 volume type (FieldValueForbidden)",
      ])

    let policies = try await Self.create(
      c, Self.pod("policies", container: #""imagePullPolicy":"Sometimes""#, spec: #""restartPolicy":"Maybe""#))
    #expect(
      Self.causes(policies) == [
        #"spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never" (FieldValueNotSupported)"#,
        #"spec.restartPolicy: Unsupported value: "Maybe": supported values: "Always", "OnFailure", "Never" (FieldValueNotSupported)"#,
      ])

    // What passes: a mounted volume, named ports, and the update path validates too.
    let good = try await Self.create(
      c,
      Self.pod(
        "good",
        container: #""ports":[{"name":"http","containerPort":80}],"volumeMounts":[{"name":"cache","mountPath":"/c"}]"#,
        spec: #""volumes":[{"name":"cache","emptyDir":{}}]"#))
    #expect(good.code == 201, "\(good.text)")
  }

  @Test func envSourcesProbesAndContainerRestartPolicies() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let env = try await Self.create(
      c,
      Self.pod(
        "env",
        container: #""env":[{"name":"A","value":"x","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},"#
          + #"{"name":"B","valueFrom":{}},{"name":"C","valueFrom":{"secretKeyRef":{"key":"..x"}}},"#
          + #"{"name":"D","valueFrom":{"fieldRef":{"fieldPath":"spec.restartPolicy"}}},"#
          + #"{"name":"E","valueFrom":{"fieldRef":{"fieldPath":"metadata.foo"}}},"#
          + #"{"name":"F","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['app']"}}}]"#))
    #expect(
      Self.causes(env) == [
        "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty (FieldValueInvalid)",
        "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef` (FieldValueInvalid)",
        "spec.containers[0].env[2].valueFrom.secretKeyRef.name: Invalid value: \"\": \(Admission.subdomainMessage) (FieldValueInvalid)",
        "spec.containers[0].env[2].valueFrom.secretKeyRef.key: Invalid value: \"..x\": must not start with '..' (FieldValueInvalid)",
        #"spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.restartPolicy": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs" (FieldValueNotSupported)"#,
        #"spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.foo": error converting fieldPath: field label not supported: metadata.foo (FieldValueInvalid)"#,
      ])

    let probes = try await c.request(
      "POST", "/api/v1/namespaces/default/pods",
      body:
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"probes"},"spec":{"containers":[{"name":"main","image":"busybox","#
        + #""livenessProbe":{"successThreshold":2,"exec":{"command":["true"]}},"readinessProbe":{"periodSeconds":5},"#
        + #""startupProbe":{"exec":{"command":[]},"tcpSocket":{"port":0}},"restartPolicy":"Always"}],"#
        + #""initContainers":[{"name":"init","image":"busybox","readinessProbe":{"exec":{"command":["true"]}}},"#
        + #"{"name":"sidecar","image":"busybox","restartPolicy":"OnFailure"}]}}"#)
    #expect(
      Self.causes(probes) == [
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1 (FieldValueInvalid)",
        "spec.containers[0].readinessProbe: Required value: must specify a handler type (FieldValueRequired)",
        "spec.containers[0].startupProbe.exec.command: Required value (FieldValueRequired)",
        "spec.containers[0].startupProbe.tcpSocket: Forbidden: may not specify more than 1 handler type (FieldValueForbidden)",
        "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers (FieldValueForbidden)",
        "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always (FieldValueForbidden)",
        #"spec.initContainers[1].restartPolicy: Unsupported value: "OnFailure": supported values: "Always" (FieldValueNotSupported)"#,
      ])

    // A valid fieldRef gets its default apiVersion.
    let good = try await Self.create(
      c,
      Self.pod("fieldref", container: #""env":[{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]"#)
    )
    #expect(good.code == 201, "\(good.text)")
    #expect(good.json["spec"]["containers"][0]["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1")
  }

  /// `ValidateObjectMeta` comes first, then the spec; labels and annotations of every kind.
  @Test func labelsAndAnnotations() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let pod = try await Self.create(
      c,
      #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"labels","labels":{"team":"a b","-x":"y"}},"spec":{"containers":[{"name":"main","image":""}]}}"#
    )
    let causes = Self.causes(pod)
    #expect(causes.count == 3)
    #expect(
      causes.first?.hasPrefix(#"metadata.labels: Invalid value: "-x": name part must consist of alphanumeric"#) == true)
    #expect(
      causes.dropFirst().first?.hasPrefix(
        #"metadata.labels: Invalid value: "a b": a valid label must be an empty string"#) == true)
    #expect(causes.last == "spec.containers[0].image: Required value (FieldValueRequired)")
    let cm = try await c.request(
      "POST", "/api/v1/namespaces/default/configmaps",
      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","annotations":{"a/b/c":"x"}}}"#)
    #expect(cm.code == 422)
    #expect(
      cm.json["message"].stringValue?.hasPrefix(
        #"ConfigMap "cm" is invalid: metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of"#)
        == true)
  }

  /// `SetDefaults_ResourceList`: amounts are rounded up to 1m and stored as Go prints them.
  @Test func amountsAreStoredInCanonicalForm() async throws {
    let c = try await TestCluster.start()
    defer { Task { await c.stop() } }
    let r = try await Self.create(
      c,
      Self.pod(
        "amounts",
        container:
          #""resources":{"requests":{"cpu":0.5,"memory":"1024Mi","ephemeral-storage":"1n"},"limits":{"cpu":1,"memory":"1.5Gi"}}"#
      ))
    #expect(r.code == 201, "\(r.text)")
    let res = r.json["spec"]["containers"][0]["resources"]
    #expect(res["requests"]["cpu"] == "500m")
    #expect(res["requests"]["memory"] == "1Gi")
    #expect(res["requests"]["ephemeral-storage"] == "1m")
    #expect(res["limits"]["cpu"] == "1")
    #expect(res["limits"]["memory"] == "1536Mi")
    let claim = try await c.request(
      "POST", "/api/v1/namespaces/default/persistentvolumeclaims",
      body:
        #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"2048Mi"}}}}"#
    )
    #expect(claim.json["spec"]["resources"]["requests"]["storage"] == "2Gi")
  }

  @Test func goQuantityMatchesApimachineryParsing() throws {
    func go(_ s: String) -> String? {
      GoQuantity(parsing: s).map { "\($0.value),\($0.scale),\($0.s),\($0.format),\($0.isDec)" }
    }
    #expect(go("0.5") == "5,-1,,DecimalSI,false")
    #expect(go("500m") == "500,-3,500m,DecimalSI,false")
    #expect(go("1.5") == "15,-1,,DecimalSI,false")
    #expect(go("1000m") == "1000,-3,,DecimalSI,false")
    #expect(go("1Gi") == "1073741824,0,1Gi,BinarySI,false")
    #expect(go("8Gi") == "8589934592,0,,BinarySI,false")
    #expect(go("1.5Gi") == "0,0,,BinarySI,true")
    #expect(go("1e3") == "1,3,1e3,DecimalExponent,false")
    #expect(go("1n") == "1,-3,,DecimalSI,false")  // RoundUp(-3) by the v1 defaulter
    #expect(go("-2.5") == "-25,-1,,DecimalSI,false")
  }
}
