// The OpenAPI schema of TracerJob, kept in sync with the Swift types by SchemaSyncTests.

extension GitSource: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object(
      "A git checkout, cloned into the working directory before setup runs.", required: ["repo"]
    ) { p in
      p["repo"] = .string("Clone URL: https://…, ssh://… or git@host:org/repo.git.", minLength: 1)
      p["ref"] = .string(
        "Branch, tag or commit; the remote's HEAD when unset.", pattern: #"^[^-\s][^\s]*$"#)
    }
  }
}

extension SourceSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Code fetched before the run.") { p in p["git"] = GitSource.openAPISchema }
  }
}

extension RetryBackoff: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Delay before a retry: initialSeconds, doubling after each failure up to maxSeconds.") {
      p in
      p["initialSeconds"] = .int32(
        "Delay before the first retry.", minimum: 1, default: Int64(GraDefaults.retryInitialSeconds)
      )
      p["maxSeconds"] = .int32(
        "Longest delay.", minimum: 1, default: Int64(GraDefaults.retryMaxSeconds))
    }
  }
}

extension ExitCodeRequirement: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("The exit codes a rule matches.", required: ["operator", "values"]) { p in
      p["operator"] = .enum(
        ExitCodeOperator.self, "In: the exit code is one of values. NotIn: it is none of them.")
      p["values"] = JSONSchema.array(
        .int32("An exit code.", minimum: 0, maximum: 255), "Exit codes; 0 is not allowed with In.",
        minItems: 1, maxItems: 255,
        listType: "set")
    }
  }
}

extension PodFailurePolicyRule: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("An action for a set of exit codes.", required: ["action", "onExitCodes"]) { p in
      p["action"] = .enum(
        FailureAction.self,
        "FailJob: fail now, no retries. Ignore: retry without counting the attempt. Count: count it toward backoffLimit."
      )
      p["onExitCodes"] = ExitCodeRequirement.openAPISchema
    }
  }
}

extension PodFailurePolicy: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object(
      "What an attempt's exit code means; the first matching rule applies, else the failure counts.",
      required: ["rules"]
    ) { p in
      p["rules"] = .array(
        PodFailurePolicyRule.openAPISchema, "Rules, checked in order.", maxItems: 20)
    }
  }
}

extension WorkspaceDestination: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("The referenced runner's workspace.") { p in
      p["subPath"] = JSONSchema.string("Directory inside the workspace.").noting(
        "Default .gra/artifacts/<job name> (applied by gra).")
    }
  }
}

extension ClaimDestination: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("An existing PersistentVolumeClaim in the job's namespace.", required: ["claimName"]) {
      p in
      p["claimName"] = .string("Name of the claim.", pattern: dnsSubdomainPattern, maxLength: 253)
      p["subPath"] = .string("Directory inside the claim.")
    }
  }
}

extension S3Destination: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("An S3 (or compatible) bucket.", required: ["bucket"]) { p in
      p["endpoint"] = .string("Endpoint URL; AWS when unset.", pattern: "^https?://")
      p["bucket"] = .string("Bucket name.", pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
      p["prefix"] = .string("Key prefix; default <namespace>/<job name>/.")
      p["region"] = .string("Region, e.g. eu-west-1.")
      p["credentialsSecretRef"] = LocalObjectReference.openAPISchema.describing(
        "A Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; unset to rely on workload identity."
      )
    }
  }
}

extension ArtifactDestination: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    var s = JSONSchema.object(
      "Where artifacts are copied: exactly one of workspace, persistentVolumeClaim or s3."
    ) { p in
      p["workspace"] = WorkspaceDestination.openAPISchema
      p["persistentVolumeClaim"] = ClaimDestination.openAPISchema
      p["s3"] = S3Destination.openAPISchema
    }
    s.oneOfRequired = [["workspace"], ["persistentVolumeClaim"], ["s3"]]
    return s
  }
}

extension ArtifactsSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object(
      "Files collected after the run; their size and sha256 are recorded in status.artifacts.",
      required: ["paths"]
    ) { p in
      p["paths"] = .array(
        .string("A path or glob relative to the working directory, e.g. out/*.json.", minLength: 1),
        "What to collect.", minItems: 1)
      p["destination"] = ArtifactDestination.openAPISchema.noting(
        "Default: the runner's workspace when runnerRef is set; required otherwise.")
    }
  }
}

