import CRDModels
import Foundation

/// `meta.k8s.io/v1` Table output for `kubectl get`: the CRD's `additionalPrinterColumns`, or the
/// built-in columns kube-apiserver prints for its own kinds.
enum TableConverter {
  static func wantsTable(_ req: HTTPRequest) -> Bool {
    // Most clients ask for plain JSON; only a Table request needs the parameters parsed.
    guard let accept = req.header("Accept"), accept.contains("Table") else { return false }
    for part in accept.split(separator: ",") {
      let params = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
      guard params.first == "application/json" else { continue }
      if params.contains("as=Table") && params.contains("g=meta.k8s.io")
        && (params.contains("v=v1") || params.contains("v=v1beta1"))
      {
        return true
      }
      return false
    }
    return false
  }

  struct Column: Sendable {
    var def: PrinterColumn
    var cell: @Sendable (JSONValue) -> JSONValue
  }

  static func col(
    _ name: String, _ type: String = "string", format: String = "", priority: Int = 0, description: String = "",
    _ f: @escaping @Sendable (JSONValue) -> JSONValue
  ) -> Column {
    Column(
      def: PrinterColumn(
        name: name, type: type, format: format, description: description, priority: priority, jsonPath: ""), cell: f)
  }

  static let nameColumn = col(
    "Name", format: "name",
    description:
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
  ) { .string($0["metadata"]["name"].stringValue ?? "") }
  static let ageColumn = col(
    "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created."
  ) { age($0["metadata"]["creationTimestamp"]) }

  static func age(_ v: JSONValue) -> JSONValue {
    guard let s = v.stringValue, let d = RFC3339.parse(s) else { return "<unknown>" }
    return .string(humanDuration(Date().timeIntervalSince(d)))
  }

  /// Go's `duration.HumanDuration`.
  static func humanDuration(_ t: TimeInterval) -> String {
    let seconds = Int(t)
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 120 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
    if minutes < 180 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 { return "\(hours / 24 / 365)y\((hours / 24) % 365)d" }
    return "\(hours / 24 / 365)y"
  }

