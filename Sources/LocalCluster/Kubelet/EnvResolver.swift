import CRDModels
import Foundation

/// Resolves a container's environment as the kubelet does: `envFrom` first (with `prefix`),
/// then `env` in order, where `$(NAME)` refers to variables defined earlier and `$$` escapes `$`.
///
/// Missing secrets, config maps or keys that are not `optional` make the container fail to
/// start with `CreateContainerConfigError` and the kubelet's message (``EnvResolver/Failure``).
struct EnvResolver {
  /// A config error with the message the real kubelet uses (e.g. `secret "x" not found`).
  struct Failure: Error, Equatable { var message: String }

  /// Reads a Secret or ConfigMap's decoded data; nil when it does not exist.
  typealias Lookup = @Sendable (_ kind: String, _ name: String) async throws -> [String: String]?

  var pod: JSONValue
  var lookup: Lookup

  func resolve(container: JSONValue) async throws -> [(String, String)] {
    let ns = pod["metadata"]["namespace"].stringValue ?? "default"
    var result: [(String, String)] = []
    var values: [String: String] = [:]
    func set(_ k: String, _ v: String) {
      if let i = result.firstIndex(where: { $0.0 == k }) { result[i].1 = v } else { result.append((k, v)) }
      values[k] = v
    }
    for source in container["envFrom"].arrayValue ?? [] {
      let prefix = source["prefix"].stringValue ?? ""
      for (kind, key) in [("Secret", "secretRef"), ("ConfigMap", "configMapRef")] {
        let ref = source[key]
        guard let name = ref["name"].stringValue else { continue }
        guard let data = try await lookup(kind, name) else {
          if ref["optional"].boolValue == true { continue }
          throw Failure(message: "\(kind.lowercased()) \"\(name)\" not found")
        }
        for k in data.keys.sorted() where Self.isValidName(prefix + k) { set(prefix + k, data[k]!) }
      }
    }
    for env in container["env"].arrayValue ?? [] {
      guard let name = env["name"].stringValue else { continue }
      if let v = env["value"].stringValue {
        set(name, Self.expand(v, values))
        continue
      }
      let from = env["valueFrom"]
      if from.isNull {
        set(name, "")
        continue
      }
      for (kind, key) in [("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")] where !from[key].isNull {
        let ref = from[key]
        let refName = ref["name"].stringValue ?? ""
        let refKey = ref["key"].stringValue ?? ""
        let optional = ref["optional"].boolValue == true
        guard let data = try await lookup(kind, refName) else {
          if optional { break }
          throw Failure(message: "\(kind.lowercased()) \"\(refName)\" not found")
        }
        guard let v = data[refKey] else {
          if optional { break }
          throw Failure(message: "couldn't find key \(refKey) in \(kind) \(ns)/\(refName)")
        }
        set(name, v)
      }
      if let path = from["fieldRef"]["fieldPath"].stringValue {
        guard let v = Self.fieldValue(path, pod: pod) else {
          throw Failure(message: "unsupported fieldPath: \(path)")
        }
        set(name, v)
      }
      if let resource = from["resourceFieldRef"]["resource"].stringValue {
        set(name, Self.resourceValue(resource, container: container, divisor: from["resourceFieldRef"]["divisor"]))
      }
    }
    return result
  }

  /// Values of `fieldRef.fieldPath` the downward API supports.
  static func fieldValue(_ path: String, pod: JSONValue) -> String? {
    switch path {
    case "metadata.name": return pod["metadata"]["name"].stringValue ?? ""
    case "metadata.namespace": return pod["metadata"]["namespace"].stringValue ?? "default"
    case "metadata.uid": return pod["metadata"]["uid"].stringValue ?? ""
    case "spec.nodeName": return pod["spec"]["nodeName"].stringValue ?? ""
    case "spec.serviceAccountName": return pod["spec"]["serviceAccountName"].stringValue ?? "default"
    case "status.hostIP", "status.podIP", "status.hostIPs", "status.podIPs": return "127.0.0.1"
    default:
      for (prefix, field) in [("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")]
      where path.hasPrefix(prefix) && path.hasSuffix("']") {
        let key = String(path.dropFirst(prefix.count).dropLast(2))
        return pod["metadata"][field][key].stringValue ?? ""
      }
      return nil
    }
  }

  static func resourceValue(_ resource: String, container: JSONValue, divisor: JSONValue) -> String {
    let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { return "" }
    let section = parts[0]
    let name = parts[1]
    let raw =
      container["resources"][section][name].stringValue
      ?? container["resources"]["limits"][name].stringValue
      ?? KubeletConfiguration.machineCapacity()[name] ?? "0"
    guard let milli = try? Quantity(parsing: raw).milliValue else { return raw }
    let div = divisor.stringValue.flatMap(Quantity.milliValue(of:)) ?? (divisor.intValue.map { $0 * 1000 } ?? 1000)
    return String((milli + div - 1) / max(div, 1))
  }

  /// Kubernetes' `$(VAR)` expansion: defined names are replaced, undefined ones left as
  /// written, `$$` becomes `$`.
  static func expand(_ s: String, _ values: [String: String]) -> String {
    guard s.contains("$") else { return s }
    let chars = Array(s)
    var out = ""
    var i = 0
    while i < chars.count {
      if chars[i] == "$", i + 1 < chars.count {
        if chars[i + 1] == "$" {
          out.append("$")
          i += 2
          continue
        }
        if chars[i + 1] == "(", let close = chars[(i + 2)...].firstIndex(of: ")") {
          let name = String(chars[(i + 2)..<close])
          if let v = values[name] {
            out += v
          } else {
            out += String(chars[i...close])
          }
          i = close + 1
          continue
        }
      }
      out.append(chars[i])
      i += 1
    }
    return out
  }

  static func isValidName(_ s: String) -> Bool {
    guard let f = s.first, !f.isNumber else { return false }
    return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
  }
}
