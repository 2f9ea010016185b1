import Foundation
import NovaCore

/// Parses Rego source into a `Module` (or a query into a `Body`), with a span on every node.
///
/// Rego v1 is the default; v0 (rules without `if`, `p[x] { … }`, chained bodies, keywords only
/// after `import future.keywords`) is an option. Nesting deeper than `maximumDepth` is an error,
/// not a crash.
public struct Parser {
    public static let maximumDepth = 200

    var tokens: [Token]
    var index = 0
    let source: String
    let file: String
    var version: Module.Version
    var keywords: Set<String>
    var depth = 0
    /// Inside parentheses, brackets or braces of a term, newlines do not end a literal.
    var nesting = 0
    /// While reading the first element of `[…]` or `{…}`, `|` starts a comprehension.
    var allowsUnion = true
    /// `# METADATA` blocks by the line they end on.
    var metadata: [Int: (line: Int, yaml: String)] = [:]

    static let futureKeywords: Set<String> = ["if", "contains", "in", "every"]

    init(_ source: String, file: String, version: Module.Version) throws(RegoError) {
        var lexer = Lexer(source, file: file)
        tokens = try lexer.tokenize()
        metadata = Self.metadataBlocks(lexer.comments)
        self.source = source
        self.file = file
        self.version = version
        keywords = version == .v1 ? Self.futureKeywords : []
    }

    /// Parses a module.
    public static func parseModule(_ source: String, file: String = "module.rego", version: Module.Version = .v1) throws(RegoError) -> Module {
        var parser = try Parser(source, file: file, version: version)
        return try parser.module()
    }

    /// Parses a query (a body without braces), as `opa eval` takes one.
    public static func parseQuery(_ source: String, file: String = "query", version: Module.Version = .v1) throws(RegoError) -> Body {
        var parser = try Parser(source, file: file, version: version)
        let body = try parser.literals(until: nil)
        guard parser.peek.kind == .end else { throw parser.error("unexpected \(parser.peek.text)", at: parser.peek) }
        guard !body.isEmpty else { throw parser.error("empty query", at: parser.peek) }
        return body
    }

    // MARK: - Tokens