  static func columns(_ r: ResourceInfo) -> [Column] {
    if r.isCustom {
      if r.printerColumns.isEmpty { return [nameColumn, ageColumn] }
      return [nameColumn]
        + r.printerColumns.map { pc in
          Column(def: pc) { obj in
            let v = JSONPath.evaluate(pc.jsonPath, obj).first ?? .null
            if pc.type == "date" { return v.isNull ? .null : age(v) }
            switch (pc.type, v) {
            case ("integer", .double(let d)): return .int(Int64(d))
            case ("string", .int(let i)): return .string(String(i))
            case ("string", .bool(let b)): return .string(b ? "true" : "false")
            case ("string", .array), ("string", .object): return .string(v.serializedString())
            default: return v
            }
          }
        }
    }
    switch r.storageKey {
    case "/pods": return podColumns
    case "/namespaces":
      return [nameColumn, col("Status") { $0["status"]["phase"] }, ageColumn]
    case "/services":
      return [
        nameColumn, col("Type") { $0["spec"]["type"] }, col("Cluster-IP") { $0["spec"]["clusterIP"] },
        col("External-IP") { o in
          let ips = (o["status"]["loadBalancer"]["ingress"].arrayValue ?? []).compactMap { $0["ip"].stringValue }
          let ext = (o["spec"]["externalIPs"].arrayValue ?? []).compactMap(\.stringValue)
          let all = ext + ips
          return .string(
            all.isEmpty
              ? (o["spec"]["type"].stringValue == "LoadBalancer" ? "<pending>" : "<none>") : all.joined(separator: ","))
        },
        col("Port(s)") { o in
          let ps = (o["spec"]["ports"].arrayValue ?? []).map { p -> String in
            var s = String(p["port"].intValue ?? 0)
            if let np = p["nodePort"].intValue { s += ":\(np)" }
            return s + "/" + (p["protocol"].stringValue ?? "TCP")
          }
          return .string(ps.isEmpty ? "<none>" : ps.joined(separator: ","))
        },
        ageColumn,
        col("Selector", priority: 1) { o in
          let sel = (o["spec"]["selector"].objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.stringValue ?? "")"
          }
          return .string(sel.isEmpty ? "<none>" : sel.joined(separator: ","))
        },
      ]
    case "/configmaps":
      return [
        nameColumn,
        col("Data", "integer") {
          .int(Int64(($0["data"].objectValue?.count ?? 0) + ($0["binaryData"].objectValue?.count ?? 0)))
        }, ageColumn,
      ]
    case "/secrets":
      return [
        nameColumn, col("Type") { $0["type"] },
        col("Data", "integer") { .int(Int64($0["data"].objectValue?.count ?? 0)) }, ageColumn,
      ]
    case "/serviceaccounts":
      return [nameColumn, col("Secrets", "integer") { .int(Int64($0["secrets"].arrayValue?.count ?? 0)) }, ageColumn]
    case "/persistentvolumeclaims":
      return [
        nameColumn, col("Status") { $0["status"]["phase"] }, col("Volume") { $0["spec"]["volumeName"] },
        col("Capacity") { $0["status"]["capacity"]["storage"] },
        col("Access Modes") { o in
          .string(
            (o["status"]["accessModes"].arrayValue ?? []).compactMap(\.stringValue).map(accessModeShort).joined(
              separator: ","))
        },
        col("StorageClass") { $0["spec"]["storageClassName"].isNull ? "<unset>" : $0["spec"]["storageClassName"] },
        col("VolumeAttributesClass") {
          $0["spec"]["volumeAttributesClassName"].isNull ? "<unset>" : $0["spec"]["volumeAttributesClassName"]
        },
        ageColumn, col("VolumeMode", priority: 1) { $0["spec"]["volumeMode"] },
      ]
    case "storage.k8s.io/storageclasses":
      var name = nameColumn
      name.cell = { o in
        let n = o["metadata"]["name"].stringValue ?? ""
        return .string(StorageAdmission.isDefault(o) ? "\(n) (default)" : n)
      }
      return [
        name, col("Provisioner") { $0["provisioner"] }, col("ReclaimPolicy") { $0["reclaimPolicy"] },
        col("VolumeBindingMode") { $0["volumeBindingMode"] },
        col("AllowVolumeExpansion") { .bool($0["allowVolumeExpansion"].boolValue ?? false) }, ageColumn,
      ]
    case "/nodes":
      return [
        nameColumn,
        col("Status") { o in
          let ready = (o["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
          var s = ready?["status"].stringValue == "True" ? "Ready" : (ready == nil ? "Unknown" : "NotReady")
          if o["spec"]["unschedulable"].boolValue == true { s += ",SchedulingDisabled" }
          return .string(s)
        },
        col("Roles") { o in
          let roles = (o["metadata"]["labels"].objectValue ?? [:]).keys.filter {
            $0.hasPrefix("node-role.kubernetes.io/")
          }
          .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
          return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        },
        ageColumn,
        col("Version") {
          $0["status"]["nodeInfo"]["kubeletVersion"].isNull ? "" : $0["status"]["nodeInfo"]["kubeletVersion"]
        },
      ]
    case "/events":
      return [
        col("Last Seen") { o in age(o["lastTimestamp"].isNull ? o["eventTime"] : o["lastTimestamp"]) },
        col("Type") { $0["type"] }, col("Reason") { $0["reason"] },
        col("Object") { o in
          .string(
            "\((o["involvedObject"]["kind"].stringValue ?? "").lowercased())/\(o["involvedObject"]["name"].stringValue ?? "")"
          )
        },
        col("Message") { $0["message"] },
      ]
    case "coordination.k8s.io/leases":
      return [nameColumn, col("Holder") { $0["spec"]["holderIdentity"] }, ageColumn]
    case "apiextensions.k8s.io/customresourcedefinitions":
      return [nameColumn, col("Created At", format: "date") { $0["metadata"]["creationTimestamp"] }]
    default:
      return [nameColumn, ageColumn]
    }
  }

  static func accessModeShort(_ m: String) -> String {
    switch m {
    case "ReadWriteOnce": "RWO"
    case "ReadOnlyMany": "ROX"
    case "ReadWriteMany": "RWX"
    case "ReadWriteOncePod": "RWOP"
    default: m
    }
  }

  static let podColumns: [Column] = [
    nameColumn,
    col("Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { o in
      let cs = o["spec"]["containers"].arrayValue ?? []
      let ready = (o["status"]["containerStatuses"].arrayValue ?? []).filter { $0["ready"].boolValue == true }.count
      return .string("\(ready)/\(cs.count)")
    },
    col("Status", description: "The aggregate status of the containers in this pod.") { podStatus($0) },
    col(
      "Restarts",
      description:
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
    ) { o in
      let n = (o["status"]["containerStatuses"].arrayValue ?? []).reduce(Int64(0)) {
        $0 + ($1["restartCount"].intValue ?? 0)
      }
      return .string(String(n))
    },
    ageColumn,
    col("IP", priority: 1) { $0["status"]["podIP"].isNull ? "<none>" : $0["status"]["podIP"] },
    col("Node", priority: 1) { $0["spec"]["nodeName"].isNull ? "<none>" : $0["spec"]["nodeName"] },
    col("Nominated Node", priority: 1) {
      $0["status"]["nominatedNodeName"].isNull ? "<none>" : $0["status"]["nominatedNodeName"]
    },
    col("Readiness Gates", priority: 1) { _ in "<none>" },
  ]

  /// The STATUS column of `kubectl get pods` (printPod in kube's printers).
  static func podStatus(_ o: JSONValue) -> JSONValue {
    var reason = o["status"]["reason"].stringValue ?? o["status"]["phase"].stringValue ?? "Unknown"
    for cs in (o["status"]["initContainerStatuses"].arrayValue ?? []) {
      if let r = cs["state"]["terminated"]["reason"].stringValue, cs["state"]["terminated"]["exitCode"].intValue != 0 {
        reason = "Init:" + r
        break
      }
      if let r = cs["state"]["waiting"]["reason"].stringValue, r != "PodInitializing" {
        reason = "Init:" + r
        break
      }
    }
    if !reason.hasPrefix("Init:") {
      for cs in (o["status"]["containerStatuses"].arrayValue ?? []).reversed() {
        if let r = cs["state"]["waiting"]["reason"].stringValue, !r.isEmpty {
          reason = r
        } else if let r = cs["state"]["terminated"]["reason"].stringValue, !r.isEmpty {
          reason = r
        } else if !cs["state"]["terminated"].isNull {
          let t = cs["state"]["terminated"]
          if let sig = t["signal"].intValue, sig != 0 {
            reason = "Signal:\(sig)"
          } else {
            reason = "ExitCode:\(t["exitCode"].intValue ?? 0)"
          }
        }
      }
    }
    if !o["metadata"]["deletionTimestamp"].isNull { reason = "Terminating" }
    return .string(reason)
  }

  static func partialMetadata(_ obj: JSONValue) -> JSONValue {
    ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]]
  }

  static func table(
    _ r: ResourceInfo, _ items: [JSONValue], req: HTTPRequest, listRV: String?, continueToken: String?
  ) -> JSONValue {
    let cols = columns(r)
    let include = req.q("includeObject") ?? "Metadata"
    var defs: [JSONValue] = []
    for c in cols {
      var d: JSONValue = ["name": .string(c.def.name), "type": .string(c.def.type), "format": .string(c.def.format)]
      d["description"] = .string(c.def.description)
      d["priority"] = .int(Int64(c.def.priority))
      defs.append(d)
    }
    var rows: [JSONValue] = []
    for obj in items {
      var row: JSONValue = ["cells": .array(cols.map { $0.cell(obj) })]
      switch include {
      case "None": break
      case "Object": row["object"] = obj
      default: row["object"] = partialMetadata(obj)
      }
      rows.append(row)
    }
    var meta: [String: JSONValue] = [:]
    if let listRV { meta["resourceVersion"] = .string(listRV) }
    if let continueToken { meta["continue"] = .string(continueToken) }
    return [
      "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta), "columnDefinitions": .array(defs),
      "rows": .array(rows),
    ]
  }
}

