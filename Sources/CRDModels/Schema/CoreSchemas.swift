// Schemas of the Kubernetes types that appear inside gra.dev specs and statuses. They follow
// the upstream OpenAPI (field names, types, formats) for the fields gra models.

extension LocalObjectReference: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A reference to an object by name in the same namespace.") { p in
      p["name"] = .string("Name of the object.")
    }
  }
}

extension SecretKeySelector: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A key of a Secret in the same namespace.", required: ["key"]) { p in
      p["name"] = .string("Name of the Secret.")
      p["key"] = .string("The key to select.")
      p["optional"] = .boolean("Whether the Secret or its key may be missing.")
    }
  }
}

extension ConfigMapKeySelector: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A key of a ConfigMap in the same namespace.", required: ["key"]) { p in
      p["name"] = .string("Name of the ConfigMap.")
      p["key"] = .string("The key to select.")
      p["optional"] = .boolean("Whether the ConfigMap or its key may be missing.")
    }
  }
}

extension ObjectFieldSelector: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A field of the pod, e.g. metadata.name or status.podIP.", required: ["fieldPath"]) {
      p in
      p["apiVersion"] = .string("Version of the schema fieldPath is written in; default v1.")
      p["fieldPath"] = .string("Path of the field.")
    }
  }
}

extension ResourceFieldSelector: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A resource of a container, e.g. limits.memory.", required: ["resource"]) { p in
      p["containerName"] = .string("Container name; default the container itself.")
      p["resource"] = .string("Resource to select, e.g. limits.cpu.")
      p["divisor"] = .quantity("Output unit, e.g. 1Mi; default 1.")
    }
  }
}

extension EnvVarSource: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Where the variable's value comes from; exactly one source.") { p in
      p["secretKeyRef"] = SecretKeySelector.openAPISchema
      p["configMapKeyRef"] = ConfigMapKeySelector.openAPISchema
      p["fieldRef"] = ObjectFieldSelector.openAPISchema
      p["resourceFieldRef"] = ResourceFieldSelector.openAPISchema
    }
  }
}

extension EnvVar: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("An environment variable: a literal value or a reference.", required: ["name"]) { p in
      p["name"] = .string("Variable name.", minLength: 1)
      p["value"] = .string("Literal value; $(VAR) references are expanded.")
      p["valueFrom"] = EnvVarSource.openAPISchema
    }
  }
}

extension ConfigMapEnvSource: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A ConfigMap whose keys become variables.") { p in
      p["name"] = .string("Name of the ConfigMap.")
      p["optional"] = .boolean("Whether the ConfigMap may be missing.")
    }
  }
}

extension SecretEnvSource: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("A Secret whose keys become variables.") { p in
      p["name"] = .string("Name of the Secret.")
      p["optional"] = .boolean("Whether the Secret may be missing.")
    }
  }
}

extension EnvFromSource: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Every key of a ConfigMap or Secret as environment variables.") { p in
      p["prefix"] = .string("Prefix added to each key.")
      p["configMapRef"] = ConfigMapEnvSource.openAPISchema
      p["secretRef"] = SecretEnvSource.openAPISchema
    }
  }
}

extension ResourceRequirements: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Compute resources: cpu, memory, nvidia.com/gpu, ephemeral-storage.") { p in
      p["limits"] = .map(
        .quantity("An amount."), "Maximum amounts, e.g. {cpu: 2, memory: 4Gi, nvidia.com/gpu: 1}.")
      p["requests"] = .map(
        .quantity("An amount."), "Amounts reserved for scheduling, e.g. {cpu: 500m, memory: 1Gi}.")
    }
  }
}

extension Toleration: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object("Lets the pod run on nodes with a matching taint.") { p in
      p["key"] = .string("Taint key; empty with operator Exists matches every taint.")
      p["operator"] = .string("How key and value are compared.", enum: ["Exists", "Equal"])
      p["value"] = .string("Taint value (operator Equal).")
      p["effect"] = .string(
        "Taint effect to match; empty matches all.",
        enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"])
      p["tolerationSeconds"] = .int64(
        "How long the pod stays bound after a NoExecute taint appears.")
    }
  }
}

extension Condition: SchemaDescribed {
  public static var openAPISchema: JSONSchema {
    .object(
      "A metav1.Condition: one aspect of the object's state.",
      required: ["type", "status", "lastTransitionTime", "reason", "message"]
    ) { p in
      p["type"] = .string(
        "Condition type in CamelCase, e.g. Ready.",
        pattern:
          #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#,
        maxLength: 316)
      p["status"] = .string("True, False or Unknown.", enum: ["True", "False", "Unknown"])
      p["observedGeneration"] = .int64(
        "The .metadata.generation the condition was set from.", minimum: 0)
      p["lastTransitionTime"] = .string("When status last changed.", format: "date-time")
      p["reason"] = .string(
        "Machine-readable reason in CamelCase.",
        pattern: #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#, minLength: 1,
        maxLength: 1024)
      p["message"] = .string("Human-readable details.", maxLength: 32768)
    }
  }
}
