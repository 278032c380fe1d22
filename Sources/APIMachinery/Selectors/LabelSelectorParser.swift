/// The string form of label selectors, parsed exactly as `labels.Parse` does (its lexer, its
/// grammar, its error messages):
///
///     <selector>    ::= <requirement> | <requirement> "," <selector>
///     <requirement> ::= [!] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]
///
/// `a=b,c!=d,e in (x,y),f notin (z),g,!h,i==j,k>3`. Whitespace separates tokens; `in` and
/// `notin` are keywords only where an operator is expected; `x in ()` means `x in ("")`.
extension LabelSelectorMatcher {
  public static func parse(_ text: String) throws(LabelSelectorError) -> LabelSelectorMatcher {
    var lexer = LabelSelectorLexer(Array(text.utf8))
    var parser = LabelSelectorParser(tokens: lexer.all())
    return LabelSelectorMatcher(requirements: try parser.parse())
  }
}

enum LabelToken: Equatable {
  case error, end, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan, identifier, `in`, lessThan,
    notEquals, notIn, openPar
}

struct LabelSelectorLexer {
  let s: [UInt8]
  var pos = 0
  init(_ s: [UInt8]) { self.s = s }

  static let literals: [String: LabelToken] = [
    ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
    "in": .in, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
  ]

  static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a }
  static func isSpecial(_ c: UInt8) -> Bool { "=!(),><".utf8.contains(c) }

  mutating func read() -> UInt8? {
    guard pos < s.count else {
      pos += 1
      return nil
    }
    defer { pos += 1 }
    return s[pos]
  }

  mutating func lex() -> (LabelToken, String) {
    var c = read()
    while let ch = c, Self.isWhitespace(ch) { c = read() }
    guard let ch = c else { return (.end, "") }
    pos -= 1
    if Self.isSpecial(ch) { return scanSpecial() }
    var buffer: [UInt8] = []
    while let ch = read() {
      if Self.isSpecial(ch) || Self.isWhitespace(ch) {
        pos -= 1
        break
      }
      buffer.append(ch)
    }
    if pos > s.count { pos = s.count }
    let lit = String(decoding: buffer, as: UTF8.self)
    return (Self.literals[lit] ?? .identifier, lit)
  }

  mutating func scanSpecial() -> (LabelToken, String) {
    var buffer: [UInt8] = []
    var last: (LabelToken, String)?
    while let ch = read() {
      guard Self.isSpecial(ch) else {
        pos -= 1
        break
      }
      buffer.append(ch)
      let lit = String(decoding: buffer, as: UTF8.self)
      if let t = Self.literals[lit] {
        last = (t, lit)
      } else if last != nil {
        pos -= 1
        break
      }
    }
    if pos > s.count { pos = s.count }
    return last ?? (.error, "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'")
  }

  mutating func all() -> [(LabelToken, String)] {
    var out: [(LabelToken, String)] = []
    while true {
      let t = lex()
      out.append(t)
      if t.0 == .end { return out }
    }
  }
}

struct LabelSelectorParser {
  let tokens: [(LabelToken, String)]
  var position = 0

  enum Context { case keyAndOperator, values }

  static let binaryOperators = "in, notin, =, ==, !=, gt, lt"

  func lookahead(_ ctx: Context) -> (LabelToken, String) {
    var (t, l) = tokens[position]
    if ctx == .values, t == .in || t == .notIn { t = .identifier }
    return (t, l)
  }

  mutating func consume(_ ctx: Context) -> (LabelToken, String) {
    let r = lookahead(ctx)
    position += 1
    return r
  }

