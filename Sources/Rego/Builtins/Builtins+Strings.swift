import Foundation
import NovaCore

extension Builtins {
    static let strings: [String: Builtin] = [
        "concat": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            let separator = try string("concat", v, 0)
            var parts: [String] = []
            for (i, item) in try collection("concat", v, 1).enumerated() {
                guard let s = item.stringValue else { throw typeError("concat", 2, "collection of strings (element \(i))", item) }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        },
        "startswith": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(utf8(try string("startswith", v, 0), hasPrefix: try string("startswith", v, 1)))
        },
        "endswith": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .bool(utf8(try string("endswith", v, 0), hasSuffix: try string("endswith", v, 1)))
        },
        "contains": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            let haystack = try string("contains", v, 0), needle = try string("contains", v, 1)
            return .bool(utf8(haystack, contains: needle))
        },
        "lower": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .string(try string("lower", v, 0).lowercased())
        },
        "upper": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .string(try string("upper", v, 0).uppercased())
        },
        "split": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            let text = try string("split", v, 0), separator = try string("split", v, 1)
            let parts = separator.isEmpty ? text.map { String($0) } : text.components(separatedBy: separator)
            return .array(parts.map(Value.string))
        },
        "trim_space": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .string(try string("trim_space", v, 0).trimmingCharacters(in: .whitespacesAndNewlines))
        },
        "replace": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let v = a.values
            return .string(try string("replace", v, 0).replacingOccurrences(of: try string("replace", v, 1), with: try string("replace", v, 2)))
        },
        "sprintf": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .array(let values) = a[1] else { throw a.typeError(1, "array") }
            return .string(try format(try a.string(0), values, limit: a.memoryLeft))
        },
    ]

    /// Go's strings.Contains, HasPrefix and HasSuffix compare UTF-8 bytes (Swift's String
    /// methods compare canonically equivalent characters, and went through Foundation).
    static func utf8(_ text: String, contains part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { t in
            part.withUTF8 { p in
                guard !p.isEmpty else { return true }
                guard p.count <= t.count else { return false }
                let first = p[0]
                for start in 0...(t.count - p.count) where t[start] == first {
                    if memcmp(t.baseAddress! + start, p.baseAddress!, p.count) == 0 { return true }
                }
                return false
            }
        }
    }

    static func utf8(_ text: String, hasPrefix part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { t in
            part.withUTF8 { p in p.isEmpty || (p.count <= t.count && memcmp(t.baseAddress!, p.baseAddress!, p.count) == 0) }
        }
    }

    static func utf8(_ text: String, hasSuffix part: String) -> Bool {
        var text = text, part = part
        return text.withUTF8 { t in
            part.withUTF8 { p in p.isEmpty || (p.count <= t.count && memcmp(t.baseAddress! + (t.count - p.count), p.baseAddress!, p.count) == 0) }
        }
    }

    /// Go's fmt verbs as OPA's sprintf applies them: flags (`-+# 0`), width, precision, and
    /// %s %v %d %f %e %g %x %X %o %b %t %q %%. Composite values print as Rego text.
    /// Widths and precisions past Go's own bound (a million) are `%!(BADWIDTH)`/`%!(BADPREC)`,
    /// as in Go; a result longer than `limit` bytes is the evaluation's budget error.
    static func format(_ pattern: String, _ values: [Value], limit: Int = .max) throws(RegoError) -> String {
        if let plain = plainFormat(pattern, values) { return plain }
        var result = ""
        var next = 0
        var chars = pattern[...]
        while !chars.isEmpty {
            if result.utf8.count > limit { throw RegoError(.budget, "sprintf: the result would exceed the evaluation's memory budget") }
            // Text up to the next directive is copied as one run (ASCII `%` is always a
            // character boundary), not character by character.
            guard let percent = chars.utf8.firstIndex(of: UInt8(ascii: "%")) else { result += chars; break }
            result += chars[..<percent]
            chars = chars[percent...].dropFirst()
            var flags = Set<Character>()
            while let f = chars.first, "-+# 0".contains(f) { flags.insert(f); chars = chars.dropFirst() }
            var widthText = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars.dropFirst(widthText.count)
            if !widthText.isEmpty, (Int(widthText) ?? .max) > 1_000_000 { result += "%!(BADWIDTH)"; widthText = "" }
            var precision: Int?
            if chars.first == "." {
                chars = chars.dropFirst()
                let digits = chars.prefix { $0.isASCII && $0.isNumber }
                chars = chars.dropFirst(digits.count)
                precision = Int(digits) ?? 0
                if (Int(digits) ?? (digits.isEmpty ? 0 : .max)) > 1_000_000 { result += "%!(BADPREC)"; precision = nil }
            }
            guard let verb = chars.first else { result += "%!(NOVERB)"; break }
            chars = chars.dropFirst()
            if verb == "%" { result.append("%"); continue }
            guard next < values.count else { result += "%!\(verb)(MISSING)"; continue }
            let value = values[next]
            next += 1
            var text: String
            switch (verb, value) {
            case ("d", .number(let n)):
                text = n.exactInt.map(String.init) ?? String(format: "%.0f", n.doubleValue)
            case ("f", .number(let n)), ("F", .number(let n)):
                text = String(format: "%.\(precision ?? 6)f", n.doubleValue)
            case ("e", .number(let n)):
                text = String(format: "%.\(precision ?? 6)e", n.doubleValue)
            case ("g", .number(let n)), ("v", .number(let n)):
                text = precision.map { String(format: "%.\($0)g", n.doubleValue) } ?? goNumber(n)
            case ("x", .number(let n)), ("X", .number(let n)), ("o", .number(let n)), ("b", .number(let n)):
                let radix = verb == "o" ? 8 : verb == "b" ? 2 : 16
                if let i = n.exactInt {
                    text = String(i, radix: radix, uppercase: verb == "X")
                } else {
                    text = String(format: verb == "X" ? "%A" : "%a", n.doubleValue)
                }
                if flags.contains("#"), radix != 10 { text = (radix == 16 ? (verb == "X" ? "0X" : "0x") : radix == 8 ? "0" : "0b") + text }
            case ("x", .string(let s)), ("X", .string(let s)):
                text = s.utf8.map { String(format: verb == "X" ? "%02X" : "%02x", $0) }.joined()
            case ("t", .bool(let b)): text = b ? "true" : "false"
            case ("q", .string(let s)): text = Value.string(s).canonicalJSON
            case ("s", .string(let s)), ("v", .string(let s)): text = s
            case (_, .string(let s)) where verb == "s": text = s
            default: text = value.regoText
            }
            if let precision, verb == "s" || verb == "v", case .string = value { text = String(text.prefix(precision)) }
            if flags.contains("+"), case .number(let n) = value, n.doubleValue >= 0 { text = "+" + text }
            if let width = Int(widthText), text.count < width {
                let padding = width - text.count
                if flags.contains("-") {
                    text += String(repeating: " ", count: padding)
                } else if flags.contains("0"), case .number = value {
                    let sign = text.hasPrefix("-") || text.hasPrefix("+") ? String(text.removeFirst()) : ""
                    text = sign + String(repeating: "0", count: padding) + text
                } else {
                    text = String(repeating: " ", count: padding) + text
                }
            }
            result += text
        }
        return result
    }

    /// The common case of `format`, without its general directive parser: every directive a
    /// bare `%s`, `%v` or `%d` (or `%%`) with a string or an integer for it, and an argument for
    /// each. Nil for anything else, which `format` then handles (the answer is the same).
    static func plainFormat(_ pattern: String, _ values: [Value]) -> String? {
        var result = ""
        var next = 0
        var copy = pattern
        let complete = copy.withUTF8 { (bytes: UnsafeBufferPointer<UInt8>) -> Bool in
            var start = 0, i = 0
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "%") else { i += 1; continue }
                guard i + 1 < bytes.count else { return false }
                result += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                let verb = bytes[i + 1]
                i += 2
                start = i
                if verb == UInt8(ascii: "%") { result += "%"; continue }
                guard next < values.count else { return false }
                switch (verb, values[next]) {
                case (UInt8(ascii: "s"), .string(let text)), (UInt8(ascii: "v"), .string(let text)): result += text
                case (UInt8(ascii: "d"), .number(let n)), (UInt8(ascii: "v"), .number(let n)):
                    guard let whole = n.exactInt else { return false }
                    result += String(whole)
                default: return false
                }
                next += 1
            }
            result += String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
            return true
        }
        return complete ? result : nil
    }

    /// A number as Go's %v prints it: integers exactly, others in shortest form with an
    /// exponent from 1e21 on.
    static func goNumber(_ n: Number) -> String {
        if let i = n.exactInt { return String(i) }
        let d = n.doubleValue
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if abs(d) >= 1e21 || (abs(d) < 1e-4 && d != 0) {
            let text = "\(d)".replacingOccurrences(of: "e+", with: "e+").lowercased()
            if text.contains("e") {
                let parts = text.split(separator: "e")
                let exponent = Int(parts[1]) ?? 0
                return String(parts[0]).replacingOccurrences(of: ".0", with: "") + "e" + (exponent < 0 ? "-" : "+") + String(format: "%02d", abs(exponent))
            }
            return text
        }
        return "\(d)"
    }
}
