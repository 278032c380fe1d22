/// `metav1.Condition`.
///
/// `lastTransitionTime` changes only when `status` flips; use
/// ``Array/setCondition(_:now:)`` to get that right.
public struct Condition: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    case `true` = "True"
    case `false` = "False"
    case unknown = "Unknown"
  }

  /// CamelCase, e.g. `Ready`.
  public var type: String
  public var status: Status
  public var observedGeneration: Int64?
  public var lastTransitionTime: Time
  /// CamelCase, 1–1024 characters.
  public var reason: String
  /// Up to 32768 characters.
  public var message: String

  public init(
    type: String, status: Status, observedGeneration: Int64? = nil, lastTransitionTime: Time = .now(),
    reason: String, message: String = ""
  ) {
    self.type = type
    self.status = status
    self.observedGeneration = observedGeneration
    self.lastTransitionTime = lastTransitionTime
    self.reason = reason
    self.message = String(message.prefix(32768))
  }
}

extension Array where Element == Condition {
  /// Sets or replaces the condition of the same type, keeping `lastTransitionTime`
  /// unless the status changed. Returns true when anything changed.
  @discardableResult
  public mutating func setCondition(_ c: Condition, now: Time = .now()) -> Bool {
    var new = c
    if let i = firstIndex(where: { $0.type == c.type }) {
      let old = self[i]
      new.lastTransitionTime = old.status == c.status ? old.lastTransitionTime : now
      if old == new { return false }
      self[i] = new
      return true
    }
    new.lastTransitionTime = now
    append(new)
    return true
  }

  public subscript(type type: String) -> Condition? { first { $0.type == type } }
}