  mutating func parse() throws(LabelSelectorError) -> [LabelSelectorMatcher.Requirement] {
    var reqs: [LabelSelectorMatcher.Requirement] = []
    while true {
      let (t, lit) = lookahead(.values)
      switch t {
      case .identifier, .doesNotExist:
        do {
          reqs.append(try parseRequirement())
        } catch {
          throw LabelSelectorError("unable to parse requirement: \(error.message)")
        }
        let (t2, l2) = consume(.values)
        switch t2 {
        case .end:
          return reqs
        case .comma:
          let (t3, l3) = lookahead(.values)
          if t3 != .identifier && t3 != .doesNotExist {
            throw LabelSelectorError("found '\(l3)', expected: identifier after ','")
          }
        default:
          throw LabelSelectorError("found '\(l2)', expected: ',' or 'end of string'")
        }
      case .end:
        return reqs
      default:
        throw LabelSelectorError("found '\(lit)', expected: !, identifier, or 'end of string'")
      }
    }
  }

  mutating func parseRequirement() throws(LabelSelectorError) -> LabelSelectorMatcher.Requirement {
    var (t, key) = consume(.values)
    var op: LabelSelectorMatcher.Operator?
    if t == .doesNotExist {
      op = .doesNotExist
      (t, key) = consume(.values)
    }
    guard t == .identifier else { throw LabelSelectorError("found '\(key)', expected: identifier") }
    let keyErrs = NameValidation.qualifiedNameErrors(key)
    if !keyErrs.isEmpty {
      throw LabelSelectorError(KubeFieldError.invalid("", .string(key), keyErrs.joined(separator: "; ")).description)
    }
    let (next, _) = lookahead(.values)
    if next == .end || next == .comma {
      return try LabelSelectorMatcher.Requirement(key: key, op: op ?? .exists, values: [])
    }
    if op == .doesNotExist {
      return try LabelSelectorMatcher.Requirement(key: key, op: .doesNotExist, values: [])
    }
    let (ot, olit) = consume(.keyAndOperator)
    let binary: LabelSelectorMatcher.Operator
    switch ot {
    case .in: binary = .in
    case .equals: binary = .equals
    case .doubleEquals: binary = .doubleEquals
    case .greaterThan: binary = .greaterThan
    case .lessThan: binary = .lessThan
    case .notIn: binary = .notIn
    case .notEquals: binary = .notEquals
    default: throw LabelSelectorError("found '\(olit)', expected: \(Self.binaryOperators)")
    }
    let values: Set<String>
    switch binary {
    case .in, .notIn: values = try parseValues()
    default: values = try parseExactValue()
    }
    return try LabelSelectorMatcher.Requirement(key: key, op: binary, values: values.sorted())
  }

  mutating func parseValues() throws(LabelSelectorError) -> Set<String> {
    let (t, lit) = consume(.values)
    guard t == .openPar else { throw LabelSelectorError("found '\(lit)' expected: '('") }
    let (t2, lit2) = lookahead(.values)
    switch t2 {
    case .identifier, .comma:
      let s = try parseIdentifiersList()
      let (t3, _) = consume(.values)
      if t3 != .closedPar { throw LabelSelectorError("found '\(lit2)', expected: ')'") }
      return s
    case .closedPar:
      _ = consume(.values)
      return [""]
    default:
      throw LabelSelectorError("found '\(lit2)', expected: ',', ')' or identifier")
    }
  }

  mutating func parseIdentifiersList() throws(LabelSelectorError) -> Set<String> {
    var s: Set<String> = []
    while true {
      let (t, lit) = consume(.values)
      switch t {
      case .identifier:
        s.insert(lit)
        let (t2, l2) = lookahead(.values)
        switch t2 {
        case .comma: continue
        case .closedPar: return s
        default: throw LabelSelectorError("found '\(l2)', expected: ',' or ')'")
        }
      case .comma:
        if s.isEmpty { s.insert("") }
        let (t2, _) = lookahead(.values)
        if t2 == .closedPar {
          s.insert("")
          return s
        }
        if t2 == .comma { s.insert("") }
      default:
        throw LabelSelectorError("found '\(lit)', expected: ',', or identifier")
      }
    }
  }

  mutating func parseExactValue() throws(LabelSelectorError) -> Set<String> {
    let (t, _) = lookahead(.values)
    if t == .end || t == .comma { return [""] }
    let (t2, lit) = consume(.values)
    if t2 == .identifier { return [lit] }
    throw LabelSelectorError("found '\(lit)', expected: identifier")
  }
}
