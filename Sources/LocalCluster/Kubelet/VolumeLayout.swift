import CRDModels
import Foundation

/// Where a pod's files live on this machine.
///
/// ```
/// <dataDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<volume>/   emptyDir
/// <dataDir>/pods/<uid>/volumes/kubernetes.io~secret/<volume>/      secret, projected as files
/// <dataDir>/pods/<uid>/volumes/kubernetes.io~configmap/<volume>/   configMap, projected as files
/// <dataDir>/pods/<uid>/logs/<container>/<restartCount>.log         container logs (CRI format)
/// <dataDir>/pods/<uid>/containers/<container>/<n>.termination-log  terminationMessagePath
/// <dataDir>/pods/<uid>/rootfs                                      the pod's root (an overlay of /)
/// <dataDir>/volumes/<namespace>/<claim>/                           persistentVolumeClaim (outlives pods)
/// ```
struct PodLayout: Sendable {
  var dataDirectory: URL
  var uid: String

  var podDir: URL { dataDirectory.appendingPathComponent("pods/\(uid)") }
  var rootfs: URL { podDir.appendingPathComponent("rootfs") }
  var layer: URL { podDir.appendingPathComponent("layer") }
  func logFile(container: String, restart: Int) -> URL {
    podDir.appendingPathComponent("logs/\(container)/\(restart).log")
  }
  func terminationLog(container: String, restart: Int) -> URL {
    podDir.appendingPathComponent("containers/\(container)/\(restart).termination-log")
  }
  func volumeDir(plugin: String, name: String) -> URL {
    podDir.appendingPathComponent("volumes/kubernetes.io~\(plugin)/\(name)")
  }
  static func claimDir(dataDirectory: URL, namespace: String, claim: String) -> URL {
    dataDirectory.appendingPathComponent("volumes/\(namespace)/\(claim)")
  }

  /// The host directory backing a pod volume, or nil for a volume type the local kubelet
  /// does not support.
  func source(of volume: JSONValue, namespace: String) -> URL? {
    let name = volume["name"].stringValue ?? ""
    if !volume["emptyDir"].isNull { return volumeDir(plugin: "empty-dir", name: name) }
    if !volume["secret"].isNull { return volumeDir(plugin: "secret", name: name) }
    if !volume["configMap"].isNull { return volumeDir(plugin: "configmap", name: name) }
    if let claim = volume["persistentVolumeClaim"]["claimName"].stringValue {
      return Self.claimDir(dataDirectory: dataDirectory, namespace: namespace, claim: claim)
    }
    if let path = volume["hostPath"]["path"].stringValue { return URL(fileURLWithPath: path) }
    return nil
  }
}

/// A bind mount into a container: host `source` at `target` inside the pod's root.
struct VolumeMountPlan: Sendable, Equatable {
  var volume: String
  var source: String
  var target: String
  var readOnly: Bool
}

enum VolumeLayout {
  struct Failure: Error, Equatable { var message: String }

  /// The bind mounts for `container`'s `volumeMounts`, shallowest first, with `subPath`
  /// resolved under the volume (a `subPath` may not leave its volume).
  static func mounts(pod: JSONValue, container: JSONValue, layout: PodLayout) throws -> [VolumeMountPlan] {
    let ns = pod["metadata"]["namespace"].stringValue ?? "default"
    let volumes = pod["spec"]["volumes"].arrayValue ?? []
    var plans: [VolumeMountPlan] = []
    for m in container["volumeMounts"].arrayValue ?? [] {
      let name = m["name"].stringValue ?? ""
      guard let target = m["mountPath"].stringValue, target.hasPrefix("/") else {
        throw Failure(message: "volumeMount \"\(name)\": mountPath must be an absolute path")
      }
      guard let volume = volumes.first(where: { $0["name"].stringValue == name }) else {
        throw Failure(message: "volumeMount \"\(name)\": no volume of that name in the pod")
      }
      guard var source = layout.source(of: volume, namespace: ns)?.path else {
        throw Failure(
          message: "volume \"\(name)\": the local kubelet supports emptyDir, persistentVolumeClaim, secret, "
            + "configMap and hostPath volumes only")
      }
      if let sub = m["subPath"].stringValue, !sub.isEmpty {
        let parts = sub.split(separator: "/")
        guard !sub.hasPrefix("/"), !parts.contains("..") else {
          throw Failure(
            message: "volumeMount \"\(name)\": subPath \"\(sub)\" must be a relative path inside the volume")
        }
        source += "/" + parts.joined(separator: "/")
      }
      let ro =
        m["readOnly"].boolValue == true || volume["persistentVolumeClaim"]["readOnly"].boolValue == true
        || !volume["secret"].isNull || !volume["configMap"].isNull
      plans.append(VolumeMountPlan(volume: name, source: source, target: normalize(target), readOnly: ro))
    }
    let depth = { (p: VolumeMountPlan) in p.target.split(separator: "/").count }
    return plans.enumerated().sorted { a, b in
      depth(a.element) != depth(b.element) ? depth(a.element) < depth(b.element) : a.offset < b.offset
    }.map(\.element)
  }

  static func normalize(_ path: String) -> String {
    "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
  }
}

/// The files a secret or configMap volume projects: `items` (key → path, mode) or every key,
/// with `defaultMode` (0644 unless given).
enum VolumeProjection {
  struct File: Equatable {
    var path: String
    var content: [UInt8]
    var mode: Int
  }
  struct Failure: Error, Equatable { var message: String }

  static func files(source: JSONValue, data: [String: [UInt8]], kind: String, name: String) throws -> [File] {
    let defaultMode = Int(source["defaultMode"].intValue ?? 0o644)
    guard let items = source["items"].arrayValue, !items.isEmpty else {
      return data.keys.sorted().map { File(path: $0, content: data[$0]!, mode: defaultMode) }
    }
    var out: [File] = []
    for item in items {
      let key = item["key"].stringValue ?? ""
      guard let content = data[key] else {
        if source["optional"].boolValue == true { continue }
        throw Failure(
          message: "configmap references non-existent config key: \(key)".replacingOccurrences(
            of: "configmap", with: kind == "Secret" ? "secret" : "configmap"))
      }
      let path = item["path"].stringValue ?? key
      guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
        throw Failure(message: "\(kind.lowercased()) \"\(name)\": item path \"\(path)\" must be relative")
      }
      out.append(File(path: path, content: content, mode: Int(item["mode"].intValue ?? Int64(defaultMode))))
    }
    return out
  }

  /// Writes the files into `dir`, replacing what was there.
  static func write(_ files: [File], to dir: URL) throws {
    let fm = FileManager.default
    try? fm.removeItem(at: dir)
    try fm.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    for f in files {
      let url = dir.appendingPathComponent(f.path)
      try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(f.content).write(to: url)
      try fm.setAttributes([.posixPermissions: f.mode], ofItemAtPath: url.path)
    }
  }

  /// Decoded data of a Secret (`data` is base64, `stringData` plain) or ConfigMap (`data`
  /// plain, `binaryData` base64).
  static func data(of object: JSONValue, kind: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let base64Field = kind == "Secret" ? "data" : "binaryData"
    let plainField = kind == "Secret" ? "stringData" : "data"
    for (k, v) in object[plainField].objectValue ?? [:] { if let s = v.stringValue { out[k] = Array(s.utf8) } }
    for (k, v) in object[base64Field].objectValue ?? [:] {
      if let s = v.stringValue, let d = Data(base64Encoded: s) { out[k] = [UInt8](d) }
    }
    return out
  }
}
