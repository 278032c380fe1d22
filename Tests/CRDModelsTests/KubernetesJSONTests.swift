import Foundation
import Testing

@testable import CRDModels

private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
  try KubeJSON.decode(T.self, from: Data(json.utf8))
}

private func encodeToJSON<T: Encodable>(_ value: T) throws -> JSONValue {
  try JSONValue(encoding: value)
}

@Suite struct KubernetesJSONTests {
  @Test func decodesAPodAsTheServerReturnsIt() throws {
    let pod = try decode(Pod.self, podJSON)
    #expect(pod.metadata.name == "rn-demo")
    #expect(pod.metadata.resourceVersion == "48213")
    #expect(pod.metadata.controllerRef?.kind == "Runner")
    #expect(pod.metadata.managedFields?.count == 2)
    let c = try #require(pod.spec?.containers.first)
    #expect(c.ports?.first?.containerPort == 2222)
    #expect(c.env?[1].valueFrom?.fieldRef?.fieldPath == "status.podIP")
    #expect(c.env?[2].valueFrom?.secretKeyRef?.key == "access-key")
    #expect(c.resources?.requests?["cpu"] == Quantity("500m"))
    #expect(c.resources?.limits?["nvidia.com/gpu"]?.value == 1)
    #expect(c.readinessProbe?.tcpSocket?.port == .int(2222))
    #expect(c.securityContext?.capabilities?.drop == ["ALL"])
    #expect(pod.spec?.securityContext?.seccompProfile?.type == "RuntimeDefault")
    #expect(pod.spec?.volumes?[1].secret?.defaultMode == 0o400)
    #expect(
      pod.spec?.volumes?[2].projected?.sources?.first?.serviceAccountToken?.expirationSeconds
        == 3607)
    #expect(pod.spec?.tolerations?.first?.operator == "Exists")
    let status = try #require(pod.status)
    #expect(status.phase == "Running")
    #expect(status.podIP == "10.244.0.17")
    #expect(status.hostIP == "192.168.49.2")
    #expect(status.conditions?.first { $0.type == "Ready" }?.status == "True")
    #expect(status.conditions?.first?.lastProbeTime == nil)
    let cs = try #require(status.containerStatuses?.first)
    #expect(cs.ready && cs.restartCount == 1)
    #expect(cs.state?.running?.startedAt == Time(Date(timeIntervalSince1970: 1_714_557_605)))
    #expect(cs.lastState?.terminated?.exitCode == 137)
    #expect(cs.lastState?.terminated?.reason == "OOMKilled")
  }

  @Test func writingAPodBackKeepsFieldsGraDoesNotModel() throws {
    var pod = try decode(Pod.self, podJSON)
    pod.spec?.containers[0].image = "ghcr.io/gra-dev/gra-runner:v2"
    pod.spec?.containers[0].env?.removeLast()
    pod.metadata.labels?["extra"] = "yes"
    let out = try encodeToJSON(pod)
    // Changed typed fields are written.
    #expect(out["spec"]["containers"][0]["image"] == "ghcr.io/gra-dev/gra-runner:v2")
    #expect(out["spec"]["containers"][0]["env"].arrayValue?.count == 2)
    #expect(out["metadata"]["labels"]["extra"] == "yes")
    // Unknown fields survive, at the top of the spec and inside the changed container.
    #expect(out["spec"]["dnsPolicy"] == "ClusterFirst")
    #expect(out["spec"]["preemptionPolicy"] == "PreemptLowerPriority")
    #expect(out["spec"]["priority"] == 0)
    #expect(out["spec"]["containers"][0]["resizePolicy"][0]["resourceName"] == "cpu")
    #expect(out["status"]["hostIPs"][0]["ip"] == "192.168.49.2")
    // Unchanged values are written exactly as received (null stays null, 500m stays 500m).
    #expect(out["status"]["conditions"][0]["lastProbeTime"] == .null)
    #expect(out["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "500m")
    // Decoding what we wrote gives back the typed change.
    let again = try out.decode(Pod.self)
    #expect(again.spec?.containers[0].image == "ghcr.io/gra-dev/gra-runner:v2")
  }

  @Test func unchangedObjectsEncodeToTheirOriginalJSON() throws {
    let original = try decode(JSONValue.self, podJSON)
    let pod = try decode(Pod.self, podJSON)
    #expect(try encodeToJSON(pod) == original)
  }

  @Test func removingAFieldRemovesIt() throws {
    var pod = try decode(Pod.self, podJSON)
    pod.metadata.annotations = nil
    pod.spec?.tolerations = nil
    let out = try encodeToJSON(pod)
    #expect(out["metadata"]["annotations"] == .null)
    #expect(out["metadata"].objectValue?["annotations"] == nil)
    #expect(out["spec"].objectValue?["tolerations"] == nil)
    #expect(out["spec"]["dnsPolicy"] == "ClusterFirst")
  }

  @Test func listElementsKeepUnknownFieldsWhenReorderedOrAppended() throws {
    let json = #"""
      {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
       "spec":{"ports":[{"name":"ssh","port":22,"futureField":1},{"name":"http","port":80,"futureField":2}],
               "trafficDistribution":"PreferClose"}}
      """#
    var svc = try decode(Service.self, json)
    svc.spec?.ports?.reverse()
    svc.spec?.ports?[0].port = 8080
    svc.spec?.ports?.append(ServicePort(name: "metrics", port: 9090))
    let out = try encodeToJSON(svc)
    #expect(out["spec"]["ports"][0] == ["name": "http", "port": 8080, "futureField": 2])
    #expect(out["spec"]["ports"][1] == ["name": "ssh", "port": 22, "futureField": 1])
    #expect(out["spec"]["ports"][2] == ["name": "metrics", "port": 9090])
    #expect(out["spec"]["trafficDistribution"] == "PreferClose")
  }

  @Test func objectsBuiltInCodeEncodeTheirTypedFields() throws {
    let cm = ConfigMap(metadata: ObjectMeta(name: "c", namespace: "ns"), data: ["k": "v"])
    let out = try encodeToJSON(cm)
    #expect(
      out == [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "ns"],
        "data": ["k": "v"],
      ])
  }

  @Test(arguments: [
    (
      #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"runners.gra.dev \"demo\" not found","reason":"NotFound","details":{"name":"demo","group":"gra.dev","kind":"runners"},"code":404}"#,
      404, "NotFound"
    ),
    (
      #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on runners.gra.dev \"demo\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"demo","group":"gra.dev","kind":"runners"},"code":409}"#,
      409, "Conflict"
    ),
  ])
  func decodesStatusErrors(json: String, code: Int, reason: String) throws {
    let s = try decode(Status.self, json)
    #expect(s.code == code)
    #expect(s.reason == reason)
    #expect(s.details?.name == "demo")
    #expect(!s.isSuccess)
  }

  @Test func decodesAnInvalidStatusWithCauses() throws {
    let json = #"""
      {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
       "message":"Runner.gra.dev \"demo\" is invalid: [spec.workspace.size: Invalid value: \"ten\": spec.workspace.size in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$', spec.ssh.serviceType: Unsupported value: \"Ingress\": supported values: \"ClusterIP\", \"NodePort\", \"LoadBalancer\"]",
       "reason":"Invalid",
       "details":{"name":"demo","group":"gra.dev","kind":"Runner","causes":[
         {"reason":"FieldValueInvalid","message":"Invalid value: \"ten\": spec.workspace.size in body should match '...'","field":"spec.workspace.size"},
         {"reason":"FieldValueNotSupported","message":"Unsupported value: \"Ingress\": supported values: \"ClusterIP\", \"NodePort\", \"LoadBalancer\"","field":"spec.ssh.serviceType"}]},
       "code":422}
      """#
    let s = try decode(Status.self, json)
    #expect(s.code == 422 && s.reason == "Invalid")
    #expect(s.details?.kind == "Runner")
    #expect(s.details?.causes?.map(\.field) == ["spec.workspace.size", "spec.ssh.serviceType"])
    #expect(s.details?.causes?[1].reason == "FieldValueNotSupported")
  }

  @Test func decodesWatchEventLines() throws {
    let added = #"{"type":"ADDED","object":\#(podJSON)}"#.replacingOccurrences(of: "\n", with: "")
    let e1 = try decode(WatchEvent<Pod>.self, added)
    #expect(e1.type == .added)
    #expect(e1.object?.metadata.name == "rn-demo")

    let bookmark =
      #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48999","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}},"spec":{"containers":null},"status":{}}}"#
    let e2 = try decode(WatchEvent<Pod>.self, bookmark)
    guard case .bookmark(let rv, let annotations) = e2 else {
      Issue.record("not a bookmark: \(e2)")
      return
    }
    #expect(rv == "48999")
    #expect(annotations["k8s.io/initial-events-end"] == "true")
    // A bookmark object also decodes as a Pod, as the watch cache of a client would see it.
    let pod = try decode(
      Pod.self, #"{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48999"}}"#)
    #expect(pod.spec == nil)

    let error =
      #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (48213)","reason":"Expired","code":410}}"#
    let e3 = try decode(WatchEvent<Pod>.self, error)
    guard case .error(let status) = e3 else {
      Issue.record("not an error: \(e3)")
      return
    }
    #expect(status.code == 410 && status.reason == "Expired")
  }

  @Test func decodesALeaseWithMicroTimes() throws {
    let json = #"""
      {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"gra-operator","namespace":"gra-system","resourceVersion":"77"},
       "spec":{"holderIdentity":"gra-operator-7d9f_4b1e","leaseDurationSeconds":15,"acquireTime":"2024-05-01T10:00:00.000000Z",
               "renewTime":"2024-05-01T10:02:30.123456Z","leaseTransitions":3}}
      """#
    var lease = try decode(Lease.self, json)
    #expect(lease.spec?.holderIdentity == "gra-operator-7d9f_4b1e")
    #expect(lease.spec?.leaseTransitions == 3)
    let renew = try #require(lease.spec?.renewTime)
    #expect(renew.description == "2024-05-01T10:02:30.123456Z")
    lease.spec?.renewTime = MicroTime(renew.date.addingTimeInterval(2))
    let out = try encodeToJSON(lease)
    #expect(out["spec"]["renewTime"] == "2024-05-01T10:02:32.123456Z")
    #expect(out["spec"]["acquireTime"] == "2024-05-01T10:00:00.000000Z")
  }

  @Test func decodesEventsReviewsAndPolicies() throws {
    let ev = try decode(
      EventsV1Event.self,
      #"{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"demo.17c9a1b2c3d4e5f6","namespace":"default"},"eventTime":"2024-05-01T10:00:00.500000Z","reportingController":"gra.dev/operator","reportingInstance":"gra-operator-0","action":"Exec","reason":"ExecStarted","regarding":{"apiVersion":"gra.dev/v1alpha1","kind":"Runner","name":"demo","namespace":"default"},"note":"alice ran python -V","type":"Normal","series":{"count":2,"lastObservedTime":"2024-05-01T10:01:00.000000Z"}}"#
    )
    #expect(ev.regarding?.kind == "Runner")
    #expect(ev.series?.count == 2)
    #expect(
      EventsV1Event.resource.path(namespace: "default")
        == "/apis/events.k8s.io/v1/namespaces/default/events")

    let core = try decode(
      CoreEvent.self,
      #"{"apiVersion":"v1","kind":"Event","metadata":{"name":"demo.1","namespace":"default"},"involvedObject":{"kind":"Pod","name":"rn-demo","namespace":"default","uid":"u"},"reason":"Pulled","message":"Successfully pulled image","source":{"component":"kubelet","host":"minikube"},"firstTimestamp":"2024-05-01T10:00:00Z","lastTimestamp":"2024-05-01T10:00:00Z","count":1,"type":"Normal","eventTime":null,"reportingComponent":"kubelet","reportingInstance":"minikube"}"#
    )
    #expect(core.involvedObject?.name == "rn-demo" && core.eventTime == nil)

    let sar = try decode(
      SubjectAccessReview.self,
      #"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","group":"gra.dev","resource":"runners","subresource":"exec","name":"demo"},"user":"alice","groups":["dev","system:authenticated"]},"status":{"allowed":true,"reason":"RBAC: allowed by RoleBinding \"exec/default\""}}"#
    )
    #expect(sar.status?.allowed == true)
    #expect(sar.spec?.resourceAttributes?.subresource == "exec")

    let tr = try decode(
      TokenReview.self,
      #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","metadata":{"creationTimestamp":null},"spec":{"token":"abc"},"status":{"authenticated":true,"user":{"username":"system:serviceaccount:default:agent","uid":"u1","groups":["system:serviceaccounts"],"extra":{"authentication.kubernetes.io/pod-name":["agent-0"]}},"audiences":["https://kubernetes.default.svc"]}}"#
    )
    #expect(tr.status?.user?.extra?["authentication.kubernetes.io/pod-name"] == ["agent-0"])

    let np = try decode(
      NetworkPolicy.self,
      #"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"demo-egress"},"spec":{"podSelector":{"matchLabels":{"gra.dev/runner":"demo"}},"policyTypes":["Egress"],"egress":[{"to":[{"ipBlock":{"cidr":"0.0.0.0/0","except":["169.254.169.254/32"]}}]},{"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],"ports":[{"protocol":"UDP","port":53}]}]}}"#
    )
    #expect(np.spec?.egress?.first?.to?.first?.ipBlock?.except == ["169.254.169.254/32"])
    #expect(np.spec?.egress?[1].ports?.first?.port == .int(53))

    let secret = try decode(
      Secret.self,
      #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s3"},"type":"Opaque","data":{"access-key":"QUtJQQ=="}}"#
    )
    #expect(secret.decodedData["access-key"] == Data("AKIA".utf8))

    let pvc = try decode(
      PersistentVolumeClaim.self,
      #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"demo-workspace"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"10Gi"}},"storageClassName":"standard","volumeMode":"Filesystem","volumeName":"pvc-1"},"status":{"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"}}}"#
    )
    #expect(pvc.status?.capacity?["storage"] == Quantity("10Gi"))

    let ns = try decode(
      Namespace.self,
      #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"#
    )
    #expect(ns.status?.phase == "Active")
    #expect(Namespace.resource.path(namespace: "x", name: "team-a") == "/api/v1/namespaces/team-a")
  }

  @Test func decodesListsOfObjects() throws {
    let json =
      #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"50000","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ"},"items":[\#(podJSON)]}"#
    let list = try decode(ObjectList<Pod>.self, json)
    #expect(list.items.count == 1)
    #expect(list.metadata.continue != nil)
  }
}

@Suite struct GraUnknownFieldTests {
  /// A Runner as a newer CRD version would store it: unknown fields in spec and status.
  static let json = #"""
    {"apiVersion":"gra.dev/v1alpha1","kind":"Runner",
     "metadata":{"name":"demo","namespace":"default","generation":3,"resourceVersion":"9"},
     "spec":{"image":"python:3.12","gpuSharing":{"mode":"timeslice"},"workspace":{"size":"10Gi","snapshotSchedule":"@daily"}},
     "status":{"phase":"Starting","futureCounter":7}}
    """#

  @Test func aStatusWriteKeepsFieldsFromANewerCRD() throws {
    var r = try KubeJSON.decode(Runner.self, from: Data(Self.json.utf8))
    r.status?.phase = .ready
    r.status?.observedGeneration = r.metadata.generation
    r.status?.conditions = [
      Condition(
        type: "Ready", status: .true, lastTransitionTime: Time(Date(timeIntervalSince1970: 0)),
        reason: "PodReady")
    ]
    let out = try JSONValue(encoding: r)
    #expect(out["status"]["phase"] == "Ready")
    #expect(out["status"]["observedGeneration"] == 3)
    #expect(out["status"]["futureCounter"] == 7)
    #expect(out["spec"]["gpuSharing"] == ["mode": "timeslice"])
    #expect(out["spec"]["workspace"]["snapshotSchedule"] == "@daily")
    #expect(out["status"]["conditions"][0]["lastTransitionTime"] == "1970-01-01T00:00:00Z")
  }

  @Test func dropRawSendsTypedFieldsOnly() throws {
    var r = try KubeJSON.decode(Runner.self, from: Data(Self.json.utf8))
    r.dropRaw()
    let out = try JSONValue(encoding: r)
    #expect(out["spec"].objectValue?["gpuSharing"] == nil)
    #expect(out["spec"]["image"] == "python:3.12")
  }

  @Test func decodersCanSkipTheRawCapture() throws {
    let d = JSONDecoder()
    d.userInfo[RawJSON.skipCaptureKey] = true
    let r = try d.decode(Runner.self, from: Data(Self.json.utf8))
    #expect(r.raw.value == nil)
    #expect(try KubeJSON.decode(Runner.self, from: Data(Self.json.utf8)).raw.value != nil)
  }
}
