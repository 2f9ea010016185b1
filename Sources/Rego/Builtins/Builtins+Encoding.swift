import Foundation
import NovaCore
import Yams

/// Encodings: base64 and base64url, hex, JSON, YAML, URL query strings.
extension Builtins {
    static let encoding: [String: Builtin] = [
        "base64.encode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(Data(try a.string(0).utf8).base64EncodedString()) },
        "base64.decode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard let data = base64(try a.string(0), url: false) else { throw a.failure("illegal base64 data") }
            return .string(String(decoding: data, as: UTF8.self))
        },
        "base64.is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .bool(base64(try a.string(0), url: false, strict: true) != nil) },
        "base64url.encode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(base64url(Data(try a.string(0).utf8), padded: true)) },
        "base64url.encode_no_pad": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(base64url(Data(try a.string(0).utf8), padded: false)) },
        "base64url.decode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard let data = base64(try a.string(0), url: true) else { throw a.failure("illegal base64 data") }
            return .string(String(decoding: data, as: UTF8.self))
        },
        "hex.encode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(try a.string(0).utf8.map { String(format: "%02x", $0) }.joined()) },
        "hex.decode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = Array(try a.string(0).utf8)
            guard text.count % 2 == 0 else { throw a.failure("encoding/hex: odd length hex string") }
            var bytes: [UInt8] = []
            for i in stride(from: 0, to: text.count, by: 2) {
                guard let byte = UInt8(String(decoding: text[i..<i + 2], as: UTF8.self), radix: 16) else {
                    throw a.failure("encoding/hex: invalid byte")
                }
                bytes.append(byte)
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        },
        "json.marshal": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(a[0].canonicalJSON) },
        "json.marshal_with_options": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let options = try a.object(1)
            var pretty: Bool?, indent = "\t", prefix = ""
            for (key, value) in options {
                switch (key.stringValue, value) {
                case ("pretty", .bool(let b)): pretty = b
                case ("indent", .string(let s)): indent = s
                case ("prefix", .string(let s)): prefix = s
                default: throw a.operandError("object operand must have only pretty (boolean), indent (string), prefix (string) keys")
                }
            }
            guard pretty ?? !options.isEmpty else { return .string(a[0].canonicalJSON) }
            return .string(prefix + indented(a[0], indent: indent, prefix: prefix))
        },
        "json.unmarshal": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0)
            do throws(NovaError) { return try JSONParser.parse(text) } catch { throw a.failure(error.message) }
        },
        "json.is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .string(let s) = a[0] else { return .bool(false) }
            return .bool((try? JSONParser.parse(s)) != nil)
        },
        "yaml.marshal": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            do { return .string(try Yams.dump(object: plain(a[0]), sortKeys: true)) } catch { throw a.failure("\(error)") }
        },
        "yaml.unmarshal": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            let text = try a.string(0)
            do throws(NovaError) { return try Value(yaml: text) } catch { throw a.failure(error.message) }
        },
        "yaml.is_valid": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard case .string(let s) = a[0] else { return .bool(false) }
            return .bool((try? Value(yaml: s)) != nil)
        },
        "urlquery.encode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .string(queryEscape(try a.string(0))) },
        "urlquery.decode": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            guard let decoded = queryUnescape(try a.string(0)) else { throw a.failure("invalid URL escape") }
            return .string(decoded)
        },
        "urlquery.encode_object": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var parts: [String] = []
            for (key, value) in try a.object(0).sorted(by: { $0.key < $1.key }) {
                guard case .string(let k) = key else { throw a.typeError(0, "object[string: any<string, array[string], set[string]>]") }
                let values: [Value]
                switch value {
                case .string: values = [value]
                case .array(let items): values = items
                case .set(let items): values = items.sorted()
                default: throw a.typeError(0, "object[string: any<string, array[string], set[string]>]")
                }
                for v in values {
                    guard case .string(let s) = v else { throw a.typeError(0, "object[string: any<string, array[string], set[string]>]") }
                    parts.append(queryEscape(k) + "=" + queryEscape(s))
                }
            }
            return .string(parts.joined(separator: "&"))
        },
        "urlquery.decode_object": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var result: [Value: Value] = [:]
            for pair in try a.string(0).split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = queryUnescape(String(kv[0])), let value = queryUnescape(kv.count > 1 ? String(kv[1]) : "") else {
                    throw a.failure("invalid URL escape")
                }
                var list = result[.string(key)]?.arrayValue ?? []
                list.append(.string(value))
                result[.string(key)] = .array(list)
            }
            return .object(result)
        },
    ]

    static func base64(_ text: String, url: Bool, strict: Bool = false) -> Data? {
        var s = url ? text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") : text
        if url || !strict { while s.count % 4 != 0 { s += "=" } }
        return Data(base64Encoded: s)
    }

    static func base64url(_ data: Data, padded: Bool) -> String {
        var s = data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        if !padded { while s.hasSuffix("=") { s.removeLast() } }
        return s
    }

    /// Go's url.QueryEscape: unreserved characters stay, space becomes `+`, the rest `%XX`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: " "): out.append("+")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func queryUnescape(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(s.utf8)[...]
        while let byte = utf8.popFirst() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            default: bytes.append(byte)
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    /// JSON as Go's json.MarshalIndent writes it.
    static func indented(_ value: Value, indent: String, prefix: String, depth: Int = 0) -> String {
        let pad = prefix + String(repeating: indent, count: depth + 1), close = prefix + String(repeating: indent, count: depth)
        switch value {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + indented($0, indent: indent, prefix: prefix, depth: depth + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .set(let items) where !items.isEmpty:
            return indented(.array(items.sorted()), indent: indent, prefix: prefix, depth: depth)
        case .object(let fields) where !fields.isEmpty:
            let sorted = fields.sorted { ($0.key.stringValue ?? $0.key.canonicalJSON) < ($1.key.stringValue ?? $1.key.canonicalJSON) }
            return "{\n"
                + sorted.map { key, field in
                    pad + Value.string(key.stringValue ?? key.canonicalJSON).canonicalJSON + ": "
                        + indented(field, indent: indent, prefix: prefix, depth: depth + 1)
                }.joined(separator: ",\n") + "\n" + close + "}"
        default:
            return value.canonicalJSON
        }
    }

    /// A value as Foundation objects, for the YAML emitter.
    static func plain(_ value: Value) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let n): return n.exactInt.map { $0 as Any } ?? n.doubleValue
        case .string(let s): return s
        case .array(let items): return items.map(plain)
        case .set(let items): return items.sorted().map(plain)
        case .object(let fields):
            var result: [String: Any] = [:]
            for (key, field) in fields { result[key.stringValue ?? key.canonicalJSON] = plain(field) }
            return result
        }
    }
}
