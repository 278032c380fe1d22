/// `intstr.IntOrString`: a port number or a port name (`8080` or `"http"`).
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible,
  ExpressibleByIntegerLiteral,
  ExpressibleByStringLiteral
{
  case int(Int32)
  case string(String)

  public init(integerLiteral value: Int32) { self = .int(value) }
  public init(stringLiteral value: String) { self = .string(value) }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let i = try? c.decode(Int32.self) {
      self = .int(i)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .int(let i): try c.encode(i)
    case .string(let s): try c.encode(s)
    }
  }

  public var description: String {
    switch self {
    case .int(let i): String(i)
    case .string(let s): s
    }
  }
}