    var peek: Token { tokens[index] }
    func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ message: String, at token: Token) -> RegoError {
        RegoError(.parse, message, at: token.span, sourceLine: Lexer.line(token.span.line, of: source))
    }

    mutating func expect(_ symbol: String, _ context: String) throws(RegoError) -> Token {
        guard peek.isSymbol(symbol) else { throw error("expected \(symbol) \(context), found \(peek.text)", at: peek) }
        return advance()
    }

    func isKeyword(_ word: String) -> Bool {
        peek.isKeyword(word) && (keywords.contains(word) || !Self.futureKeywords.contains(word)) && !startsReference
    }

    /// Whether the identifier at hand heads a reference (`not.foo`, `contains(…)`), which makes a
    /// keyword an ordinary name, as OPA allows.
    var startsReference: Bool {
        let next = peek(1)
        return next.span.start == peek.span.end && (next.isSymbol(".") || next.isSymbol("("))
    }

    mutating func takeKeyword(_ word: String) -> Bool {
        guard isKeyword(word) else { return false }
        advance()
        return true
    }

    /// Whether the next token starts a new literal (a newline outside any brackets).
    var atLineBreak: Bool { nesting == 0 && peek.followsNewline }

    mutating func nested<T>(_ body: (inout Parser) throws(RegoError) -> T) throws(RegoError) -> T {
        nesting += 1
        let saved = allowsUnion
        allowsUnion = true
        defer { nesting -= 1; allowsUnion = saved }
        return try body(&self)
    }

    // MARK: - Module

    mutating func module() throws(RegoError) -> Module {
        let packageToken = peek
        guard takeKeyword("package") else { throw error("expected package declaration, found \(peek.text)", at: peek) }
        var module = try rest(package: try reference())
        module.annotations = try annotations(endingBefore: packageToken)
        return module
    }

    private mutating func rest(package: Term) throws(RegoError) -> Module {
        var imports: [Module.Import] = []
        while peek.isKeyword("import") {
            let start = advance()
            let path = try reference()
            var alias: String?
            if peek.isKeyword("as") {
                advance()
                guard case .identifier(let name) = peek.kind else { throw error("expected a name after as", at: peek) }
                advance()
                alias = name
            }
            let names = Self.names(of: path)
            if names.first == "future", names.count >= 2, names[1] == "keywords" {
                if names.count == 2 {
                    keywords.formUnion(Self.futureKeywords)
                } else if Self.futureKeywords.contains(names[2]) {
                    keywords.insert(names[2])
                } else {
                    throw error("unknown future keyword \(names[2])", at: start)
                }
            } else if names == ["rego", "v1"] {
                keywords.formUnion(Self.futureKeywords)
            } else if !["data", "input", "future", "rego"].contains(names.first ?? "") {
                throw error("import must start with data or input, found \(names.first ?? "?")", at: start)
            }
            imports.append(Module.Import(path: path, alias: alias, span: start.span.through(path.span)))
        }
        var rules: [Rule] = []
        while peek.kind != .end {
            rules.append(try rule())
        }
        return Module(file: file, package: package, imports: imports, rules: rules, version: version)
    }

    static func names(of term: Term) -> [String] {
        switch term.kind {
        case .variable(let name): return [name]
        case .ref(let head, let path):
            return names(of: head)
                + path.map { step in
                    switch step {
                    case .field(let name): name
                    case .index(let t): if case .string(let s) = t.kind { s } else { "?" }
                    }
                }
        default: return []
        }
    }

    // MARK: - Rules

    mutating func rule() throws(RegoError) -> Rule {
        let start = peek
        let isDefault = takeKeyword("default")
        guard case .identifier(let name) = peek.kind, !["package", "import"].contains(name) || startsReference else {
            throw error("expected a rule, found \(peek.text)", at: peek)
        }
        var ref = try reference()
        var arguments: [Term] = []
        var kind = Rule.Kind.complete
        var key: Term?
        if peek.isSymbol("("), !peek.followsNewline {
            advance()
            arguments = try nested { p throws(RegoError) in try p.terms(until: ")") }
            _ = try expect(")", "after the function's arguments")
            kind = .function
        }
        if kind != .function, takeKeyword("contains") {
            key = try expression(level: .membership)
            kind = .partialSet
        }
        var value: Term?
        var isAssignment = false
        if peek.isSymbol(":=") || peek.isSymbol("=") {
            isAssignment = advance().isSymbol(":=")
            value = try expression(level: .membership)
        }
        if kind == .complete, case .ref(let head, var path) = ref.kind, case .index(let last)? = path.last {
            // `p[k] := v` builds an object; v0's `p[x] { … }` builds a set.
            path.removeLast()
            key = last
            ref = path.isEmpty ? head : Term(.ref(head: head, path: path), span: ref.span)
            kind = (value == nil && version == .v0 && !isDefault) ? .partialSet : .partialObject
        }
        var bodies: [Body] = []
        if let body = try ruleBody(required: false) {
            bodies.append(body)
            while version == .v0, peek.isSymbol("{"), tokens[index - 1].isSymbol("}") {
                bodies.append(try ruleBody(required: true)!)
            }
        }
        if isDefault, !bodies.isEmpty { throw error("a default rule has no body", at: start) }
        if bodies.isEmpty, value == nil, key == nil, !isDefault {
            throw error("rule \(name) needs a value or a body", at: start)
        }
        var elses: [Rule.ElseClause] = []
        while isKeyword("else") {
            let elseToken = advance()
            var elseValue: Term?
            if peek.isSymbol(":=") || peek.isSymbol("=") {
                advance()
                elseValue = try expression(level: .membership)
            }
            let body = try ruleBody(required: false) ?? []
            elses.append(Rule.ElseClause(value: elseValue, body: body, span: elseToken.span))
        }
        if !elses.isEmpty, kind != .complete, kind != .function { throw error("else is only for single-value rules and functions", at: start) }
        let end = tokens[max(index - 1, 0)].span
        return Rule(
            kind: kind, isDefault: isDefault, ref: ref, arguments: arguments, key: key, value: value, isAssignment: isAssignment,
            bodies: bodies, elses: elses, annotations: try annotations(endingBefore: start), span: start.span.through(end))
    }

    /// Groups comment lines into METADATA blocks: a `# METADATA` line and the comment lines right
    /// after it.
    static func metadataBlocks(_ comments: [(line: Int, text: String)]) -> [Int: (line: Int, yaml: String)] {
        var blocks: [Int: (line: Int, yaml: String)] = [:]
        var index = 0
        while index < comments.count {
            guard comments[index].text.trimmingCharacters(in: .whitespaces) == "METADATA" else { index += 1; continue }
            let first = comments[index].line
            var lines: [String] = []
            var last = first
            index += 1
            while index < comments.count, comments[index].line == last + 1, comments[index].text.trimmingCharacters(in: .whitespaces) != "METADATA" {
                let text = comments[index].text
                lines.append(text.hasPrefix(" ") ? String(text.dropFirst()) : text)
                last = comments[index].line
                index += 1
            }
            blocks[last] = (first, lines.joined(separator: "\n"))
        }
        return blocks
    }

    /// The METADATA block that ends on the line before `token`, read as YAML.
    func annotations(endingBefore token: Token) throws(RegoError) -> Value? {
        guard let block = metadata[token.span.line - 1] else { return nil }
        do {
            let value = try Value(yaml: block.yaml, file: file)
            guard value.isNull || value.objectValue != nil else {
                throw RegoError(.parse, "METADATA must be a YAML mapping", at: SourceSpan(file: file, line: block.line, column: 1, start: 0, end: 0))
            }
            return value
        } catch let error as RegoError {
            throw error
        } catch let error as NovaError {
            let line = error.diagnostics.first?.location.map { block.line + $0.line } ?? block.line
            throw RegoError(
                .parse, "invalid METADATA: \(error.diagnostics.first?.message ?? error.message)",
                at: SourceSpan(file: file, line: line, column: 1, start: 0, end: 0), sourceLine: Lexer.line(line, of: source))
        } catch {
            throw RegoError(.parse, "invalid METADATA: \(error)", at: token.span)
        }
    }

    /// `if { … }`, `if literal`, or (v0, and tolerated in v1 with an error) `{ … }`.
    mutating func ruleBody(required: Bool) throws(RegoError) -> Body? {
        if takeKeyword("if") {
            if peek.isSymbol("{") {
                // `if {x: i | …}` is one literal, an object comprehension, not a body.
                let saved = self
                do throws(RegoError) { return try braceBody() } catch {
                    self = saved
                    guard let literal = try? self.literal(), peek.followsNewline || peek.kind == .end || peek.isSymbol("}") else { throw error }
                    return [literal]
                }
            }
            let literal = try self.literal()
            return [literal]
        }
        if peek.isSymbol("{") {
            if version == .v1 && !keywords.isEmpty && !required {
                throw error("`if` keyword is required before rule body", at: peek)
            }
            return try braceBody()
        }
        if required { throw error("expected a rule body", at: peek) }
        return nil
    }

    mutating func braceBody() throws(RegoError) -> Body {
        _ = try expect("{", "to open the body")
        let savedNesting = nesting
        nesting = 0
        defer { nesting = savedNesting }
        let body = try literals(until: "}")
        _ = try expect("}", "to close the body")
        guard !body.isEmpty else { throw error("found empty body", at: tokens[index - 1]) }
        return body
    }

    /// Literals separated by `;` or line breaks, up to `closing` (or the end).
    mutating func literals(until closing: String?) throws(RegoError) -> Body {
        var body: Body = []
        while true {
            while peek.isSymbol(";") { advance() }
            if peek.kind == .end { break }
            if let closing, peek.isSymbol(closing) { break }
            body.append(try literal())
            if peek.kind == .end { break }
            if let closing, peek.isSymbol(closing) { break }
            guard peek.isSymbol(";") || peek.followsNewline else {
                throw error("unexpected \(peek.text): literals are separated by a newline or ;", at: peek)
            }
        }
        return body
    }

    // MARK: - Literals

    mutating func literal() throws(RegoError) -> Literal {
        let start = peek
        var kind: Literal.Kind
        if takeKeyword("some") {
            var terms = [try expression(level: .relation)]
            while peek.isSymbol(","), !atLineBreak {
                advance()
                terms.append(try expression(level: .relation))
            }
            if takeKeyword("in") {
                guard terms.count <= 2 else { throw error("some takes at most a key and a value before in", at: start) }
                kind = .some(terms, in: try expression(level: .relation))
            } else {
                for term in terms where term.variableName == nil {
                    throw RegoError(.parse, "expected a variable after some", at: term.span, sourceLine: Lexer.line(term.span.line, of: source))
                }
                kind = .some(terms, in: nil)
            }
        } else if takeKeyword("every") {
            var first = try variable("after every")
            var second: Term?
            if peek.isSymbol(",") {
                advance()
                second = try variable("after every k,")
            }
            guard takeKeyword("in") else { throw error("expected in after every's variables", at: peek) }
            let domain = try expression(level: .relation)
            let body = try braceBody()
            var key: Term?
            if let second { key = first; first = second }
            kind = .every(key: key, value: first, domain: domain, body: body)
        } else if takeKeyword("not") {
            kind = .not(try expression(level: .assignment))
        } else {
            var expression = try self.expression(level: .assignment)
            // `k, v in xs` as a literal.
            if peek.isSymbol(","), !atLineBreak, peek(1).kind != .end {
                let saved = index
                advance()
                let value = try self.expression(level: .relation)
                if takeKeyword("in") {
                    let collection = try self.expression(level: .relation)
                    expression = Term(.membership(key: expression, value: value, collection: collection), span: expression.span.through(collection.span))
                    while isKeyword("in"), !atLineBreak {
                        advance()
                        let outer = try self.expression(level: .relation)
                        expression = Term(.membership(key: nil, value: expression, collection: outer), span: expression.span.through(outer.span))
                    }
                } else {
                    index = saved
                }
            }
            kind = .expression(expression)
        }
        var modifiers: [Literal.With] = []
        while isKeyword("with") {
            advance()
            let target = try reference()
            guard peek.isKeyword("as") else { throw error("expected as after with \(Self.names(of: target).joined(separator: "."))", at: peek) }
            advance()
            modifiers.append(Literal.With(target: target, value: try expression(level: .membership)))
        }
        return Literal(kind: kind, with: modifiers, span: start.span.through(tokens[max(index - 1, 0)].span))
    }

    mutating func variable(_ context: String) throws(RegoError) -> Term {
        guard case .identifier(let name) = peek.kind else { throw error("expected a variable \(context)", at: peek) }
        return Term(.variable(name), span: advance().span)
    }
}
