import CRDModels
import Foundation

/// The Node object the local kubelet registers and keeps fresh.
enum NodeObject {
  static var architecture: String {
    #if arch(arm64)
      "arm64"
    #else
      "amd64"
    #endif
  }

  static func labels(_ name: String) -> JSONValue {
    [
      "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
      "kubernetes.io/arch": .string(architecture), "beta.kubernetes.io/os": "linux",
      "beta.kubernetes.io/arch": .string(architecture),
    ]
  }

  static func conditions(now: Date, since: Date) -> JSONValue {
    let rows: [(String, String, String, String)] = [
      ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      ("Ready", "True", "KubeletReady", "kubelet is posting ready status (local kubelet: pods run as local processes)"),
    ]
    return .array(
      rows.map { type, status, reason, message in
        [
          "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
          "lastHeartbeatTime": .string(Time(now).description), "lastTransitionTime": .string(Time(since).description),
        ]
      })
  }

  static func status(_ config: KubeletConfiguration, now: Date, since: Date) -> JSONValue {
    let capacity = JSONValue.object(config.capacity.mapValues { .string($0) })
    var status: JSONValue = ["capacity": capacity, "allocatable": capacity]
    status["conditions"] = conditions(now: now, since: since)
    status["addresses"] = [
      ["type": "InternalIP", "address": "127.0.0.1"], ["type": "Hostname", "address": .string(config.nodeName)],
    ]
    status["daemonEndpoints"] = ["kubeletEndpoint": ["Port": 0]]
    var info: JSONValue = ["kubeletVersion": "v1.32.0-gra-local", "kubeProxyVersion": "", "operatingSystem": "linux"]
    info["architecture"] = .string(architecture)
    info["containerRuntimeVersion"] = "local://gra-kubelet"
    info["osImage"] = .string(osImage())
    info["kernelVersion"] = .string(kernelVersion())
    info["machineID"] = .string(
      (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        ?? "")
    info["systemUUID"] = ""
    info["bootID"] = .string(
      (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?.trimmingCharacters(
        in: .whitespacesAndNewlines) ?? "")
    status["nodeInfo"] = info
    return status
  }

  static func object(_ config: KubeletConfiguration, now: Date) -> JSONValue {
    var node: JSONValue = ["apiVersion": "v1", "kind": "Node"]
    node["metadata"] = [
      "name": .string(config.nodeName), "labels": labels(config.nodeName),
      "annotations": ["node.alpha.kubernetes.io/ttl": "0", "gra.dev/local-kubelet": "true"],
    ]
    node["spec"] = .object([:])
    node["status"] = status(config, now: now, since: now)
    return node
  }

  static func osImage() -> String {
    guard let s = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
    for line in s.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
      return String(line.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    return "Linux"
  }

  static func kernelVersion() -> String {
    (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
  }
}
