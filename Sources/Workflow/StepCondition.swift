import NovaCore

/// A step's `when`: a small expression over the run's scope, such as
/// `steps.check.output.healthy == false && inputs.env != "prod"`.
///
/// Operands are references, numbers, quoted strings, `true`, `false` and `null`; operators are
/// `== != < <= > >= && || !` and parentheses. A bare operand is true unless it is missing, null or
/// false. `<`-style comparisons need two numbers or two strings.
public struct StepCondition: Sendable, Hashable, CustomStringConvertible {
    indirect enum Expression: Sendable, Hashable {
        case literal(Value)
        case reference(ReferencePath)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case compare(String, Expression, Expression)
    }

    public let source: String
    let expression: Expression

    /// Parses `source`; errors name the character where the problem is.
    public init(parsing source: String) throws(StepError) {
        var parser = ConditionParser(source)
        expression = try parser.parseAll()
        self.source = source
    }

    public var description: String { source }

    /// Every reference the condition reads.
    public var references: [ReferencePath] {
        var found: [ReferencePath] = []
        func visit(_ e: Expression) {
            switch e {
            case .literal: break
            case .reference(let path): found.append(path)
            case .not(let inner): visit(inner)
            case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b): visit(a); visit(b)
            }
        }
        visit(expression)
        return found
    }

    /// Whether the condition holds in `scope`.
    public func evaluate(in scope: Value) throws(StepError) -> Bool {
        try Self.truth(expression, scope)
    }

    private static func value(_ e: Expression, _ scope: Value) throws(StepError) -> Value {
        switch e {
        case .literal(let v): return v
        case .reference(let path): return path.lookup(in: scope) ?? .null
        default: return .bool(try truth(e, scope))
        }
    }

    private static func truth(_ e: Expression, _ scope: Value) throws(StepError) -> Bool {
        switch e {
        case .literal, .reference:
            let v = try value(e, scope)
            if v.isNull || v == .bool(false) { return false }
            return true
        case .not(let inner): return try !truth(inner, scope)
        case .and(let a, let b):
            guard try truth(a, scope) else { return false }
            return try truth(b, scope)
        case .or(let a, let b):
            if try truth(a, scope) { return true }
            return try truth(b, scope)
        case .compare(let op, let a, let b):
            let left = try value(a, scope), right = try value(b, scope)
            switch op {
            case "==": return left == right
            case "!=": return left != right
            default:
                let ordered: Bool
                switch (left, right) {
                case (.number, .number), (.string, .string): ordered = true
                default: ordered = false
                }
                guard ordered else {
                    throw StepError(
                        code: "bad_condition", message: "cannot compare \(left.typeName) with \(right.typeName) using \(op)",
                        isRetryable: false)
                }
                switch op {
                case "<": return left < right
                case "<=": return left <= right
                case ">": return left > right
                default: return left >= right
                }
            }
        }
    }
}

private struct ConditionParser {
    let chars: [Character]
    let source: String
    var i = 0

    init(_ source: String) {
        self.source = source
        chars = Array(source)
    }

    func fail(_ message: String) -> StepError {
        StepError(code: "bad_condition", message: "\"\(source)\" at character \(i + 1): \(message)", isRetryable: false)
    }

    mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

    mutating func take(_ token: String) -> Bool {
        skipSpace()
        let t = Array(token)
        guard i + t.count <= chars.count, Array(chars[i..<i + t.count]) == t else { return false }
        i += t.count
        return true
    }

    mutating func parseAll() throws(StepError) -> StepCondition.Expression {
        let e = try parseOr()
        skipSpace()
        if i < chars.count { throw fail("unexpected \"\(chars[i])\"") }
        return e
    }

    mutating func parseOr() throws(StepError) -> StepCondition.Expression {
        var e = try parseAnd()
        while take("||") { e = .or(e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws(StepError) -> StepCondition.Expression {
        var e = try parseUnary()
        while take("&&") { e = .and(e, try parseUnary()) }
        return e
    }

    mutating func parseUnary() throws(StepError) -> StepCondition.Expression {
        skipSpace()
        if i < chars.count, chars[i] == "!", i + 1 >= chars.count || chars[i + 1] != "=" {
            i += 1
            return .not(try parseUnary())
        }
        let left = try parseOperand()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
            return .compare(op, left, try parseOperand())
        }
        return left
    }

    mutating func parseOperand() throws(StepError) -> StepCondition.Expression {
        skipSpace()
        guard i < chars.count else { throw fail("expected a value") }
        let c = chars[i]
        if c == "(" {
            i += 1
            let e = try parseOr()
            guard take(")") else { throw fail("expected )") }
            return e
        }
        if c == "\"" || c == "'" {
            i += 1
            var text = ""
            while i < chars.count, chars[i] != c {
                if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                text.append(chars[i])
                i += 1
            }
            guard i < chars.count else { throw fail("unterminated string") }
            i += 1
            return .literal(.string(text))
        }
        if c.isNumber || c == "-" {
            let start = i
            i += 1
            while i < chars.count, chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E" { i += 1 }
            let text = String(chars[start..<i])
            if let int = Int(text) { return .literal(.int(int)) }
            if let double = Double(text) { return .literal(.double(double)) }
            i = start
            throw fail("\"\(text)\" is not a number")
        }
        let start = i
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || "_-.[]".contains(chars[i]) { i += 1 }
        guard i > start else { throw fail("unexpected \"\(c)\"") }
        let word = String(chars[start..<i])
        switch word {
        case "true": return .literal(true)
        case "false": return .literal(false)
        case "null": return .literal(.null)
        default: return .reference(try ReferencePath(parsing: word))
        }
    }
}