/// Lines of a watch response: one JSON object per event, then a newline.
enum WatchEncoding {
  /// A line of a plain JSON watch, from the event's object already serialized: the bytes of
  /// `{"object":…,"type":…}` as the writer spells that object (keys sorted).
  static func eventLine(_ type: WatchEventType, objectJSON: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(objectJSON.count + 32)
    out.append(contentsOf: #"{"object":"#.utf8)
    out.append(contentsOf: objectJSON)
    out.append(contentsOf: #","type":"#.utf8)
    JSONValue.string(type.rawValue).write(into: &out)
    out.append(contentsOf: "}\n".utf8)
    return out
  }

  /// A line of a watch, as JSON or, for a request that asked for one, as a Table of one row.
  static func line(_ item: WatchItem, _ r: ResourceInfo, tableFor req: HTTPRequest?) -> [UInt8] {
    let event: JSONValue
    switch item {
    case .event(let type, let obj):
      guard let req else { return eventLine(type, objectJSON: obj.serialized()) }
      let row = TableConverter.table(r, [obj], req: req, listRV: nil, continueToken: nil)
      event = ["type": .string(type.rawValue), "object": row]
    case .bookmark(let rv, let annotations):
      var meta: JSONValue = ["resourceVersion": .string(rv), "creationTimestamp": .null]
      if !annotations.isEmpty { meta["annotations"] = .object(annotations.mapValues { .string($0) }) }
      var o: JSONValue = ["kind": .string(r.kind), "apiVersion": .string(r.apiVersion), "metadata": meta]
      if req != nil {
        o = [
          "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(rv)],
          "columnDefinitions": [], "rows": [],
        ]
      }
      event = ["type": "BOOKMARK", "object": o]
    case .error(let s):
      event = ["type": "ERROR", "object": s.jsonValue]
    }
    var out = event.serialized()
    out.append(10)
    return out
  }
}
