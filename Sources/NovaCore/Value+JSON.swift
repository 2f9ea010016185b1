import Foundation

extension Value {
    /// Canonical JSON: object keys sorted (by the value order), sets written as sorted arrays,
    /// no insignificant white space. Equal values always give identical bytes.
    ///
    /// Object keys that are not strings are written as their own canonical JSON text, as OPA
    /// does when it serialises such objects.
    public var canonicalJSON: String {
        var out = ""
        writeJSON(to: &out, indent: nil, depth: 0)
        return out
    }

    /// JSON with sorted keys, indented by two spaces, for people to read.
    public var prettyJSON: String {
        var out = ""
        writeJSON(to: &out, indent: "  ", depth: 0)
        return out
    }

    /// Canonical JSON as UTF-8 bytes.
    public var canonicalJSONData: Data { Data(canonicalJSON.utf8) }

    func writeJSON(to out: inout String, indent: String?, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.description
        case .string(let s): Value.writeJSONString(s, to: &out)
        case .array(let items):
            Value.writeJSONArray(items, to: &out, indent: indent, depth: depth)
        case .set(let members):
            Value.writeJSONArray(members.sorted(), to: &out, indent: indent, depth: depth)
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            let keyed = fields.map { key, value in (text: key.stringValue ?? key.canonicalJSON, key: key, value: value) }
                .sorted { lhs, rhs in
                    // Strings sort before other keys; among strings, by UTF-8 bytes.
                    if lhs.key.stringValue != nil, rhs.key.stringValue != nil {
                        return lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8)
                    }
                    return lhs.key < rhs.key
                }
            out += "{"
            for (index, field) in keyed.enumerated() {
                if index > 0 { out += "," }
                Value.newline(&out, indent: indent, depth: depth + 1)
                Value.writeJSONString(field.text, to: &out)
                out += indent == nil ? ":" : ": "
                field.value.writeJSON(to: &out, indent: indent, depth: depth + 1)
            }
            Value.newline(&out, indent: indent, depth: depth)
            out += "}"
        }
    }

    private static func writeJSONArray(_ items: [Value], to out: inout String, indent: String?, depth: Int) {
        if items.isEmpty { out += "[]"; return }
        out += "["
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            newline(&out, indent: indent, depth: depth + 1)
            item.writeJSON(to: &out, indent: indent, depth: depth + 1)
        }
        newline(&out, indent: indent, depth: depth)
        out += "]"
    }

    private static func newline(_ out: inout String, indent: String?, depth: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<depth { out += indent }
    }

    static func writeJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
