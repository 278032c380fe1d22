// The OpenAPI schema of Runner, kept in sync with the Swift types by SchemaSyncTests.

/// A Go duration as the API server checks it (positive, units h, m, s, ms, us, ns).
let goDurationPattern =
  #"^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))*$"#

extension WorkspaceSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    var s = JSONSchema.object(
      "The persistent volume mounted at mountPath: a claim gra creates (size) or an existing one (existingClaim)."
    ) { p in
      p["size"] = JSONSchema.quantity("Size of the claim gra creates. Not with existingClaim.")
        .noting(
          "Default 10Gi when existingClaim is not set (applied by gra, not by the schema, so that it cannot conflict with existingClaim)."
        )
      p["storageClassName"] = .string(
        "Storage class of the claim gra creates; the cluster's default class when unset.")
      p["existingClaim"] = .string(
        "Mount this PersistentVolumeClaim instead of creating one. Not with size.",
        pattern: dnsSubdomainPattern, maxLength: 253)
      p["mountPath"] = .string(
        "Where the workspace is mounted in the runner.", pattern: "^/.+",
        default: GraDefaults.workspaceMountPath)
      p["reclaimPolicy"] = .enum(
        ReclaimPolicy.self,
        "What happens to the claim gra created when the Runner is deleted: Delete removes it, Retain keeps it.",
        default: GraDefaults.reclaimPolicy)
    }
    s.notAnyOfRequired = [["size", "existingClaim"]]
    return s
  }
}

extension SecretKeyReference: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A key of a Secret in the Runner's namespace.", required: ["name"]) { p in
      p["name"] = .string("Name of the Secret.", pattern: dnsSubdomainPattern, maxLength: 253)
      p["key"] = .string(
        "Key holding an authorized_keys file.", minLength: 1, default: GraDefaults.authorizedKeysKey
      )
    }
  }
}

extension SSHSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("sshd in the runner, public keys only (no passwords).") { p in
      p["enabled"] = .boolean("Run sshd and create a Service for it.", default: false)
      p["authorizedKeys"] = .array(
        .string("One OpenSSH public key line, e.g. ssh-ed25519 AAAA… user@host.", minLength: 1),
        "Public keys allowed to log in.")
      p["authorizedKeysSecretRef"] = SecretKeyReference.openAPISchema.describing(
        "A Secret key holding more authorized keys, e.g. managed by an external secret store.")
      p["serviceType"] = .enum(
        ServiceType.self, "How the ssh Service is exposed.", default: GraDefaults.sshServiceType)
      p["port"] = .int32(
        "Port sshd listens on in the pod and the Service exposes (non-root, so 1024 or higher).",
        minimum: 1024, maximum: 65535,
        default: Int64(GraDefaults.sshPort))
    }
  }
}

extension S3Spec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object(
      "S3 (or compatible) storage given to the runner as GRA_S3_* and AWS_* environment variables.",
      required: ["bucket"]
    ) { p in
      p["endpoint"] = .string(
        "Endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com or a MinIO URL; AWS when unset.",
        pattern: "^https?://")
      p["bucket"] = .string("Bucket name.", pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
      p["region"] = .string("Region, e.g. eu-west-1.")
      p["credentialsSecretRef"] = LocalObjectReference.openAPISchema.describing(
        "A Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; unset to rely on workload identity."
      )
    }
  }
}

extension NetworkSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Network policy of the runner pod (enforced with a NetworkPolicy).") { p in
      p["egress"] = .enum(
        EgressPolicy.self,
        "Deny: no egress but DNS. Public: the internet, but not private ranges or cloud metadata (169.254.169.254). Allow: everything.",
        default: GraDefaults.egress)
    }
  }
}

extension ExecLimits: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Limits of the exec bridge (runners/exec) for this runner.") { p in
      p["maxConcurrent"] = .int32(
        "Exec sessions allowed at once; more are refused with 429.", minimum: 1, maximum: 64,
        default: Int64(GraDefaults.execMaxConcurrent))
      p["defaultTimeoutSeconds"] = .int64(
        "Timeout of an exec that sets none.", minimum: 1,
        default: GraDefaults.execDefaultTimeoutSeconds)
      p["outputLimitBytes"] = .int64(
        "stdout and stderr bytes streamed per exec before it is cut off.", minimum: 1024,
        maximum: 1 << 30,
        default: GraDefaults.execOutputLimitBytes)
    }
  }
}