extension TracerJobSpec: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    var s = JSONSchema.object(
      "Desired state of the TracerJob. At most one of module, script or command; with none, module gradienttracer runs."
    ) { p in
      p["runnerRef"] = JSONSchema.object(
        "Run in this Runner's workspace, with its image unless image is set.", required: ["name"]
      ) { r in
        r["name"] = .string(
          "Name of a Runner in the same namespace.", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
          maxLength: 63)
      }
      p["image"] = JSONSchema.string(
        "Image to run. Default: the runner's image with runnerRef, else the operator's --runner-image (\(GraDefaults.runnerImage) unless set).",
        minLength: 1)
      p["module"] = JSONSchema.string(
        "Run python -m MODULE ARGS….",
        pattern: #"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"#
      )
      .noting(
        "Default \(GraDefaults.tracerModule) when neither script nor command is set (applied by gra)."
      )
      p["script"] = .string("Run python SCRIPT ARGS… (path relative to workingDir).", minLength: 1)
      p["command"] = .array(
        .string("An argument."), "Run this command with ARGS appended.", minItems: 1)
      p["args"] = .array(.string("An argument."), "Arguments after the module, script or command.")
      p["workingDir"] = .string("Working directory; default the git checkout, else the workspace.")
      p["env"] = .array(
        EnvVar.openAPISchema, "Environment variables.", listType: "map", mapKeys: ["name"])
      p["source"] = SourceSpec.openAPISchema
      p["setup"] = .array(
        .string("A shell command.", minLength: 1),
        "Shell commands run in order before the main command, e.g. a dataset download.")
      p["resources"] = ResourceRequirements.openAPISchema.describing(
        "CPU, memory and GPU (nvidia.com/gpu) of each attempt.")
      p["timeoutSeconds"] = .int64(
        "Deadline of each attempt; when exceeded the attempt fails with DeadlineExceeded.",
        minimum: 1)
      p["backoffLimit"] = .int32(
        "Retries after failed attempts.", minimum: 0, maximum: 100,
        default: Int64(GraDefaults.backoffLimit))
      p["retryBackoff"] = RetryBackoff.openAPISchema.defaulting([:])
      p["podFailurePolicy"] = PodFailurePolicy.openAPISchema
      p["ttlSecondsAfterFinished"] = .int32(
        "Delete the TracerJob this long after it finished.", minimum: 0)
      p["suspend"] = .boolean(
        "True stops the running attempt and starts none until set back to false.", default: false)
      p["managedBy"] = .string(
        "Controller that reconciles this job; gra leaves jobs managed by others alone.",
        maxLength: 63, default: GraDefaults.managedBy)
      p["artifacts"] = ArtifactsSpec.openAPISchema
    }
    s.notAnyOfRequired = [["module", "script"], ["module", "command"], ["script", "command"]]
    return s
  }
}

extension AttemptStatus: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("One attempt (one pod).", required: ["attempt"]) { p in
      p["attempt"] = .int32("Attempt number, from 1.", minimum: 1)
      p["podName"] = .string("Pod of this attempt.")
      p["nodeName"] = .string("Node the pod ran on.")
      p["exitCode"] = .int32("Exit code of the main container.")
      p["reason"] = .string("Why it ended, e.g. Completed, Error, OOMKilled, DeadlineExceeded.")
      p["action"] = .enum(FailureAction.self, "What the pod failure policy made of this attempt.")
      p["startTime"] = .string("When the attempt started.", format: "date-time")
      p["completionTime"] = .string("When it ended.", format: "date-time")
    }
  }
}

extension ArtifactRecord: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("One collected file.", required: ["path", "size", "sha256"]) { p in
      p["path"] = .string("Path relative to the working directory.")
      p["size"] = .int64("Size in bytes.", minimum: 0)
      p["sha256"] = .string("SHA-256 of the content, hex.", pattern: "^[0-9a-f]{64}$")
      p["location"] = .string("Where it was copied: workspace:…, pvc://claim/…, s3://bucket/….")
    }
  }
}

extension TracerJobStatus: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Observed state of the TracerJob, written by the operator.") { p in
      p["phase"] = .enum(TracerJobPhase.self, "Summary of the job's state.")
      p["attempts"] = .int32("Attempts started so far.", minimum: 0)
      p["exitCode"] = .int32("Exit code of the last finished attempt.")
      p["reason"] = .string(
        "Why the job is in this phase, e.g. Completed, DeadlineExceeded, BackoffLimitExceeded.")
      p["message"] = .string("Details; on failure, the tail of the log.")
      p["startTime"] = .string("When the first attempt started.", format: "date-time")
      p["completionTime"] = .string("When the job finished.", format: "date-time")
      p["duration"] = .string("Time from start to completion, e.g. 1m32s.")
      p["podName"] = .string("Pod of the current or last attempt.")
      p["attemptStatuses"] = .array(AttemptStatus.openAPISchema, "Every attempt, oldest first.")
      p["artifacts"] = .array(ArtifactRecord.openAPISchema, "Collected files.")
      p["conditions"] = JSONSchema.array(
        Condition.openAPISchema, "Started, Complete and Failed.", listType: "map", mapKeys: ["type"]
      )
      p["observedGeneration"] = .int64("The .metadata.generation this status describes.")
    }
  }
}
