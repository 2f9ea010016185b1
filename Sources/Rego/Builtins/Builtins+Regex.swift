import Foundation
import NovaCore

/// Regular expressions (ICU through Foundation; the RE2 syntax policies use is a subset) and
/// globs, compiled once per pattern and kept.
extension Builtins {
    static let regex: [String: Builtin] = [
        "regex.match": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .bool(try compiled(a, 0).matches(try a.string(1))) },
        "re_match": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .bool(try compiled(a, 0).matches(try a.string(1))) },
        "regex.is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .string(let pattern) = a[0] else { return .bool(false) }
            return .bool((try? Pattern.cached(pattern)) != nil)
        },
        "regex.split": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let pattern = try compiled(a, 0), text = try a.string(1)
            var parts: [Value] = [], start = text.startIndex
            for match in pattern.matches(in: text) {
                parts.append(.string(String(text[start..<match.range.lowerBound])))
                start = match.range.upperBound
            }
            parts.append(.string(String(text[start...])))
            return .array(parts)
        },
        "regex.find_n": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let pattern = try compiled(a, 0), text = try a.string(1), n = try a.integer(2)
            let matches = pattern.matches(in: text)
            return .array((n < 0 ? matches : Array(matches.prefix(n))).map { .string(String(text[$0.range])) })
        },
        "regex.find_all_string_submatch_n": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let pattern = try compiled(a, 0), text = try a.string(1), n = try a.integer(2)
            let matches = pattern.matches(in: text)
            return .array(
                (n < 0 ? matches : Array(matches.prefix(n))).map { match in
                    .array(match.groups.map { .string($0.map { String(text[$0]) } ?? "") })
                })
        },
        "regex.replace": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0), pattern = try compiled(a, 1), replacement = try a.string(2)
            return .string(pattern.replacing(in: text, with: replacement))
        },
        "regex.template_match": Builtin(4) { (a: Arguments) throws(RegoError) -> Value? in
            let template = try a.string(0), text = try a.string(1), open = try a.string(2), close = try a.string(3)
            guard open.count == 1, close.count == 1, let o = open.first, let c = close.first else {
                throw a.failure("delimiters must be one character each")
            }
            var regex = "^", depth = 0, inner = ""
            for ch in template {
                if ch == o { if depth > 0 { inner.append(ch) }; depth += 1; continue }
                if ch == c, depth > 0 {
                    depth -= 1
                    if depth == 0 { regex += "(?:" + inner + ")"; inner = "" } else { inner.append(ch) }
                    continue
                }
                if depth > 0 { inner.append(ch) } else { regex += NSRegularExpression.escapedPattern(for: String(ch)) }
            }
            guard depth == 0 else { throw a.failure("unbalanced braces in template \(template)") }
            return .bool(try Pattern.cached(regex + "$", name: a.name).matches(text))
        },
        "glob.match": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let pattern = try a.string(0), text = try a.string(2)
            var delimiters: [String]?
            switch a[1] {
            case .null: delimiters = nil
            case .array(let items):
                delimiters = []
                for item in items {
                    guard case .string(let s) = item else { throw a.typeError(1, "array[string]") }
                    delimiters!.append(s)
                }
                if delimiters!.isEmpty { delimiters = ["."] }
            default: throw a.typeError(1, "any<null, array[string]>")
            }
            if SimpleGlob.canMatch(text), let simple = SimpleGlob(pattern, delimiters: delimiters) { return .bool(simple.matches(text)) }
            return .bool(try Pattern.glob(pattern, delimiters: delimiters ?? [], a).matches(text))
        },
        "glob.quote_meta": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var out = ""
            for ch in try a.string(0) {
                if "*?\\[]{}".contains(ch) { out.append("\\") }
                out.append(ch)
            }
            return .string(out)
        },
    ]

    static func compiled(_ a: Arguments, _ i: Int) throws(RegoError) -> Pattern {
        try Pattern.cached(try a.string(i), name: a.name)
    }

    /// A glob as an anchored regular expression: `*` stops at delimiters, `**` does not, `?`
    /// is one character that is not a delimiter, `[!…]` negates, `{a,b}` chooses.
    static func globRegex(_ glob: String, delimiters: [String], _ a: Arguments) throws(RegoError) -> String {
        let notDelimiter = delimiters.isEmpty ? "." : "[^" + delimiters.map { NSRegularExpression.escapedPattern(for: $0) }.joined() + "]"
        var out = "^", chars = Array(glob), i = 0, braces = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" { out += ".*"; i += 1 } else { out += notDelimiter + "*" }
            case "?": out += notDelimiter
            case "[":
                guard let end = chars[(i + 1)...].firstIndex(of: "]") else { throw a.failure("unexpected end of input") }
                var set = String(chars[(i + 1)..<end])
                if set.hasPrefix("!") { set = "^" + set.dropFirst() }
                out += "[" + set.replacingOccurrences(of: "\\", with: "\\\\") + "]"
                i = end
            case "{": out += "(?:"; braces += 1
            case "}" where braces > 0: out += ")"; braces -= 1
            case "," where braces > 0: out += "|"
            case "\\":
                i += 1
                guard i < chars.count else { throw a.failure("unexpected end of input") }
                out += NSRegularExpression.escapedPattern(for: String(chars[i]))
            default: out += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        guard braces == 0 else { throw a.failure("unexpected end of input") }
        return out + "$"
    }
}

/// A compiled regular expression, shared through a process-wide cache.
///
/// `@unchecked Sendable`: `regex` is immutable after init and NSRegularExpression is safe to use
/// from several threads; the static caches are only touched while `lock` is held.
final class Pattern: @unchecked Sendable {
    struct Match {
        var range: Range<String.Index>
        var groups: [Range<String.Index>?]
    }

    let regex: NSRegularExpression

    init(regex: NSRegularExpression) { self.regex = regex }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Pattern] = [:]

    static func cached(_ source: String, name: String = "regex") throws(RegoError) -> Pattern {
        lock.lock()
        defer { lock.unlock() }
        if let hit = cache[source] { return hit }
        guard let regex = try? NSRegularExpression(pattern: source.isEmpty ? "(?:)" : source) else {
            throw RegoError(.builtin, "\(name): error parsing regexp: invalid pattern `\(source)`")
        }
        if cache.count > 1_000 { cache.removeAll() }
        let pattern = Pattern(regex: regex)
        cache[source] = pattern
        return pattern
    }

    nonisolated(unsafe) private static var globs: [String: Pattern] = [:]

    /// A glob compiled to a regular expression once per pattern and delimiters.
    static func glob(_ glob: String, delimiters: [String], _ a: Builtins.Arguments) throws(RegoError) -> Pattern {
        let key = glob + "\u{0}" + delimiters.joined(separator: "\u{0}")
        lock.lock()
        let hit = globs[key]
        lock.unlock()
        if let hit { return hit }
        let pattern = try cached(try Builtins.globRegex(glob, delimiters: delimiters, a), name: a.name)
        lock.lock()
        if globs.count > 1_000 { globs.removeAll() }
        globs[key] = pattern
        lock.unlock()
        return pattern
    }

    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    func matches(in text: String) -> [Match] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { result in
            guard let range = Range(result.range, in: text) else { return nil }
            let groups = (0..<result.numberOfRanges).map { Range(result.range(at: $0), in: text) }
            return Match(range: range, groups: groups)
        }
    }

    func replacing(in text: String, with template: String) -> String {
        regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }
}
