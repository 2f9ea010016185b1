import Foundation

/// A recursive-descent parser for GraphQL executable documents and the schema definition
/// language (the October 2021 specification), producing gqlparser-shaped documents.
struct GraphQLParser {
    enum Token: Equatable {
        case punctuator(String)
        case name(String)
        case int(String)
        case float(String)
        case string(String, block: Bool)
        case end
    }

    var tokens: [Token] = []
    var index = 0

    init(_ source: String) throws(GraphQL.Failure) {
        tokens = try Self.lex(Array(source.unicodeScalars))
    }

    // MARK: - Lexing

    static func lex(_ s: [Unicode.Scalar]) throws(GraphQL.Failure) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r", ",", "\u{FEFF}": i += 1
            case "#": while i < s.count, s[i] != "\n", s[i] != "\r" { i += 1 }
            case "!", "$", "&", "(", ")", ":", "=", "@", "[", "]", "{", "|", "}":
                tokens.append(.punctuator(String(c)))
                i += 1
            case ".":
                guard i + 2 < s.count, s[i + 1] == ".", s[i + 2] == "." else { throw GraphQL.Failure(message: "Unexpected .") }
                tokens.append(.punctuator("..."))
                i += 3
            case "\"":
                if i + 2 < s.count, s[i + 1] == "\"", s[i + 2] == "\"" {
                    var j = i + 3, text = String.UnicodeScalarView()
                    while true {
                        guard j < s.count else { throw GraphQL.Failure(message: "Unterminated string.") }
                        if s[j] == "\"", j + 2 < s.count, s[j + 1] == "\"", s[j + 2] == "\"" { break }
                        if s[j] == "\\", j + 3 < s.count, s[j + 1] == "\"", s[j + 2] == "\"", s[j + 3] == "\"" {
                            text.append(contentsOf: "\"\"\"".unicodeScalars)
                            j += 4
                            continue
                        }
                        text.append(s[j])
                        j += 1
                    }
                    tokens.append(.string(blockString(String(text)), block: true))
                    i = j + 3
                    continue
                }
                var j = i + 1, text = String.UnicodeScalarView()
                while true {
                    guard j < s.count, s[j] != "\n", s[j] != "\r" else { throw GraphQL.Failure(message: "Unterminated string.") }
                    if s[j] == "\"" { break }
                    if s[j] == "\\" {
                        guard j + 1 < s.count else { throw GraphQL.Failure(message: "Unterminated string.") }
                        let e = s[j + 1]
                        switch e {
                        case "\"": text.append("\"");
                        case "\\": text.append("\\");
                        case "/": text.append("/")
                        case "b": text.append("\u{8}");
                        case "f": text.append("\u{C}");
                        case "n": text.append("\n")
                        case "r": text.append("\r");
                        case "t": text.append("\t")
                        case "u":
                            guard j + 5 < s.count, let code = UInt32(String(String.UnicodeScalarView(s[(j + 2)...(j + 5)])), radix: 16),
                                let scalar = Unicode.Scalar(code)
                            else { throw GraphQL.Failure(message: "Invalid character escape sequence.") }
                            text.append(scalar)
                            j += 4
                        default: throw GraphQL.Failure(message: "Invalid character escape sequence: \\\(e).")
                        }
                        j += 2
                        continue
                    }
                    text.append(s[j])
                    j += 1
                }
                tokens.append(.string(String(text), block: false))
                i = j + 1
            case "-", "0"..."9":
                var j = i
                if s[j] == "-" { j += 1 }
                guard j < s.count, isDigit(s[j]) else {
                    throw GraphQL.Failure(message: "Invalid number, expected digit but got: \(j < s.count ? String(s[j]) : "<EOF>").")
                }
                if s[j] == "0", j + 1 < s.count, isDigit(s[j + 1]) { throw GraphQL.Failure(message: "Invalid number, unexpected digit after 0.") }
                while j < s.count, isDigit(s[j]) { j += 1 }
                var isFloat = false
                if j < s.count, s[j] == "." {
                    isFloat = true
                    j += 1
                    guard j < s.count, isDigit(s[j]) else { throw GraphQL.Failure(message: "Invalid number, expected digit.") }
                    while j < s.count, isDigit(s[j]) { j += 1 }
                }
                if j < s.count, s[j] == "e" || s[j] == "E" {
                    isFloat = true
                    j += 1
                    if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
                    guard j < s.count, isDigit(s[j]) else { throw GraphQL.Failure(message: "Invalid number, expected digit.") }
                    while j < s.count, isDigit(s[j]) { j += 1 }
                }
                if j < s.count, isNameStart(s[j]) || s[j] == "." { throw GraphQL.Failure(message: "Invalid number, expected digit but got: \(s[j]).") }
                let text = String(String.UnicodeScalarView(s[i..<j]))
                tokens.append(isFloat ? .float(text) : .int(text))
                i = j
            default:
                guard isNameStart(c) else { throw GraphQL.Failure(message: "Unexpected \(c)") }
                var j = i
                while j < s.count, isNameStart(s[j]) || isDigit(s[j]) { j += 1 }
                tokens.append(.name(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
            }
        }
        tokens.append(.end)
        return tokens
    }

    /// The block string value: common indentation removed, blank first and last lines dropped.
    static func blockString(_ raw: String) -> String {
        var lines = raw.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var common: Int?
        for line in lines.dropFirst() {
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if indent < line.count { common = min(common ?? indent, indent) }
        }
        if let common { lines = [lines[0]] + lines.dropFirst().map { String($0.dropFirst(min(common, $0.count))) } }
        while let first = lines.first, first.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    // MARK: - Helpers

    var peek: Token { tokens[index] }

    func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func describe(_ token: Token) -> String {
        switch token {
        case .punctuator(let p): p
        case .name(let n): "Name \"\(n)\""
        case .int(let t), .float(let t): "Number \"\(t)\""
        case .string(let s, _): "String \"\(s)\""
        case .end: "<EOF>"
        }
    }

    func unexpected() -> GraphQL.Failure { GraphQL.Failure(message: "Unexpected \(describe(peek))") }

    func isPunctuator(_ p: String) -> Bool { peek == .punctuator(p) }

    func isName(_ n: String) -> Bool { peek == .name(n) }

    mutating func take(_ p: String) -> Bool {
        guard isPunctuator(p) else { return false }
        index += 1
        return true
    }

    mutating func expect(_ p: String) throws(GraphQL.Failure) {
        guard take(p) else { throw GraphQL.Failure(message: "Expected \(p), found \(describe(peek))") }
    }

    mutating func name() throws(GraphQL.Failure) -> String {
        guard case .name(let n) = peek else { throw GraphQL.Failure(message: "Expected Name, found \(describe(peek))") }
        index += 1
        return n
    }

    mutating func keyword(_ k: String) throws(GraphQL.Failure) {
        guard isName(k) else { throw GraphQL.Failure(message: "Expected \"\(k)\", found \(describe(peek))") }
        index += 1
    }

    mutating func description() -> String {
        if case .string(let s, _) = peek { index += 1; return s }
        return ""
    }

    /// `open item+ close`: at least one item.
    mutating func many<T>(_ open: String, _ close: String, _ item: (inout GraphQLParser) throws(GraphQL.Failure) -> T) throws(GraphQL.Failure) -> [T] {
        try expect(open)
        var items: [T] = []
        repeat { items.append(try item(&self)) } while !take(close)
        return items
    }

    mutating func optionalMany<T>(_ open: String, _ close: String, _ item: (inout GraphQLParser) throws(GraphQL.Failure) -> T) throws(GraphQL.Failure) -> [T] {
        guard isPunctuator(open) else { return [] }
        return try many(open, close, item)
    }

    // MARK: - Values, types, directives

    mutating func value(const: Bool) throws(GraphQL.Failure) -> GraphQL.InputValue {
        switch advance() {
        case .punctuator("$") where !const: return GraphQL.InputValue(kind: .variable, raw: try name())
        case .punctuator("["):
            var items: [(String, GraphQL.InputValue)] = []
            while !take("]") {
                guard peek != .end else { throw unexpected() }
                items.append(("", try value(const: const)))
            }
            return GraphQL.InputValue(kind: .list, raw: "", children: items)
        case .punctuator("{"):
            var fields: [(String, GraphQL.InputValue)] = []
            while !take("}") {
                let n = try name()
                try expect(":")
                fields.append((n, try value(const: const)))
            }
            return GraphQL.InputValue(kind: .object, raw: "", children: fields)
        case .int(let t): return GraphQL.InputValue(kind: .int, raw: t)
        case .float(let t): return GraphQL.InputValue(kind: .float, raw: t)
        case .string(let s, let block): return GraphQL.InputValue(kind: block ? .block : .string, raw: s)
        case .name("true"), .name("false"):
            if case .name(let n) = tokens[index - 1] { return GraphQL.InputValue(kind: .boolean, raw: n) }
            throw unexpected()
        case .name("null"): return GraphQL.InputValue(kind: .null, raw: "null")
        case .name(let n): return GraphQL.InputValue(kind: .enumeration, raw: n)
        default:
            index -= 1
            throw unexpected()
        }
    }

    mutating func type() throws(GraphQL.Failure) -> GraphQL.TypeRef {
        var result: GraphQL.TypeRef
        if take("[") {
            let inner = try type()
            try expect("]")
            result = .list(inner, nonNull: false)
        } else {
            result = .named(try name(), nonNull: false)
        }
        if take("!") {
            switch result {
            case .named(let n, _): result = .named(n, nonNull: true)
            case .list(let inner, _): result = .list(inner, nonNull: true)
            }
        }
        return result
    }

    mutating func arguments(const: Bool) throws(GraphQL.Failure) -> [GraphQL.Argument] {
        try optionalMany("(", ")") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
            let n = try p.name()
            try p.expect(":")
            return GraphQL.Argument(name: n, value: try p.value(const: const))
        }
    }

    mutating func directives(const: Bool) throws(GraphQL.Failure) -> [GraphQL.Directive] {
        var result: [GraphQL.Directive] = []
        while take("@") {
            let n = try name()
            result.append(GraphQL.Directive(name: n, arguments: try arguments(const: const)))
        }
        return result
    }

    // MARK: - Executable documents

    static func parseQuery(_ source: String) throws(GraphQL.Failure) -> GraphQL.QueryDocument {
        var p = try GraphQLParser(source)
        var document = GraphQL.QueryDocument()
        // An empty document parses (to no operations), as gqlparser's does.
        while p.peek != .end {
            if p.isPunctuator("{") {
                document.operations.append(GraphQL.Operation(kind: "query", name: "", variables: [], directives: [], selections: try p.selectionSet()))
            } else if p.isName("fragment") {
                p.index += 1
                let n = try p.name()
                guard n != "on" else { throw GraphQL.Failure(message: "Unexpected Name \"on\"") }
                try p.keyword("on")
                let condition = try p.name()
                let directives = try p.directives(const: false)
                document.fragments.append(GraphQL.Fragment(name: n, typeCondition: condition, directives: directives, selections: try p.selectionSet()))
            } else if case .name(let kind) = p.peek, ["query", "mutation", "subscription"].contains(kind) {
                p.index += 1
                var n = ""
                if case .name(let given) = p.peek { n = given; p.index += 1 }
                let variables = try p.optionalMany("(", ")") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
                    try p.expect("$")
                    let v = try p.name()
                    try p.expect(":")
                    let t = try p.type()
                    let d = p.take("=") ? try p.value(const: true) : nil
                    return GraphQL.VariableDefinition(name: v, type: t, defaultValue: d, directives: try p.directives(const: true))
                }
                let directives = try p.directives(const: false)
                document.operations.append(
                    GraphQL.Operation(kind: kind, name: n, variables: variables, directives: directives, selections: try p.selectionSet()))
            } else {
                throw p.unexpected()
            }
        }
        return document
    }

    mutating func selectionSet() throws(GraphQL.Failure) -> [GraphQL.Selection] {
        try many("{", "}") { (p: inout GraphQLParser) throws(GraphQL.Failure) in try p.selection() }
    }

    mutating func selection() throws(GraphQL.Failure) -> GraphQL.Selection {
        if take("...") {
            if isName("on") {
                index += 1
                let condition = try name()
                let d = try directives(const: false)
                return .inline(typeCondition: condition, directives: d, selections: try selectionSet())
            }
            if case .name(let n) = peek {
                index += 1
                return .spread(name: n, directives: try directives(const: false))
            }
            let d = try directives(const: false)
            return .inline(typeCondition: "", directives: d, selections: try selectionSet())
        }
        var alias = try name(), fieldName = alias
        if take(":") { fieldName = try name() }
        let args = try arguments(const: false)
        let d = try directives(const: false)
        let selections = isPunctuator("{") ? try selectionSet() : []
        return .field(alias: alias, name: fieldName, arguments: args, directives: d, selections: selections)
    }

    // MARK: - Schema documents

    static let directiveLocations: Set<String> = [
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE", "UNION",
        "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION",
    ]

    static func parseSchema(_ source: String) throws(GraphQL.Failure) -> GraphQL.SchemaDocument {
        var p = try GraphQLParser(source)
        var document = GraphQL.SchemaDocument()
        while p.peek != .end {
            let description = p.description()
            guard case .name(let keyword) = p.peek else { throw p.unexpected() }
            p.index += 1
            switch keyword {
            case "extend":
                guard description.isEmpty else { throw GraphQL.Failure(message: "Unexpected String \"\(description)\"") }
                guard case .name(let kind) = p.peek else { throw p.unexpected() }
                p.index += 1
                if kind == "schema" {
                    let schema = try p.schemaDefinition(description: "", isExtension: true)
                    document.schemaExtensions.append(schema)
                } else {
                    document.extensions.append(try p.typeDefinition(kind, description: "", isExtension: true))
                }
            case "schema": document.schema.append(try p.schemaDefinition(description: description, isExtension: false))
            case "directive":
                try p.expect("@")
                let n = try p.name()
                let args = try p.argumentDefinitions()
                let repeatable = p.isName("repeatable")
                if repeatable { p.index += 1 }
                try p.keyword("on")
                _ = p.take("|")
                var locations: [String] = []
                repeat {
                    let location = try p.name()
                    guard directiveLocations.contains(location) else { throw GraphQL.Failure(message: "Unexpected Name \"\(location)\"") }
                    locations.append(location)
                } while p.take("|")
                document.directives.append(
                    GraphQL.DirectiveDefinition(description: description, name: n, arguments: args, locations: locations, repeatable: repeatable))
            default:
                document.definitions.append(try p.typeDefinition(keyword, description: description, isExtension: false))
            }
        }
        return document
    }

    mutating func schemaDefinition(description: String, isExtension: Bool) throws(GraphQL.Failure) -> GraphQL.SchemaDefinition {
        let d = try directives(const: true)
        var operations: [(String, String)] = []
        if isPunctuator("{") {
            operations = try many("{", "}") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
                let operation = try p.name()
                try p.expect(":")
                return (operation, try p.name())
            }
        } else if !isExtension || d.isEmpty {
            throw unexpected()
        }
        return GraphQL.SchemaDefinition(description: description, directives: d, operationTypes: operations)
    }

    mutating func argumentDefinitions() throws(GraphQL.Failure) -> [GraphQL.ArgumentDefinition] {
        try optionalMany("(", ")") { (p: inout GraphQLParser) throws(GraphQL.Failure) in try p.inputValueDefinition() }
    }

    mutating func inputValueDefinition() throws(GraphQL.Failure) -> GraphQL.ArgumentDefinition {
        let description = description()
        let n = try name()
        try expect(":")
        let t = try type()
        let defaultValue = take("=") ? try value(const: true) : nil
        return GraphQL.ArgumentDefinition(description: description, name: n, type: t, defaultValue: defaultValue, directives: try directives(const: true))
    }

    mutating func typeDefinition(_ keyword: String, description: String, isExtension: Bool) throws(GraphQL.Failure) -> GraphQL.Definition {
        let kinds = ["scalar": "SCALAR", "type": "OBJECT", "interface": "INTERFACE", "union": "UNION", "enum": "ENUM", "input": "INPUT_OBJECT"]
        guard let kind = kinds[keyword] else { index -= 1; throw unexpected() }
        var definition = GraphQL.Definition(kind: kind, description: description, name: try name())
        switch keyword {
        case "type", "interface":
            if isName("implements") {
                index += 1
                _ = take("&")
                repeat { definition.interfaces.append(try name()) } while take("&")
            }
            definition.directives = try directives(const: true)
            definition.fields = try optionalMany("{", "}") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
                let description = p.description()
                let n = try p.name()
                let args = try p.argumentDefinitions()
                try p.expect(":")
                let t = try p.type()
                return GraphQL.FieldDefinition(
                    description: description, name: n, arguments: args, type: t, defaultValue: nil, directives: try p.directives(const: true))
            }
            if isExtension, definition.interfaces.isEmpty, definition.directives.isEmpty, definition.fields.isEmpty { throw unexpected() }
        case "union":
            definition.directives = try directives(const: true)
            if take("=") {
                _ = take("|")
                repeat { definition.types.append(try name()) } while take("|")
            } else if !isExtension || definition.directives.isEmpty {
                if !isExtension { return definition }
                throw unexpected()
            }
        case "enum":
            definition.directives = try directives(const: true)
            definition.enumValues = try optionalMany("{", "}") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
                let description = p.description()
                let n = try p.name()
                guard !["true", "false", "null"].contains(n) else { throw GraphQL.Failure(message: "\(n) is reserved and cannot be used for an enum value") }
                return GraphQL.EnumValueDefinition(description: description, name: n, directives: try p.directives(const: true))
            }
            if isExtension, definition.directives.isEmpty, definition.enumValues.isEmpty { throw unexpected() }
        case "input":
            definition.directives = try directives(const: true)
            definition.fields = try optionalMany("{", "}") { (p: inout GraphQLParser) throws(GraphQL.Failure) in
                let argument = try p.inputValueDefinition()
                return GraphQL.FieldDefinition(
                    description: argument.description, name: argument.name, arguments: [], type: argument.type,
                    defaultValue: argument.defaultValue, directives: argument.directives)
            }
            if isExtension, definition.directives.isEmpty, definition.fields.isEmpty { throw unexpected() }
        default:
            definition.directives = try directives(const: true)
            if isExtension, definition.directives.isEmpty { throw unexpected() }
        }
        return definition
    }
}