extension RunnerSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Desired state of the Runner.") { p in
      p["image"] = JSONSchema.string(
        "Runner image. Default: the operator's --runner-image (\(GraDefaults.runnerImage) unless set).",
        minLength: 1
      ).noting("Applied by gra when it makes the pod; not written into the Runner.")
      p["imagePullPolicy"] = .enum(
        PullPolicy.self, "When to pull the image; Kubernetes' default when unset.")
      p["resources"] = ResourceRequirements.openAPISchema.describing(
        "CPU, memory and GPU (nvidia.com/gpu) requests and limits of the runner container.")
      p["env"] = .array(
        EnvVar.openAPISchema, "Environment variables of the runner.", listType: "map",
        mapKeys: ["name"])
      p["envFrom"] = .array(
        EnvFromSource.openAPISchema,
        "ConfigMaps and Secrets whose keys become environment variables.")
      p["workspace"] = WorkspaceSpec.openAPISchema.defaulting([:])
      p["ssh"] = SSHSpec.openAPISchema.defaulting([:])
      p["s3"] = S3Spec.openAPISchema
      p["suspend"] = .boolean(
        "True deletes the pod and keeps the workspace; false brings the runner back.",
        default: false)
      p["idleTimeout"] = .string(
        "Suspend after this long without exec or ssh activity: a Go duration such as 30m or 1h30m.",
        pattern: goDurationPattern)
      p["maxLifetime"] = .string(
        "Suspend this long after the pod started, whatever the activity: a Go duration such as 24h.",
        pattern: goDurationPattern)
      p["network"] = NetworkSpec.openAPISchema.defaulting([:])
      p["exec"] = ExecLimits.openAPISchema.defaulting([:])
      p["nodeSelector"] = .map(
        .string("Label value."), "Node labels the runner pod must be scheduled on.")
      p["tolerations"] = .array(
        Toleration.openAPISchema, "Taints the runner pod tolerates, e.g. GPU nodes.")
      p["affinity"] = .freeForm("A core/v1 Affinity passed to the pod unchanged.")
      p["runtimeClassName"] = .string(
        "RuntimeClass of the pod, e.g. nvidia or gvisor.", pattern: dnsSubdomainPattern,
        maxLength: 253)
      p["serviceAccountName"] = .string(
        "ServiceAccount the pod runs as.", pattern: dnsSubdomainPattern, maxLength: 253)
      p["automountServiceAccountToken"] = .boolean(
        "Mount a Kubernetes API token into the runner. Off by default: code in the runner gets no cluster credentials.",
        default: GraDefaults.automountServiceAccountToken)
    }
  }
}

extension SSHEndpoint: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Where to reach the runner's sshd.") { p in
      p["host"] = .string("Service DNS name or load balancer address.")
      p["port"] = .int32("Port to connect to.")
      p["serviceName"] = .string("Name of the ssh Service.")
      p["command"] = .string("A ready-to-run ssh command.")
    }
  }
}

extension RunnerStatus: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Observed state of the Runner, written by the operator.") { p in
      p["phase"] = .enum(RunnerPhase.self, "Summary of the runner's state.")
      p["message"] = .string("Why the runner is in this phase.")
      p["podName"] = .string("The runner's pod.")
      p["podIP"] = .string("IP address of the pod.")
      p["nodeName"] = .string("Node the pod runs on.")
      p["ssh"] = SSHEndpoint.openAPISchema
      p["workspaceClaim"] = .string("PersistentVolumeClaim mounted as the workspace.")
      p["lastActivityTime"] = .string(
        "Last exec or ssh activity; drives idleTimeout.", format: "date-time")
      p["startTime"] = .string(
        "When the current pod started; drives maxLifetime.", format: "date-time")
      p["restartCount"] = .int32("Container restarts of the current pod.")
      p["conditions"] = JSONSchema.array(
        Condition.openAPISchema,
        "Ready, PodScheduled, WorkspaceReady, SSHReady, Suspended and Idle.", listType: "map",
        mapKeys: ["type"])
      p["observedGeneration"] = .int64("The .metadata.generation this status describes.")
    }
  }
}

/// A DNS-1123 subdomain.
let dnsSubdomainPattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
