import CRDModels
import Foundation

/// A container's `resources` as kube-apiserver 1.32 validates them
/// (`ValidateContainerResourceRequirements`): resource names, non-negative amounts, whole
/// numbers for extended resources (`nvidia.com/gpu`), requests no greater than limits, and
/// for resources that cannot be overcommitted (extended resources, hugepages) a limit equal to
/// any request.
enum ResourceValidation {
  static func containerResources(_ res: JSONValue, _ path: String) -> [StatusCause] {
    var errs: [StatusCause] = []
    let limPath = "\(path).limits"
    let reqPath = "\(path).requests"
    let limits = res["limits"].objectValue ?? [:]
    let requests = res["requests"].objectValue ?? [:]
    var cpuOrMemory = false
    var hugePages = false
    for (name, v) in limits.sorted(by: { $0.key < $1.key }) {
      let p = "\(limPath)[\(name)]"
      errs += resourceName(name, p)
      errs += quantityValue(name, v, p)
      if name.hasPrefix("hugepages-") { hugePages = true }
      if name == "cpu" || name == "memory" { cpuOrMemory = true }
    }
    for (name, v) in requests.sorted(by: { $0.key < $1.key }) {
      let p = "\(reqPath)[\(name)]"
      errs += resourceName(name, p)
      errs += quantityValue(name, v, p)
      if let lv = limits[name] {
        if let q = quantity(v), let l = quantity(lv) {
          if q != l && !overcommitAllowed(name) {
            errs.append(
              FieldErrors.invalid(reqPath, q.description, "must be equal to \(name) limit of \(l.description)"))
          } else if q > l {
            errs.append(
              FieldErrors.invalid(
                reqPath, q.description, "must be less than or equal to \(name) limit of \(l.description)"))
          }
        }
      } else if !overcommitAllowed(name) {
        errs.append(FieldErrors.required(limPath, "Limit must be set for non overcommitable resources"))
      }
      if name.hasPrefix("hugepages-") { hugePages = true }
      if name == "cpu" || name == "memory" { cpuOrMemory = true }
    }
    if hugePages && !cpuOrMemory { errs.append(FieldErrors.forbidden(path, "HugePages require cpu or memory")) }
    return errs
  }

  /// The text Go's `Quantity.UnmarshalJSON` parses: a string, or a JSON number as written.
  static func text(_ v: JSONValue) -> String? {
    switch v {
    case .string(let s): s
    case .int(let i): String(i)
    case .double(let d): "\(d)"
    default: nil
    }
  }

  /// The v1 defaulter's `SetDefaults_ResourceList` as the stored object shows it: each amount
  /// rounded up to a multiple of 1m and written back as Go's `Quantity.String` writes it (the
  /// input when it is already canonical, else the canonical form: `0.5` → `500m`, `1` → `"1"`).
  /// Amounts that do not parse are left for the caller to refuse.
  static func canonicalList(_ list: JSONValue) -> JSONValue {
    guard let o = list.objectValue else { return list }
    return .object(o.mapValues(canonical))
  }

  static func canonical(_ v: JSONValue) -> JSONValue {
    guard let t = text(v), let q = try? Quantity(parsing: t) else { return v }
    let milli = q.scaledValue(-3)
    let rounded = Quantity(milli, scale: -3, format: q.format)
    return .string(rounded == q ? q.description : rounded.canonicalString)
  }

  static func quantity(_ v: JSONValue) -> Quantity? {
    text(v).flatMap { try? Quantity(parsing: $0) }
  }

  /// `ValidateResourceQuantityValue`.
  static func quantityValue(_ name: String, _ v: JSONValue, _ p: String) -> [StatusCause] {
    guard let t = text(v), let q = try? Quantity(parsing: t) else { return [] }
    var errs: [StatusCause] = []
    if q.sign < 0 { errs.append(FieldErrors.invalid(p, q.description, "must be greater than or equal to 0")) }
    if isExtended(name), q.milliValue % 1000 != 0, let go = GoQuantity(parsing: t) {
      errs.append(FieldErrors.invalid(p, .goSyntax(go.goSyntax), "must be an integer"))
    }
    return errs
  }

  /// `validateContainerResourceName`.
  static func resourceName(_ name: String, _ p: String) -> [StatusCause] {
    if !name.contains("/") {
      if standardContainer(name) { return [] }
      var errs: [StatusCause] = []
      if !standardResources.contains(name) && !name.hasPrefix("requests.hugepages-") {
        errs.append(FieldErrors.invalid(p, name, "must be a standard resource type or fully qualified"))
      }
      errs.append(FieldErrors.invalid(p, name, "must be a standard resource for containers"))
      return errs
    }
    if !isNative(name) && !isExtended(name) {
      return [FieldErrors.invalid(p, name, "doesn't follow extended resource name standard")]
    }
    return []
  }

  static func standardContainer(_ name: String) -> Bool {
    ["cpu", "memory", "ephemeral-storage"].contains(name) || name.hasPrefix("hugepages-")
  }

  static let standardResources: Set<String> = [
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers",
    "resourcequotas", "secrets", "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
    "services.loadbalancers", "configmaps",
  ]

  /// No domain, or a `kubernetes.io` one.
  static func isNative(_ name: String) -> Bool { !name.contains("/") || name.contains("kubernetes.io/") }

  /// `IsExtendedResourceName`: a domain-qualified name outside kubernetes.io that is still a
  /// qualified name as a quota key (`requests.<name>`).
  static func isExtended(_ name: String) -> Bool {
    if isNative(name) || name.hasPrefix("requests.") { return false }
    let parts = ("requests." + name).split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, Admission.isSubdomain(String(parts[0])) else { return false }
    let n = parts[1]
    guard let f = n.first, let l = n.last, n.count <= 63 else { return false }
    func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
    return alnum(f) && alnum(l) && n.allSatisfy { alnum($0) || "-_.".contains($0) }
  }

  /// `IsOvercommitAllowed`: native resources other than hugepages.
  static func overcommitAllowed(_ name: String) -> Bool { isNative(name) && !name.hasPrefix("hugepages-") }
}
