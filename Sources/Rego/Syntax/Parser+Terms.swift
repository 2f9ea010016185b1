extension Parser {
    /// Precedence levels, loosest first, as OPA's grammar has them.
    enum Level: Int, Comparable {
        case assignment, membership, relation, union, intersection, sum, product, unary
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    static let operators: [Level: [String]] = [
        .assignment: [":=", "="], .relation: ["==", "!=", "<", "<=", ">", ">="], .union: ["|"], .intersection: ["&"],
        .sum: ["+", "-"], .product: ["*", "/", "%"],
    ]

    /// An expression at `level` or tighter.
    mutating func expression(level: Level) throws(RegoError) -> Term {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth { throw error("expression nested deeper than \(Self.maximumDepth) levels", at: peek) }
        switch level {
        case .unary:
            if peek.isSymbol("-") {
                let minus = advance()
                if case .number(let text) = peek.kind, peek.span.start == minus.span.end {
                    let number = advance()
                    return try postfix(Term(.number("-" + text), span: minus.span.through(number.span)))
                }
                let operand = try expression(level: .unary)
                return Term(.negative(operand), span: minus.span.through(operand.span))
            }
            return try postfix(try primary())
        case .membership:
            var left = try expression(level: .relation)
            let entryDepth = depth
            defer { depth = entryDepth }
            while isKeyword("in"), !atLineBreak {
                try deepenChain()
                advance()
                let right = try expression(level: .relation)
                left = Term(.membership(key: nil, value: left, collection: right), span: left.span.through(right.span))
            }
            return left
        default:
            let tighter = Level(rawValue: level.rawValue + 1)!
            var left = try expression(level: tighter)
            let symbols = Self.operators[level] ?? []
            let entryDepth = depth
            defer { depth = entryDepth }
            while case .symbol(let symbol) = peek.kind, symbols.contains(symbol), !atLineBreak, symbol != "|" || allowsUnion {
                try deepenChain()
                advance()
                let right = try expression(level: tighter)
                left = Term(.binary(Term.Operator(rawValue: symbol)!, left, right), span: left.span.through(right.span))
                if level == .assignment { break }
            }
            return left
        }
    }

    /// A chain of operators (`a + b + c`) builds a term one level deeper per operator without
    /// the parser recursing, and every later pass walks that term recursively: each link counts
    /// as a level, so no pass meets a term deeper than the parser allows.
    mutating func deepenChain() throws(RegoError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("expression nested deeper than \(Self.maximumDepth) levels", at: peek) }
    }

    /// A reference: a variable followed by `.name` and `[term]` steps (no calls).
    mutating func reference() throws(RegoError) -> Term {
        guard case .identifier(let name) = peek.kind else { throw error("expected a name, found \(peek.text)", at: peek) }
        let head = Term(.variable(name), span: advance().span)
        return try postfix(head, allowsCalls: false)
    }

    /// `.field`, `[index]` and `(arguments)` after a term.
    mutating func postfix(_ term: Term, allowsCalls: Bool = true) throws(RegoError) -> Term {
        var head = term
        var path: [Term.RefStep] = []
        func current() -> Term { path.isEmpty ? head : Term(.ref(head: head, path: path), span: head.span.through(tokens[index - 1].span)) }
        while true {
            let adjacent = peek.span.start == tokens[index - 1].span.end
            if peek.isSymbol("."), adjacent {
                advance()
                guard case .identifier(let field) = peek.kind, peek.span.start == tokens[index - 1].span.end else {
                    throw error("expected a name after .", at: peek)
                }
                advance()
                path.append(.field(field))
            } else if peek.isSymbol("["), !atLineBreak, adjacent {
                advance()
                let index = try nested { p throws(RegoError) in try p.expression(level: .membership) }
                _ = try expect("]", "to close the reference")
                path.append(.index(index))
            } else if allowsCalls, peek.isSymbol("("), adjacent, isCallable(current()) {
                advance()
                let arguments = try nested { p throws(RegoError) in try p.terms(until: ")") }
                let close = try expect(")", "after the arguments")
                let function = current()
                if function.variableName == "set", arguments.isEmpty {
                    head = Term(.set([]), span: function.span.through(close.span))
                } else {
                    head = Term(.call(function: function, arguments: arguments), span: function.span.through(close.span))
                }
                path = []
            } else {
                return current()
            }
        }
    }

    func isCallable(_ term: Term) -> Bool {
        switch term.kind {
        case .variable: true
        case .ref(let head, let path): head.variableName != nil && path.allSatisfy { if case .field = $0 { true } else { false } }
        default: false
        }
    }

    /// Comma-separated expressions up to (not including) `closing`; a trailing comma is allowed.
    mutating func terms(until closing: String) throws(RegoError) -> [Term] {
        var items: [Term] = []
        while !peek.isSymbol(closing) {
            items.append(try expression(level: .membership))
            guard peek.isSymbol(",") else { break }
            advance()
        }
        return items
    }

    mutating func primary() throws(RegoError) -> Term {
        let token = peek
        switch token.kind {
        case .number(let text):
            advance()
            return Term(.number(text), span: token.span)
        case .string(let text):
            advance()
            return Term(.string(text), span: token.span)
        case .template(let text, let isRaw):
            advance()
            return Term(.template(try templateParts(text, isRaw: isRaw, at: token)), span: token.span)
        case .identifier(let name) where startsReference:
            advance()
            return Term(.variable(name), span: token.span)
        case .identifier(let name):
            switch name {
            case "true", "false":
                advance()
                return Term(.boolean(name == "true"), span: token.span)
            case "null":
                advance()
                return Term(.null, span: token.span)
            case "some", "not", "with", "else", "default", "package", "import", "as":
                throw error("unexpected keyword \(name)", at: token)
            default:
                if keywords.contains(name) { throw error("unexpected keyword \(name)", at: token) }
                advance()
                return Term(.variable(name), span: token.span)
            }
        case .symbol("("):
            advance()
            let inner = try nested { p throws(RegoError) -> Term in
                let first = try p.expression(level: .membership)
                // `(k, v in xs)`
                guard p.peek.isSymbol(",") else { return first }
                p.advance()
                let value = try p.expression(level: .relation)
                guard p.takeKeyword("in") else { throw p.error("expected in after \"k, v\"", at: p.peek) }
                let collection = try p.expression(level: .relation)
                return Term(.membership(key: first, value: value, collection: collection), span: first.span.through(collection.span))
            }
            _ = try expect(")", "to close the parenthesis")
            return inner
        case .symbol("["):
            return try array()
        case .symbol("{"):
            return try braces()
        case .end:
            throw error("unexpected end of input", at: token)
        default:
            throw error("unexpected \(token.text)", at: token)
        }
    }

    mutating func array() throws(RegoError) -> Term {
        let open = advance()
        return try nested { p throws(RegoError) in
            if p.peek.isSymbol("]") { return Term(.array([]), span: open.span.through(p.advance().span)) }
            p.allowsUnion = false
            let first = try p.expression(level: .membership)
            p.allowsUnion = true
            if let (body, close) = try p.comprehensionTail(closing: "]") {
                return Term(.arrayComprehension(first, body), span: open.span.through(close.span))
            }
            let (items, close) = try p.elementsTail(after: first, closing: "]", "to close the array")
            return Term(.array(items), span: open.span.through(close.span))
        }
    }

    /// `{}` (empty object), objects, sets and their comprehensions.
    mutating func braces() throws(RegoError) -> Term {
        let open = advance()
        return try nested { p throws(RegoError) in
            if p.peek.isSymbol("}") { return Term(.object([]), span: open.span.through(p.advance().span)) }
            p.allowsUnion = false
            let first = try p.expression(level: .membership)
            if p.peek.isSymbol(":") {
                p.advance()
                let value = try p.expression(level: .membership)
                p.allowsUnion = true
                if let (body, close) = try p.comprehensionTail(closing: "}") {
                    return Term(.objectComprehension(key: first, value: value, body), span: open.span.through(close.span))
                }
                var pairs = [(key: first, value: value)]
                while p.peek.isSymbol(",") {
                    p.advance()
                    if p.peek.isSymbol("}") { break }
                    let key = try p.expression(level: .membership)
                    _ = try p.expect(":", "between an object's key and value")
                    pairs.append((key, try p.expression(level: .membership)))
                }
                let close = try p.expect("}", "to close the object")
                return Term(.object(pairs), span: open.span.through(close.span))
            }
            p.allowsUnion = true
            if let (body, close) = try p.comprehensionTail(closing: "}") {
                return Term(.setComprehension(first, body), span: open.span.through(close.span))
            }
            let (items, close) = try p.elementsTail(after: first, closing: "}", "to close the set")
            return Term(.set(items), span: open.span.through(close.span))
        }
    }

    /// After a collection's first term: `| body` and the closing bracket, or nil when it is not a
    /// comprehension.
    mutating func comprehensionTail(closing: String) throws(RegoError) -> (Body, Token)? {
        guard peek.isSymbol("|") else { return nil }
        advance()
        let body = try comprehensionBody(until: closing)
        return (body, try expect(closing, "to close the comprehension"))
    }

    /// After a collection's first term: the other elements and the closing bracket.
    mutating func elementsTail(after first: Term, closing: String, _ context: String) throws(RegoError) -> ([Term], Token) {
        var items = [first]
        if peek.isSymbol(",") {
            advance()
            items += try terms(until: closing)
        }
        return (items, try expect(closing, context))
    }

    mutating func comprehensionBody(until closing: String) throws(RegoError) -> Body {
        let savedNesting = nesting
        nesting = 0
        defer { nesting = savedNesting }
        let body = try literals(until: closing)
        guard !body.isEmpty else { throw error("empty comprehension body", at: peek) }
        return body
    }

    /// Splits a template string into text and `{expression}` parts.
    mutating func templateParts(_ text: String, isRaw: Bool, at token: Token) throws(RegoError) -> [Term.TemplatePart] {
        var parts: [Term.TemplatePart] = []
        var literal = ""
        var chars = Array(text)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", let next = chars.first, !isRaw || next == "{" || next == "}" {
                chars = chars.dropFirst()
                switch next {
                case "n": literal.append("\n")
                case "t": literal.append("\t")
                case "r": literal.append("\r")
                case "\"", "\\", "/", "{", "}": literal.append(next)
                default: throw error("invalid escape \\\(next) in template string", at: token)
                }
            } else if c == "{" {
                var depth = 1
                var inner = ""
                while let d = chars.first, depth > 0 {
                    chars = chars.dropFirst()
                    if d == "{" { depth += 1 }
                    if d == "}" { depth -= 1; if depth == 0 { break } }
                    inner.append(d)
                }
                guard depth == 0 else { throw error("unterminated {…} in template string", at: token) }
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                var sub = try Parser(inner, file: file, version: version)
                sub.keywords = keywords
                let expression = try sub.expression(level: .membership)
                guard sub.peek.kind == .end else { throw error("unexpected \(sub.peek.text) in template expression", at: token) }
                parts.append(.expression(expression))
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        return parts
    }
}
