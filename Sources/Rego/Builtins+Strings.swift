import Foundation
import NovaCore

extension Builtins {
    static let strings: [String: Builtin] = [
        "concat": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("concat", v, 2)
            let separator = try string("concat", v, 0)
            var parts: [String] = []
            for (i, item) in try collection("concat", v, 1).enumerated() {
                guard let s = item.stringValue else { throw typeError("concat", 2, "collection of strings (element \(i))", item) }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        },
        "startswith": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("startswith", v, 2)
            return .bool(try string("startswith", v, 0).hasPrefix(try string("startswith", v, 1)))
        },
        "endswith": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("endswith", v, 2)
            return .bool(try string("endswith", v, 0).hasSuffix(try string("endswith", v, 1)))
        },
        "contains": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("contains", v, 2)
            let haystack = try string("contains", v, 0), needle = try string("contains", v, 1)
            return .bool(needle.isEmpty || haystack.contains(needle))
        },
        "lower": Builtin(1) { (v: [Value]) throws(RegoError) -> Value? in try arguments("lower", v, 1); return .string(try string("lower", v, 0).lowercased()) },
        "upper": Builtin(1) { (v: [Value]) throws(RegoError) -> Value? in try arguments("upper", v, 1); return .string(try string("upper", v, 0).uppercased()) },
        "split": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("split", v, 2)
            let text = try string("split", v, 0), separator = try string("split", v, 1)
            let parts = separator.isEmpty ? text.map { String($0) } : text.components(separatedBy: separator)
            return .array(parts.map(Value.string))
        },
        "trim_space": Builtin(1) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("trim_space", v, 1)
            return .string(try string("trim_space", v, 0).trimmingCharacters(in: .whitespacesAndNewlines))
        },
        "replace": Builtin(3) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("replace", v, 3)
            return .string(try string("replace", v, 0).replacingOccurrences(of: try string("replace", v, 1), with: try string("replace", v, 2)))
        },
        "sprintf": Builtin(2) { (v: [Value]) throws(RegoError) -> Value? in
            try arguments("sprintf", v, 2)
            guard case .array(let values) = v[1] else { throw typeError("sprintf", 2, "array", v[1]) }
            return .string(format(try string("sprintf", v, 0), values))
        },
    ]

    /// Go-style formatting for the verbs policies use: %s %v %d %f %%.
    static func format(_ pattern: String, _ values: [Value]) -> String {
        var result = ""
        var next = 0
        var chars = pattern[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "%", let verb = chars.first else { result.append(c); continue }
            chars = chars.dropFirst()
            if verb == "%" { result.append("%"); continue }
            guard next < values.count else { result += "%!\(verb)(MISSING)"; continue }
            let value = values[next]
            next += 1
            switch verb {
            case "d": result += value.numberValue.map { $0.exactInt.map(String.init) ?? String(Int($0.doubleValue)) } ?? value.canonicalJSON
            case "f": result += value.numberValue.map { String(format: "%f", $0.doubleValue) } ?? value.canonicalJSON
            default: result += value.stringValue ?? value.canonicalJSON
            }
        }
        return result
    }
}
