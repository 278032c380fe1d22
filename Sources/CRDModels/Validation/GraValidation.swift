import Foundation

extension Runner {
  /// Everything wrong with this Runner as the user wrote it (defaults not applied), each error
  /// naming the field, the bad value and the fix. Empty when valid.
  public func validate() -> [FieldError] {
    var errs = CommonValidation.name(metadata.name, kind: "Runner", maxLength: 52)
    let s = spec ?? RunnerSpec()
    let p = FieldPath("spec")
    errs += CommonValidation.image(s.image, p.child("image"))
    errs += CommonValidation.resources(s.resources, p.child("resources"))
    errs += CommonValidation.env(s.env, p.child("env"))
    errs += CommonValidation.envFrom(s.envFrom, p.child("envFrom"))
    if let w = s.workspace {
      let wp = p.child("workspace")
      if let claim = w.existingClaim {
        if w.size != nil {
          errs.append(
            FieldError(
              .forbidden, wp.child("size"),
              "size and existingClaim are mutually exclusive: remove size to use the claim \(claim), or remove existingClaim to let gra create a claim of that size"
            ))
        }
        if w.storageClassName != nil {
          errs.append(
            FieldError(
              .forbidden, wp.child("storageClassName"),
              "storageClassName only applies to a claim gra creates; remove it or remove existingClaim"
            ))
        }
        errs += CommonValidation.subdomainName(
          claim, wp.child("existingClaim"), what: "PersistentVolumeClaim in this namespace")
      }
      if let size = w.size, size.sign <= 0 {
        errs.append(
          FieldError(
            .invalid, wp.child("size"), value: size.description, "must be greater than 0, e.g. 10Gi"
          ))
      }
      if let m = w.mountPath, !m.hasPrefix("/") || m == "/" {
        errs.append(
          FieldError(
            .invalid, wp.child("mountPath"), value: m,
            "must be an absolute path other than /, e.g. /workspace"))
      }
      errs += CommonValidation.subdomainName(
        w.storageClassName, wp.child("storageClassName"), what: "StorageClass")
    }
    if let ssh = s.ssh {
      let sp = p.child("ssh")
      if ssh.enabled == true, (ssh.authorizedKeys ?? []).isEmpty, ssh.authorizedKeysSecretRef == nil {
        errs.append(
          FieldError(
            .required, sp.child("authorizedKeys"),
            "ssh accepts keys only: add a public key to authorizedKeys or name a Secret in authorizedKeysSecretRef"
          ))
      }
      for (i, key) in (ssh.authorizedKeys ?? []).enumerated() where !Self.looksLikePublicKey(key) {
        errs.append(
          FieldError(
            .invalid, sp.child("authorizedKeys").index(i), value: String(key.prefix(40)),
            "must be one OpenSSH public key line such as 'ssh-ed25519 AAAAC3Nz… user@host' (the .pub file, not the private key)"
          ))
      }
      if let ref = ssh.authorizedKeysSecretRef {
        if let prob = NameRules.dns1123SubdomainProblem(ref.name) {
          errs.append(
            FieldError(
              .invalid, sp.child("authorizedKeysSecretRef").child("name"), value: ref.name, prob))
        }
      }
      if let port = ssh.port, !(1024...65535).contains(port) {
        errs.append(
          FieldError(
            .invalid, sp.child("port"), value: String(port),
            "must be between 1024 and 65535: the runner runs as a non-root user and cannot bind lower ports"
          ))
      }
    }
    if let s3 = s.s3 {
      let sp = p.child("s3")
      errs += CommonValidation.bucket(s3.bucket, sp.child("bucket"))
      errs += CommonValidation.url(s3.endpoint, sp.child("endpoint"), schemes: ["https", "http"])
      if let ref = s3.credentialsSecretRef, (ref.name ?? "").isEmpty {
        errs.append(
          FieldError(
            .required, sp.child("credentialsSecretRef").child("name"),
            "name the Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
      }
    }
    errs += CommonValidation.positiveDuration(s.idleTimeout, p.child("idleTimeout"))
    errs += CommonValidation.positiveDuration(s.maxLifetime, p.child("maxLifetime"))
    if let e = s.exec {
      let ep = p.child("exec")
      if let v = e.maxConcurrent, !(1...64).contains(v) {
        errs.append(
          FieldError(
            .invalid, ep.child("maxConcurrent"), value: String(v), "must be between 1 and 64"))
      }
      if let v = e.defaultTimeoutSeconds, v < 1 {
        errs.append(
          FieldError(
            .invalid, ep.child("defaultTimeoutSeconds"), value: String(v),
            "must be at least 1 second"))
      }
      if let v = e.outputLimitBytes, !(1024...(1 << 30)).contains(v) {
        errs.append(
          FieldError(
            .invalid, ep.child("outputLimitBytes"), value: String(v),
            "must be between 1024 and 1073741824 (1 GiB)"))
      }
    }
    errs += CommonValidation.nodeSelector(s.nodeSelector, p.child("nodeSelector"))
    errs += CommonValidation.tolerations(s.tolerations, p.child("tolerations"))
    if let a = s.affinity, a.objectValue == nil {
      errs.append(
        FieldError(
          .invalid, p.child("affinity"),
          "must be an object like a pod's affinity (nodeAffinity, podAffinity, podAntiAffinity)"))
    }
    errs += CommonValidation.subdomainName(
      s.runtimeClassName, p.child("runtimeClassName"), what: "RuntimeClass")
    errs += CommonValidation.subdomainName(
      s.serviceAccountName, p.child("serviceAccountName"), what: "ServiceAccount")
    return errs
  }

  static func looksLikePublicKey(_ line: String) -> Bool {
    let parts = line.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count >= 2 else { return false }
    let type = parts[0]
    let known = type.hasPrefix("ssh-") || type.hasPrefix("ecdsa-sha2-") || type.hasPrefix("sk-")
    return known && Data(base64Encoded: String(parts[1])) != nil && !line.contains("\n")
  }
}

extension TracerJob {
  /// Everything wrong with this TracerJob as the user wrote it (defaults not applied).
  public func validate() -> [FieldError] {
    var errs = CommonValidation.name(metadata.name, kind: "TracerJob", maxLength: 52)
    let s = spec ?? TracerJobSpec()
    let p = FieldPath("spec")
    if let ref = s.runnerRef {
      if let prob = NameRules.dns1123LabelProblem(ref.name ?? "") {
        errs.append(
          FieldError(
            .invalid, p.child("runnerRef").child("name"), value: ref.name ?? "",
            "must name a Runner in this namespace: \(prob)"))
      }
    }
    errs += CommonValidation.image(s.image, p.child("image"))
    let set = [
      ("module", s.module != nil), ("script", s.script != nil), ("command", s.command != nil),
    ].filter(\.1).map(\.0)
    if set.count > 1 {
      errs.append(
        FieldError(
          .forbidden, p.child(set[1]),
          "set exactly one of module, script or command (or none, to run the default module \(GraDefaults.tracerModule)); \(set.joined(separator: " and ")) are both set"
        ))
    }
    if let m = s.module, !Self.isPythonModule(m) {
      errs.append(
        FieldError(
          .invalid, p.child("module"), value: m,
          "must be a Python module path such as gradienttracer or pkg.sub (letters, digits, _ and dots)"
        ))
    }
    if let sc = s.script, sc.trimmingCharacters(in: .whitespaces).isEmpty {
      errs.append(
        FieldError(.required, p.child("script"), "name the Python file to run, e.g. train.py"))
    }
    if let c = s.command, c.first?.isEmpty ?? true {
      errs.append(
        FieldError(
          .required, p.child("command"),
          "give the program to run as the first element, e.g. [\"python\", \"-c\", \"print(1)\"]"))
    }
    errs += CommonValidation.env(s.env, p.child("env"))
    errs += CommonValidation.resources(s.resources, p.child("resources"))
    if let g = s.source?.git {
      let gp = p.child("source").child("git")
      if !Self.isGitURL(g.repo) {
        errs.append(
          FieldError(
            .invalid, gp.child("repo"), value: g.repo,
            "must be a git URL: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git"
          ))
      }
      if let ref = g.ref,
        ref.isEmpty || ref.hasPrefix("-") || ref.contains("..")
          || ref.contains(where: \.isWhitespace)
      {
        errs.append(
          FieldError(
            .invalid, gp.child("ref"), value: ref,
            "must be a branch, tag or commit: no spaces, no '..', not starting with '-'"))
      }
    }
    for (i, cmd) in (s.setup ?? []).enumerated()
    where cmd.trimmingCharacters(in: .whitespaces).isEmpty {
      errs.append(
        FieldError(
          .required, p.child("setup").index(i),
          "each setup entry is a shell command; remove the empty one"))
    }
    if let t = s.timeoutSeconds, t < 1 {
      errs.append(
        FieldError(
          .invalid, p.child("timeoutSeconds"), value: String(t),
          "must be at least 1 second; leave it unset for no timeout"))
    }
    if let b = s.backoffLimit, !(0...100).contains(b) {
      errs.append(
        FieldError(
          .invalid, p.child("backoffLimit"), value: String(b),
          "must be between 0 (no retries) and 100"))
    }
    if let rb = s.retryBackoff {
      let rp = p.child("retryBackoff")
      if let i = rb.initialSeconds, i < 1 {
        errs.append(
          FieldError(
            .invalid, rp.child("initialSeconds"), value: String(i), "must be at least 1 second"))
      }
      if let m = rb.maxSeconds, m < (rb.initialSeconds ?? GraDefaults.retryInitialSeconds) {
        errs.append(
          FieldError(
            .invalid, rp.child("maxSeconds"), value: String(m),
            "must be at least initialSeconds (\(rb.initialSeconds ?? GraDefaults.retryInitialSeconds))"
          ))
      }
    }
    if let pfp = s.podFailurePolicy {
      let pp = p.child("podFailurePolicy").child("rules")
      if pfp.rules.count > 20 {
        errs.append(
          FieldError(.tooMany, pp, value: String(pfp.rules.count), "must have at most 20 rules"))
      }
      for (i, rule) in pfp.rules.enumerated() {
        let vp = pp.index(i).child("onExitCodes").child("values")
        let values = rule.onExitCodes.values
        if values.isEmpty {
          errs.append(FieldError(.required, vp, "list at least one exit code"))
        }
        if values.count > 255 {
          errs.append(
            FieldError(
              .tooMany, vp, value: String(values.count), "must have at most 255 exit codes"))
        }
        if Set(values).count != values.count {
          errs.append(
            FieldError(
              .duplicate, vp, value: values.map(String.init).joined(separator: ","),
              "list each exit code once"))
        }
        if rule.onExitCodes.operator == .in, values.contains(0) {
          errs.append(
            FieldError(
              .invalid, vp, value: "0",
              "0 is success and cannot be matched with In; use NotIn to match every failure except some codes"
            ))
        }
        for v in values where v < 0 || v > 255 {
          errs.append(
            FieldError(.invalid, vp, value: String(v), "exit codes are between 0 and 255"))
        }
      }
    }
    if let ttl = s.ttlSecondsAfterFinished, ttl < 0 {
      errs.append(
        FieldError(
          .invalid, p.child("ttlSecondsAfterFinished"), value: String(ttl),
          "must be 0 or more seconds"))
    }
    if let m = s.managedBy {
      let parts = m.split(separator: "/", maxSplits: 1)
      if m.count > 63 || parts.count != 2
        || NameRules.dns1123SubdomainProblem(String(parts[0])) != nil || parts[1].isEmpty
      {
        errs.append(
          FieldError(
            .invalid, p.child("managedBy"), value: m,
            "must be a domain-prefixed path of at most 63 characters, e.g. gra.dev/operator or example.com/my-controller"
          ))
      }
    }
    if let a = s.artifacts {
      let ap = p.child("artifacts")
      if a.paths.isEmpty {
        errs.append(
          FieldError(
            .required, ap.child("paths"), "list at least one path or glob, e.g. out/*.json"))
      }
      for (i, path) in a.paths.enumerated()
      where path.isEmpty || path.hasPrefix("/") || path.split(separator: "/").contains("..") {
        errs.append(
          FieldError(
            .invalid, ap.child("paths").index(i), value: path,
            "must be a relative path inside the working directory, without '..'"))
      }
      if let d = a.destination {
        let dp = ap.child("destination")
        let n = [d.workspace != nil, d.persistentVolumeClaim != nil, d.s3 != nil].filter { $0 }
          .count
        if n != 1 {
          errs.append(
            FieldError(.invalid, dp, "set exactly one of workspace, persistentVolumeClaim or s3"))
        }
        if d.workspace != nil, s.runnerRef == nil {
          errs.append(
            FieldError(
              .invalid, dp.child("workspace"),
              "needs runnerRef: only a Runner has a workspace; use persistentVolumeClaim or s3"))
        }
        if let c = d.persistentVolumeClaim {
          errs += CommonValidation.subdomainName(
            c.claimName, dp.child("persistentVolumeClaim").child("claimName"),
            what: "PersistentVolumeClaim")
        }
        if let s3 = d.s3 {
          errs += CommonValidation.bucket(s3.bucket, dp.child("s3").child("bucket"))
          errs += CommonValidation.url(
            s3.endpoint, dp.child("s3").child("endpoint"), schemes: ["https", "http"])
        }
        for sub in [d.workspace?.subPath, d.persistentVolumeClaim?.subPath].compactMap({ $0 })
        where sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
          errs.append(
            FieldError(.invalid, dp, value: sub, "subPath must be relative, without '..'"))
        }
      } else if s.runnerRef == nil {
        errs.append(
          FieldError(
            .required, ap.child("destination"),
            "without runnerRef there is no workspace to keep artifacts in: set destination.persistentVolumeClaim or destination.s3"
          ))
      }
    }
    return errs
  }

  static func isPythonModule(_ s: String) -> Bool {
    guard !s.isEmpty else { return false }
    return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
      guard let f = part.unicodeScalars.first, f == "_" || (f.properties.isAlphabetic && f.isASCII)
      else { return false }
      return part.unicodeScalars.allSatisfy {
        $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
      }
    }
  }

  static func isGitURL(_ s: String) -> Bool {
    if let u = URL(string: s), let scheme = u.scheme,
      ["https", "http", "ssh", "git", "file"].contains(scheme)
    {
      return scheme == "file" || u.host != nil
    }
    // scp-like: user@host:path
    if let at = s.firstIndex(of: "@"), let colon = s[at...].firstIndex(of: ":"),
      colon > s.index(after: at),
      s.index(after: colon) < s.endIndex, !s.contains(" ")
    {
      return true
    }
    return false
  }
}
