/// A column of `kubectl get` for a custom resource (`additionalPrinterColumns`).
public struct PrinterColumn: Sendable, Equatable {
  public var name: String
  /// `string`, `integer`, `number`, `boolean` or `date`.
  public var type: String
  public var jsonPath: String
  public var description: String
  /// 0 shows in `kubectl get`; 1 only with `-o wide`.
  public var priority: Int

  public init(
    _ name: String, _ type: String, _ jsonPath: String, _ description: String, priority: Int = 0
  ) {
    self.name = name
    self.type = type
    self.jsonPath = jsonPath
    self.description = description
    self.priority = priority
  }

  var json: JSONValue {
    var o: [String: JSONValue] = [
      "name": .string(name), "type": .string(type), "jsonPath": .string(jsonPath),
      "description": .string(description),
    ]
    if priority != 0 { o["priority"] = .int(Int64(priority)) }
    return .object(o)
  }
}

/// A gra.dev kind and everything its CustomResourceDefinition needs.
public protocol CustomResource: KubernetesObject {
  static var singular: String { get }
  static var shortNames: [String] { get }
  static var kindDescription: String { get }
  static var specSchema: JSONSchema { get }
  static var statusSchema: JSONSchema { get }
  static var printerColumns: [PrinterColumn] { get }
}

extension CustomResource {
  /// `openAPIV3Schema` of the single version: a structural schema (every node typed, no
  /// `default` under `metadata`).
  public static var openAPISchema: JSONSchema {
    JSONSchema.object(kindDescription) { p in
      p["apiVersion"] = .string("Versioned schema of this object: \(resource.apiVersion).")
      p["kind"] = .string("Kind of this object: \(resource.kind).")
      // Structural schemas allow nothing but `type: object` here (and name/generateName rules).
      p["metadata"] = JSONSchema(type: .object)
      p["spec"] = specSchema.defaulting([:])
      p["status"] = statusSchema
    }
  }

  /// The `apiextensions.k8s.io/v1` CustomResourceDefinition.
  public static var customResourceDefinition: JSONValue {
    let r = resource
    var names: [String: JSONValue] = [:]
    names["kind"] = .string(r.kind)
    names["listKind"] = .string(r.kind + "List")
    names["plural"] = .string(r.plural)
    names["singular"] = .string(singular)
    names["shortNames"] = .array(shortNames.map { .string($0) })
    names["categories"] = ["gra"]

    var version: [String: JSONValue] = [:]
    version["name"] = .string(r.version)
    version["served"] = true
    version["storage"] = true
    version["subresources"] = ["status": [:]]
    version["additionalPrinterColumns"] = .array(printerColumns.map(\.json))
    version["schema"] = ["openAPIV3Schema": openAPISchema.json]

    var spec: [String: JSONValue] = [:]
    spec["group"] = .string(r.group)
    spec["names"] = .object(names)
    spec["scope"] = r.namespaced ? "Namespaced" : "Cluster"
    spec["versions"] = [.object(version)]

    var metadata: [String: JSONValue] = [:]
    metadata["name"] = .string("\(r.plural).\(r.group)")
    metadata["labels"] = ["app.kubernetes.io/name": "gra", "app.kubernetes.io/part-of": "gra"]

    var crd: [String: JSONValue] = [:]
    crd["apiVersion"] = "apiextensions.k8s.io/v1"
    crd["kind"] = "CustomResourceDefinition"
    crd["metadata"] = .object(metadata)
    crd["spec"] = .object(spec)
    return .object(crd)
  }

  /// The file name `gra-operator crds --output-dir` writes: `gra.dev_runners.yaml`.
  public static var crdFileName: String { "\(resource.group)_\(resource.plural).yaml" }
}

extension Runner: CustomResource {
  public static let singular = "runner"
  public static let shortNames = ["rn"]
  public static let kindDescription =
    "A Runner is a long-lived Python sandbox: one pod running the runner image with sshd and a persistent /workspace. It can be suspended (pod gone, workspace kept) and resumed."
  public static var specSchema: JSONSchema { RunnerSpec.openAPISchema }
  public static var statusSchema: JSONSchema { RunnerStatus.openAPISchema }
  public static let printerColumns = [
    PrinterColumn("Phase", "string", ".status.phase", "Summary of the runner's state."),
    PrinterColumn(
      "Ready", "string", #".status.conditions[?(@.type=="Ready")].status"#,
      "Whether the runner accepts exec and ssh."),
    PrinterColumn(
      "Idle", "string", #".status.conditions[?(@.type=="Idle")].status"#,
      "No exec or ssh activity lately."),
    PrinterColumn(
      "Restarts", "integer", ".status.restartCount", "Container restarts of the current pod."),
    PrinterColumn(
      "Age", "date", ".metadata.creationTimestamp", "Time since the runner was created."),
    PrinterColumn("Pod", "string", ".status.podName", "The runner's pod.", priority: 1),
    PrinterColumn("Node", "string", ".status.nodeName", "Node the pod runs on.", priority: 1),
    PrinterColumn("SSH", "string", ".status.ssh.host", "Where to reach sshd.", priority: 1),
    PrinterColumn("Image", "string", ".spec.image", "Runner image.", priority: 1),
  ]
}

extension TracerJob: CustomResource {
  public static let singular = "tracerjob"
  public static let shortNames = ["tj"]
  public static let kindDescription =
    "A TracerJob is a batch run of a Python module, script or command (by default the GradientTracer tracer), with timeout, retries, exit code, logs and collected artifacts."
  public static var specSchema: JSONSchema { TracerJobSpec.openAPISchema }
  public static var statusSchema: JSONSchema { TracerJobStatus.openAPISchema }
  public static let printerColumns = [
    PrinterColumn("Phase", "string", ".status.phase", "Pending, Running, Succeeded or Failed."),
    PrinterColumn("Attempts", "integer", ".status.attempts", "Attempts started so far."),
    PrinterColumn(
      "Exit Code", "integer", ".status.exitCode", "Exit code of the last finished attempt."),
    PrinterColumn("Duration", "string", ".status.duration", "Time from start to completion."),
    PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since the job was created."),
    PrinterColumn(
      "Runner", "string", ".spec.runnerRef.name", "Runner whose workspace the job uses.",
      priority: 1),
    PrinterColumn(
      "Reason", "string", ".status.reason", "Why the job is in this phase.", priority: 1),
    PrinterColumn(
      "Pod", "string", ".status.podName", "Pod of the current or last attempt.", priority: 1),
  ]
}

/// Every CRD gra installs, in a stable order.
public enum GraCRDs {
  public static var all: [(fileName: String, crd: JSONValue)] {
    [
      (Runner.crdFileName, Runner.customResourceDefinition),
      (TracerJob.crdFileName, TracerJob.customResourceDefinition),
    ]
  }
}
