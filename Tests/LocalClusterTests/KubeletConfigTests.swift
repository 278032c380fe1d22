import CRDModels
import Foundation
import Testing

@testable import LocalCluster

private func json(_ s: String) -> JSONValue { try! KubeJSON.decode(JSONValue.self, from: Data(s.utf8)) }

@Suite("Kubelet env, volumes, images, scheduling, logs")
struct KubeletConfigTests {
  let pod = json(
    #"{"metadata":{"name":"web","namespace":"team","uid":"u-1","labels":{"app":"x"}},"spec":{"nodeName":"local-node"}}"#
  )

  func resolver() -> EnvResolver {
    EnvResolver(pod: pod) { kind, name in
      switch (kind, name) {
      case ("Secret", "creds"): ["token": "s3cr3t", "user": "bob"]
      case ("ConfigMap", "settings"): ["LEVEL": "debug", "bad key": "x"]
      default: nil
      }
    }
  }

  @Test func envResolvesReferencesAndExpandsEarlierVariables() async throws {
    let c = json(
      #"""
      {"envFrom":[{"configMapRef":{"name":"settings"},"prefix":"CFG_"}],
       "env":[{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"creds","key":"token"}}},
              {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
              {"name":"NS","valueFrom":{"fieldRef":{"fieldPath":"metadata.namespace"}}},
              {"name":"UID","valueFrom":{"fieldRef":{"fieldPath":"metadata.uid"}}},
              {"name":"APP","valueFrom":{"fieldRef":{"fieldPath":"metadata.labels['app']"}}},
              {"name":"IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
              {"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}},
              {"name":"URL","value":"http://$(POD).$(NS):$(MISSING)/$$(POD)"},
              {"name":"OPT","valueFrom":{"secretKeyRef":{"name":"nope","key":"k","optional":true}}}]}
      """#)
    let env = try await resolver().resolve(container: c)
    let d = Dictionary(env, uniquingKeysWith: { _, b in b })
    #expect(d["CFG_LEVEL"] == "debug")
    #expect(d["CFG_bad key"] == nil)
    #expect(d["TOKEN"] == "s3cr3t")
    #expect(d["POD"] == "web")
    #expect(d["NS"] == "team")
    #expect(d["UID"] == "u-1")
    #expect(d["APP"] == "x")
    #expect(d["IP"] == "127.0.0.1")
    #expect(d["NODE"] == "local-node")
    #expect(d["URL"] == "http://web.team:$(MISSING)/$(POD)")
    #expect(d["OPT"] == nil)
    #expect(env.first?.0 == "CFG_LEVEL")
  }

  @Test func missingReferencesGiveTheKubeletMessages() async {
    let missingSecret = json(#"{"env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"nope","key":"k"}}}]}"#)
    await #expect(throws: EnvResolver.Failure(message: "secret \"nope\" not found")) {
      try await resolver().resolve(container: missingSecret)
    }
    let missingKey = json(#"{"env":[{"name":"A","valueFrom":{"configMapKeyRef":{"name":"settings","key":"k"}}}]}"#)
    await #expect(throws: EnvResolver.Failure(message: "couldn't find key k in ConfigMap team/settings")) {
      try await resolver().resolve(container: missingKey)
    }
  }

  @Test func commandLineUsesCommandArgsOrTheImage() {
    let python = LocalImage.resolve("python:3.11", runnerScripts: nil)
    let env = [("NAME", "world")]
    #expect(
      PodWorker.commandLine(spec: json(#"{"args":["-c","print(1)"]}"#), image: python, env: env) == ["-c", "print(1)"])
    #expect(PodWorker.commandLine(spec: json(#"{}"#), image: python, env: env) == ["python3"])
    #expect(
      PodWorker.commandLine(spec: json(#"{"command":["echo"],"args":["hi $(NAME)"]}"#), image: python, env: env)
        == ["echo", "hi world"])
    #expect(PodWorker.commandLine(spec: json(#"{"command":["sh"]}"#), image: python, env: env) == ["sh"])
  }

  @Test func volumeMountsResolveSourcesAndSubPaths() throws {
    let layout = PodLayout(dataDirectory: URL(fileURLWithPath: "/data"), uid: "u-1")
    let p = json(
      #"""
      {"metadata":{"namespace":"team"},"spec":{"volumes":[
        {"name":"ws","persistentVolumeClaim":{"claimName":"work"}},{"name":"tmp","emptyDir":{}},
        {"name":"cfg","configMap":{"name":"settings"}},{"name":"key","secret":{"secretName":"creds"}}]}}
      """#)
    let c = json(
      #"""
      {"volumeMounts":[{"name":"cfg","mountPath":"/etc/app/app.conf","subPath":"app.conf"},
        {"name":"ws","mountPath":"/workspace/"},{"name":"tmp","mountPath":"/scratch","readOnly":true},
        {"name":"key","mountPath":"/var/run/secrets/creds"}]}
      """#)
    let m = try VolumeLayout.mounts(pod: p, container: c, layout: layout)
    #expect(m.map(\.target) == ["/workspace", "/scratch", "/etc/app/app.conf", "/var/run/secrets/creds"])
    #expect(
      m[1]
        == VolumeMountPlan(
          volume: "tmp", source: "/data/pods/u-1/volumes/kubernetes.io~empty-dir/tmp", target: "/scratch",
          readOnly: true))
    #expect(m[0].source == "/data/volumes/team/work")
    #expect(m[0].readOnly == false)
    #expect(m[2].source == "/data/pods/u-1/volumes/kubernetes.io~configmap/cfg/app.conf")
    #expect(m[3].readOnly)

    let escape = json(#"{"volumeMounts":[{"name":"ws","mountPath":"/w","subPath":"../../etc"}]}"#)
    #expect(throws: VolumeLayout.Failure.self) { try VolumeLayout.mounts(pod: p, container: escape, layout: layout) }
    let nfs = json(#"{"spec":{"volumes":[{"name":"n","nfs":{"server":"x","path":"/"}}]}}"#)
    let usesNFS = json(#"{"volumeMounts":[{"name":"n","mountPath":"/n"}]}"#)
    #expect(throws: VolumeLayout.Failure.self) { try VolumeLayout.mounts(pod: nfs, container: usesNFS, layout: layout) }
  }

  @Test func projectionHonoursItemsAndModes() throws {
    let data: [String: [UInt8]] = ["a": Array("A".utf8), "b": Array("B".utf8)]
    let all = try VolumeProjection.files(source: json(#"{"defaultMode":256}"#), data: data, kind: "Secret", name: "s")
    #expect(
      all == [
        .init(path: "a", content: Array("A".utf8), mode: 256), .init(path: "b", content: Array("B".utf8), mode: 256),
      ])
    let items = try VolumeProjection.files(
      source: json(#"{"items":[{"key":"b","path":"dir/b.txt","mode":384}]}"#), data: data, kind: "ConfigMap", name: "c")
    #expect(items == [.init(path: "dir/b.txt", content: Array("B".utf8), mode: 0o600)])
    #expect(throws: VolumeProjection.Failure.self) {
      try VolumeProjection.files(
        source: json(#"{"items":[{"key":"zz","path":"z"}]}"#), data: data, kind: "ConfigMap", name: "c")
    }
    let secret = json(#"{"data":{"k":"aGVsbG8="},"stringData":{"s":"plain"}}"#)
    let decoded = VolumeProjection.data(of: secret, kind: "Secret")
    #expect(decoded["k"] == Array("hello".utf8))
    #expect(decoded["s"] == Array("plain".utf8))
  }

  @Test func imageTable() {
    #expect(LocalImage.resolve("ghcr.io/gra-dev/gra-runner:0.1.0", runnerScripts: nil)?.kind == .graRunner)
    #expect(LocalImage.resolve("localhost:5000/my-gra-runner-dev", runnerScripts: nil)?.user == 1000)
    #expect(LocalImage.resolve("python:3.11-slim", runnerScripts: nil)?.kind == .python)
    #expect(LocalImage.resolve("docker.io/library/python", runnerScripts: nil)?.cmd == ["python3"])
    #expect(LocalImage.resolve("busybox:1.36", runnerScripts: nil)?.kind == .shell)
    #expect(LocalImage.resolve("registry.example.com/library/alpine@sha256:abc", runnerScripts: nil)?.kind == .shell)
    #expect(LocalImage.resolve("nginx:1.25", runnerScripts: nil) == nil)
    #expect(LocalImage.resolve("ghcr.io/someone/pythonic:1", runnerScripts: nil) == nil)
    let message = LocalImage.unsupportedMessage("nginx:1.25")
    #expect(message.hasPrefix("Failed to pull image \"nginx:1.25\": "))
    #expect(message.contains("python:*"))
  }

  @Test func schedulerExplainsWhyAPodDoesNotFit() {
    let allocatable = ["cpu": "2", "memory": "4Gi", "pods": "110", "nvidia.com/gpu": "0"]
    let gpu = json(#"{"spec":{"containers":[{"name":"a","resources":{"limits":{"nvidia.com/gpu":"1"}}}]}}"#)
    let reasons = SchedulerFit.reasons(pod: gpu, nodeLabels: [:], allocatable: allocatable, boundPods: [])
    #expect(
      SchedulerFit.message(reasons: reasons)
        == "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    )
    let half = json(#"{"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"1500m"}}}]}}"#)
    #expect(SchedulerFit.reasons(pod: half, nodeLabels: [:], allocatable: allocatable, boundPods: []).isEmpty)
    #expect(
      SchedulerFit.reasons(pod: half, nodeLabels: [:], allocatable: allocatable, boundPods: [half]) == [
        "Insufficient cpu"
      ])
    var done = half
    done["status"] = ["phase": "Succeeded"]
    #expect(SchedulerFit.reasons(pod: half, nodeLabels: [:], allocatable: allocatable, boundPods: [done]).isEmpty)
    let selector = json(#"{"spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"a"}]}}"#)
    #expect(
      SchedulerFit.reasons(pod: selector, nodeLabels: ["disk": "hdd"], allocatable: allocatable, boundPods: [])
        == ["node(s) didn't match Pod's node affinity/selector"])
    #expect(Quantity.milliValue(of: "1Gi") == 1_073_741_824_000)
    #expect(Quantity.milliValue(of: "250m") == 250)
  }

  @Test func logsHonourTailTimestampsAndLimits() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubelet-log-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("0.log")
    let w = try ContainerLogWriter(url: url)
    w.append(stream: "stdout", Array("one\ntwo\nthr".utf8))
    w.append(stream: "stderr", Array("err\n".utf8))
    w.append(stream: "stdout", Array("ee\nfour".utf8))
    w.close()
    let (records, _) = ContainerLogReader.records(path: url.path, from: 0)
    let text = { (r: [LogRecord], ts: Bool) in String(decoding: r.flatMap { $0.output(timestamps: ts) }, as: UTF8.self)
    }
    #expect(text(records, false) == "one\ntwo\nerr\nthree\nfour\n")
    #expect(records.map(\.stream) == ["stdout", "stdout", "stderr", "stdout", "stdout"])
    var o = LogOptions()
    o.tailLines = 2
    #expect(text(ContainerLogReader.select(records, options: o, now: Date()), false) == "three\nfour\n")
    let stamped = text(Array(records.prefix(1)), true)
    #expect(stamped.hasSuffix("Z one\n"))
    #expect(RFC3339.parse(String(stamped.prefix { $0 != " " })) != nil)
    #expect(stamped.split(separator: " ")[0].split(separator: ".")[1].count == 10)
    #expect(ContainerLogReader.tail(path: url.path) == "one\ntwo\nerr\nthree\nfour\n")
  }
}
