import CRDModels

/// PersistentVolumeClaims and StorageClasses as kube-apiserver 1.32 admits them: the
/// `DefaultStorageClass` and `PersistentVolumeClaimResize` admission plugins, the claim's
/// validation (access modes, storage request, a spec that is immutable once created except
/// `resources.requests` of a bound claim, no shrinking to the provisioned capacity or below),
/// and StorageClass defaults and immutable fields.
enum StorageAdmission {
  static let isDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
  static let betaIsDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
  static let betaClassAnnotation = "volume.beta.kubernetes.io/storage-class"
  static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

  // MARK: PersistentVolumeClaim

  static func admitClaim(
    _ r: ResourceInfo, _ input: JSONValue, old: JSONValue?, storageClasses: [JSONValue]
  ) throws -> JSONValue {
    var obj = input
    let name = obj["metadata"]["name"].stringValue ?? ""
    if obj["spec"]["volumeMode"].isNull { obj["spec"]["volumeMode"] = "Filesystem" }
    for k in ["limits", "requests"] where !obj["spec"]["resources"][k].isNull {
      obj["spec"]["resources"][k] = ResourceValidation.canonicalList(obj["spec"]["resources"][k])
    }
    if old == nil {
      obj["status"] = ["phase": "Pending"]
      if let sc = defaultClass(for: obj, storageClasses) { obj["spec"]["storageClassName"] = .string(sc) }
    }
    var causes = claimCauses(obj["spec"])
    if let old { causes += updateCauses(obj, old) }
    if !causes.isEmpty { throw APIErrors.invalid(r, name: name, causes: causes) }
    if let old, let reason = resizeRefusal(obj, old, storageClasses) {
      throw APIErrors.forbidden(r, name: name, message: "\(r.qualifiedResource) \"\(name)\" is forbidden: \(reason)")
    }
    return obj
  }

  /// `DefaultStorageClass`: a claim that names no class (no `storageClassName`, not even
  /// `""`, and no beta annotation) gets the default one; with several, the newest (then the
  /// first by name).
  static func defaultClass(for claim: JSONValue, _ classes: [JSONValue]) -> String? {
    guard claim["spec"].objectValue?["storageClassName"] == nil,
      claim["metadata"]["annotations"][betaClassAnnotation].isNull
    else { return nil }
    let defaults = classes.filter(isDefault)
    let newest = defaults.max { a, b in
      let ta = a["metadata"]["creationTimestamp"].stringValue ?? ""
      let tb = b["metadata"]["creationTimestamp"].stringValue ?? ""
      if ta != tb { return ta < tb }
      return (a["metadata"]["name"].stringValue ?? "") > (b["metadata"]["name"].stringValue ?? "")
    }
    return newest?["metadata"]["name"].stringValue
  }

  /// `IsDefaultAnnotation`: the GA or the beta annotation is "true".
  static func isDefault(_ sc: JSONValue) -> Bool {
    let a = sc["metadata"]["annotations"]
    return a[isDefaultClassAnnotation].stringValue == "true" || a[betaIsDefaultClassAnnotation].stringValue == "true"
  }

  /// `ValidatePersistentVolumeClaimSpec`'s common checks.
  static func claimCauses(_ spec: JSONValue) -> [StatusCause] {
    var errs: [StatusCause] = []
    let modes = spec["accessModes"].arrayValue ?? []
    if modes.isEmpty {
      errs.append(FieldErrors.required("spec.accessModes", "at least 1 access mode is required"))
    }
    for m in modes {
      let s = m.stringValue ?? ""
      if !accessModes.contains(s) { errs.append(FieldErrors.notSupported("spec.accessModes", s, accessModes)) }
    }
    // kube keys the path on `resources`, not `resources.requests`.
    let p = "spec.resources[storage]"
    let storage = spec["resources"]["requests"]["storage"]
    if storage.isNull {
      errs.append(FieldErrors.required(p))
    } else if let q = ResourceValidation.quantity(storage), q.sign <= 0 {
      errs.append(FieldErrors.invalid(p, q.description, "must be greater than zero"))
    }
    return errs
  }

