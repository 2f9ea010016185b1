import Foundation
import NovaCore

/// String built-ins that search, cut and trim. Positions count Unicode code points, as Go's
/// runes do in OPA.
extension Builtins {
    static let text: [String: Builtin] = [
        "indexof": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let haystack = Array(try a.string(0).unicodeScalars), needle = Array(try a.string(1).unicodeScalars)
            guard !needle.isEmpty else { throw a.failure("empty search character") }
            return .int(occurrences(of: needle, in: haystack).first ?? -1)
        },
        "indexof_n": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let haystack = Array(try a.string(0).unicodeScalars), needle = Array(try a.string(1).unicodeScalars)
            guard !needle.isEmpty else { throw a.failure("empty search character") }
            return .array(occurrences(of: needle, in: haystack).map { .int($0) })
        },
        "substring": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let scalars = Array(try a.string(0).unicodeScalars)
            let offset = try a.integer(1), length = try a.integer(2)
            guard offset >= 0 else { throw a.failure("negative offset") }
            guard offset < scalars.count else { return .string("") }
            let end = length < 0 ? scalars.count : min(scalars.count, offset + length)
            return .string(String(String.UnicodeScalarView(scalars[offset..<end])))
        },
        "trim": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let cut = Set(try a.string(1).unicodeScalars)
            return .string(trimmed(try a.string(0), leading: cut, trailing: cut))
        },
        "trim_left": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            .string(trimmed(try a.string(0), leading: Set(try a.string(1).unicodeScalars), trailing: []))
        },
        "trim_right": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            .string(trimmed(try a.string(0), leading: [], trailing: Set(try a.string(1).unicodeScalars)))
        },
        "trim_prefix": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let s = try a.string(0), prefix = try a.string(1)
            return .string(s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)) : s)
        },
        "trim_suffix": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let s = try a.string(0), suffix = try a.string(1)
            return .string(s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s)
        },
        "strings.reverse": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            .string(String(String.UnicodeScalarView(try a.string(0).unicodeScalars.reversed())))
        },
        "strings.count": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let s = Array(try a.string(0).unicodeScalars), sub = Array(try a.string(1).unicodeScalars)
            guard !sub.isEmpty else { return .int(s.count + 1) }
            var count = 0, i = 0
            while i + sub.count <= s.count {
                if Array(s[i..<i + sub.count]) == sub { count += 1; i += sub.count } else { i += 1 }
            }
            return .int(count)
        },
        "strings.any_prefix_match": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let search = try a.strings(0), bases = try a.strings(1)
            return .bool(search.contains { s in bases.contains { s.hasPrefix($0) } })
        },
        "strings.any_suffix_match": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let search = try a.strings(0), bases = try a.strings(1)
            return .bool(search.contains { s in bases.contains { s.hasSuffix($0) } })
        },
        "strings.replace_n": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            var pairs: [(String, String)] = []
            for (key, value) in try a.object(0).sorted(by: { $0.key < $1.key }) {
                guard case .string(let old) = key, case .string(let new) = value else { throw a.typeError(0, "object[string: string]") }
                pairs.append((old, new))
            }
            return .string(replacing(try a.string(1), pairs))
        },
        "format_int": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let n = try a.number(0), base = try a.integer(1)
            guard [2, 8, 10, 16].contains(base) else { throw a.operandError("operand 2 must be one of {2, 8, 10, 16}") }
            if let value = n.exactInt ?? Int(exactly: n.doubleValue.rounded(.towardZero)) { return .string(String(value, radix: base)) }
            throw a.failure("operand 1 is outside the 64-bit integers")
        },
    ]

    static func occurrences(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Int] {
        guard needle.count <= haystack.count else { return [] }
        return (0...(haystack.count - needle.count)).filter { i in haystack[i..<i + needle.count].elementsEqual(needle) }
    }

    static func trimmed(_ s: String, leading: Set<Unicode.Scalar>, trailing: Set<Unicode.Scalar>) -> String {
        var scalars = Array(s.unicodeScalars)[...]
        while let first = scalars.first, leading.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, trailing.contains(last) { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Go's strings.Replacer: at each position the first pair (in order) whose old text matches
    /// is replaced; no replaced text is scanned again.
    static func replacing(_ s: String, _ pairs: [(String, String)]) -> String {
        let scalars = Array(s.unicodeScalars)
        let olds = pairs.map { Array($0.0.unicodeScalars) }
        var result = String.UnicodeScalarView()
        var i = 0
        outer: while i < scalars.count {
            for (j, old) in olds.enumerated() where !old.isEmpty && i + old.count <= scalars.count && scalars[i..<i + old.count].elementsEqual(old) {
                result.append(contentsOf: pairs[j].1.unicodeScalars)
                i += old.count
                continue outer
            }
            result.append(scalars[i])
            i += 1
        }
        return String(result)
    }
}
