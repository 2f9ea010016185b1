/// Turns Rego source into tokens, with a span for each and whether a newline came before it.
struct Lexer {
    let file: String
    let bytes: [UInt8]
    var offset = 0
    var line = 1
    var lineStart = 0
    /// Every comment's text after the `#`, by line: METADATA blocks are read from these.
    var comments: [(line: Int, text: String)] = []

    init(_ source: String, file: String) {
        self.file = file
        bytes = Array(source.utf8)
    }

    /// The text of line `number` (1-based), for error displays.
    static func line(_ number: Int, of source: String) -> String? {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard number >= 1, number <= lines.count else { return nil }
        return String(lines[number - 1])
    }

    func error(_ message: String, at start: Int, line: Int, column: Int) -> RegoError {
        RegoError(
            .parse, message, at: SourceSpan(file: file, line: line, column: column, start: start, end: start + 1),
            sourceLine: Lexer.line(line, of: String(decoding: bytes, as: UTF8.self)))
    }

    mutating func tokenize() throws(RegoError) -> [Token] {
        var tokens: [Token] = []
        var sawNewline = true
        while true {
            // Space, newlines and comments.
            while offset < bytes.count {
                let c = bytes[offset]
                if c == UInt8(ascii: "\n") {
                    offset += 1
                    line += 1
                    lineStart = offset
                    sawNewline = true
                } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                    offset += 1
                } else if c == UInt8(ascii: "#") {
                    let begin = offset + 1
                    while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
                    comments.append((line, String(decoding: bytes[begin..<offset], as: UTF8.self)))
                } else {
                    break
                }
            }
            let start = offset, startLine = line, column = offset - lineStart + 1
            func make(_ kind: Token.Kind) -> Token {
                Token(kind: kind, span: SourceSpan(file: file, line: startLine, column: column, start: start, end: offset), followsNewline: sawNewline)
            }
            guard offset < bytes.count else {
                tokens.append(make(.end))
                return tokens
            }
            let c = bytes[offset]
            let token: Token
            if Self.isLetter(c) {
                while offset < bytes.count, Self.isLetter(bytes[offset]) || Self.isDigit(bytes[offset]) { offset += 1 }
                token = make(.identifier(String(decoding: bytes[start..<offset], as: UTF8.self)))
            } else if Self.isDigit(c) {
                try lexNumber(startLine: startLine, column: column)
                token = make(.number(String(decoding: bytes[start..<offset], as: UTF8.self)))
            } else if c == UInt8(ascii: "\"") {
                token = make(.string(try lexString(startLine: startLine, column: column)))
            } else if c == UInt8(ascii: "`") {
                offset += 1
                let begin = offset
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "`") {
                    if bytes[offset] == UInt8(ascii: "\n") { line += 1; lineStart = offset + 1 }
                    offset += 1
                }
                guard offset < bytes.count else { throw error("unterminated raw string", at: start, line: startLine, column: column) }
                let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
                offset += 1
                token = make(.string(text))
            } else if c == UInt8(ascii: "$"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "\"") || bytes[offset + 1] == UInt8(ascii: "`") {
                token = make(try lexTemplate(startLine: startLine, column: column))
            } else {
                let two = offset + 1 < bytes.count ? String(decoding: bytes[offset...offset + 1], as: UTF8.self) : ""
                if [":=", "==", "!=", "<=", ">="].contains(two) {
                    offset += 2
                    token = make(.symbol(two))
                } else if "=<>+-*/%&|!.,;:()[]{}".utf8.contains(c) {
                    offset += 1
                    token = make(.symbol(String(UnicodeScalar(c))))
                } else {
                    throw error("unexpected character \"\(String(UnicodeScalar(c)))\"", at: start, line: startLine, column: column)
                }
            }
            tokens.append(token)
            sawNewline = false
        }
    }

    static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func lexNumber(startLine: Int, column: Int) throws(RegoError) {
        let start = offset
        while offset < bytes.count, Self.isDigit(bytes[offset]) { offset += 1 }
        if offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "."), Self.isDigit(bytes[offset + 1]) {
            offset += 1
            while offset < bytes.count, Self.isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard offset < bytes.count, Self.isDigit(bytes[offset]) else { throw error("malformed number", at: start, line: startLine, column: column) }
            while offset < bytes.count, Self.isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count, Self.isLetter(bytes[offset]) { throw error("malformed number", at: start, line: startLine, column: column) }
    }

    /// A double-quoted string with JSON escapes; returns its value.
    private mutating func lexString(startLine: Int, column: Int) throws(RegoError) -> String {
        let start = offset
        offset += 1
        var scalars = String.UnicodeScalarView()
        var pending: [UInt8] = []
        func flush() { scalars.append(contentsOf: String(decoding: pending, as: UTF8.self).unicodeScalars); pending = [] }
        while offset < bytes.count {
            let c = bytes[offset]
            if c == UInt8(ascii: "\"") {
                offset += 1
                flush()
                return String(scalars)
            }
            if c == UInt8(ascii: "\n") { throw error("unterminated string", at: start, line: startLine, column: column) }
            if c == UInt8(ascii: "\\") {
                flush()
                offset += 1
                guard offset < bytes.count else { break }
                let e = bytes[offset]
                offset += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4(startLine: startLine, column: column)
                    if (0xD800...0xDBFF).contains(code), offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") {
                        offset += 2
                        let low = try hex4(startLine: startLine, column: column)
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    scalars.append(UnicodeScalar(code) ?? "\u{FFFD}")
                default:
                    throw error("invalid escape \\\(String(UnicodeScalar(e)))", at: offset - 2, line: line, column: offset - 2 - lineStart + 1)
                }
                continue
            }
            pending.append(c)
            offset += 1
        }
        throw error("unterminated string", at: start, line: startLine, column: column)
    }

    private mutating func hex4(startLine: Int, column: Int) throws(RegoError) -> UInt32 {
        guard offset + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape", at: offset, line: line, column: offset - lineStart + 1)
        }
        offset += 4
        return value
    }

    /// `$"…{expr}…"` or `` $`…{expr}…` ``: keeps the raw text; `{`/`}` nesting is tracked so a
    /// quote inside an interpolation does not end the string.
    private mutating func lexTemplate(startLine: Int, column: Int) throws(RegoError) -> Token.Kind {
        let start = offset
        let quote = bytes[offset + 1]
        offset += 2
        let begin = offset
        var depth = 0
        while offset < bytes.count {
            let c = bytes[offset]
            if depth == 0, c == quote { break }
            if c == UInt8(ascii: "\\"), depth == 0,
                quote == UInt8(ascii: "\"") || (offset + 1 < bytes.count && (bytes[offset + 1] == UInt8(ascii: "{") || bytes[offset + 1] == UInt8(ascii: "}")))
            {
                offset += 2
                continue
            }
            if c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: "}") { depth = max(0, depth - 1) }
            if c == UInt8(ascii: "\""), depth > 0 {
                offset += 1
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") { offset += bytes[offset] == UInt8(ascii: "\\") ? 2 : 1 }
            }
            if c == UInt8(ascii: "\n") { line += 1; lineStart = offset + 1 }
            offset += 1
        }
        guard offset < bytes.count else { throw error("unterminated template string", at: start, line: startLine, column: column) }
        let text = String(decoding: bytes[begin..<offset], as: UTF8.self)
        offset += 1
        return .template(text, isRaw: quote == UInt8(ascii: "`"))
    }
}