  /// `ValidatePersistentVolumeClaimUpdate`: the spec may change only in `volumeName` (set
  /// once), `storageClassName` (set once when it had none) and, on a bound claim,
  /// `resources.requests.storage`, which may go down only while it stays above
  /// `status.capacity` (recovery from a failed expansion, on by default in 1.32).
  static func updateCauses(_ new: JSONValue, _ old: JSONValue) -> [StatusCause] {
    var errs: [StatusCause] = []
    var a = old["spec"]
    var b = new["spec"]
    if (a["volumeName"].stringValue ?? "").isEmpty { a["volumeName"] = b["volumeName"] }
    if (a["storageClassName"].stringValue ?? "").isEmpty,
      old["metadata"]["annotations"][betaClassAnnotation].isNull,
      !(b["storageClassName"].stringValue ?? "").isEmpty
    {
      a["storageClassName"] = b["storageClassName"]
    }
    let bound = new["status"]["phase"].stringValue == "Bound"
    if bound, !b["resources"]["requests"].isNull {
      b["resources"]["requests"]["storage"] = a["resources"]["requests"]["storage"]
    }
    if bound, !b["volumeAttributesClassName"].isNull { b["volumeAttributesClassName"] = a["volumeAttributesClassName"] }
    if SemanticEquality.normalized(a) != SemanticEquality.normalized(b) {
      errs.append(
        FieldErrors.forbidden(
          "spec",
          "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"
        ))
    }
    let oldSize = ResourceValidation.quantity(old["spec"]["resources"]["requests"]["storage"]) ?? .zero
    let newSize = ResourceValidation.quantity(new["spec"]["resources"]["requests"]["storage"]) ?? .zero
    let capacity = ResourceValidation.quantity(old["status"]["capacity"]["storage"]) ?? .zero
    if newSize < oldSize && newSize <= capacity {
      errs.append(
        FieldErrors.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"))
    }
    return errs
  }

  /// `PersistentVolumeClaimResize`: growing a claim needs a bound claim whose StorageClass
  /// (unchanged, and not "") has `allowVolumeExpansion: true`.
  static func resizeRefusal(_ new: JSONValue, _ old: JSONValue, _ classes: [JSONValue]) -> String? {
    guard let newSize = ResourceValidation.quantity(new["spec"]["resources"]["requests"]["storage"]) else {
      return nil
    }
    let oldSize = ResourceValidation.quantity(old["spec"]["resources"]["requests"]["storage"]) ?? .zero
    if newSize <= oldSize { return nil }
    if old["status"]["phase"].stringValue != "Bound" { return "Only bound persistent volume claims can be expanded" }
    let newClass = className(new)
    let oldClass = className(old)
    let sc = classes.first { $0["metadata"]["name"].stringValue == newClass }
    if newClass.isEmpty || newClass != oldClass || sc?["allowVolumeExpansion"].boolValue != true {
      return
        "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
    }
    return nil
  }

  /// `GetPersistentVolumeClaimClass`: the beta annotation first, then `storageClassName`.
  static func className(_ claim: JSONValue) -> String {
    claim["metadata"]["annotations"][betaClassAnnotation].stringValue ?? claim["spec"]["storageClassName"].stringValue
      ?? ""
  }

  // MARK: StorageClass

  static func admitClass(_ r: ResourceInfo, _ input: JSONValue, old: JSONValue?) throws -> JSONValue {
    var obj = input
    let name = obj["metadata"]["name"].stringValue ?? ""
    if obj["reclaimPolicy"].isNull { obj["reclaimPolicy"] = "Delete" }
    if obj["volumeBindingMode"].isNull { obj["volumeBindingMode"] = "Immediate" }
    var errs: [StatusCause] = []
    if (obj["provisioner"].stringValue ?? "").isEmpty { errs.append(FieldErrors.required("provisioner")) }
    if let p = obj["reclaimPolicy"].stringValue, !["Delete", "Retain"].contains(p) {
      errs.append(FieldErrors.notSupported("reclaimPolicy", p, ["Delete", "Retain"]))
    }
    if let m = obj["volumeBindingMode"].stringValue, !["Immediate", "WaitForFirstConsumer"].contains(m) {
      errs.append(FieldErrors.notSupported("volumeBindingMode", m, ["Immediate", "WaitForFirstConsumer"]))
    }
    if let old {
      if SemanticEquality.normalized(obj["parameters"]) != SemanticEquality.normalized(old["parameters"]) {
        errs.append(FieldErrors.forbidden("parameters", "updates to parameters are forbidden."))
      }
      if obj["provisioner"] != old["provisioner"] {
        errs.append(FieldErrors.forbidden("provisioner", "updates to provisioner are forbidden."))
      }
      if obj["reclaimPolicy"] != old["reclaimPolicy"] {
        errs.append(FieldErrors.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
      }
      if obj["volumeBindingMode"] != old["volumeBindingMode"] {
        errs.append(
          FieldErrors.invalid("volumeBindingMode", obj["volumeBindingMode"].stringValue ?? "", "field is immutable"))
      }
    }
    if !errs.isEmpty { throw APIErrors.invalid(r, name: name, causes: errs) }
    return obj
  }
}
