import Foundation

extension Value {
    /// Canonical JSON: object keys sorted (by the value order), sets written as sorted arrays,
    /// no insignificant white space. Equal values always give identical bytes.
    ///
    /// Object keys that are not strings are written as their own canonical JSON text, as OPA
    /// does when it serialises such objects.
    public var canonicalJSON: String { String(decoding: canonicalJSONBytes, as: UTF8.self) }

    /// Canonical JSON as UTF-8 bytes.
    public var canonicalJSONBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeJSON(to: &out, pretty: false, depth: 0)
        return out
    }

    /// Canonical JSON as `Data`.
    public var canonicalJSONData: Data { Data(canonicalJSONBytes) }

    /// JSON with sorted keys, indented by two spaces, for people to read.
    public var prettyJSON: String { String(decoding: prettyJSONBytes, as: UTF8.self) }

    /// Pretty JSON as UTF-8 bytes.
    public var prettyJSONBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        writeJSON(to: &out, pretty: true, depth: 0)
        return out
    }

    // Written into bytes rather than a String: appending scalar by scalar was the largest single
    // cost of serving a GET (measured with perf under Benchmarks/api-bench.sh).
    func writeJSON(to out: inout [UInt8], pretty: Bool, depth: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n):
            if let i = n.exactInt { Value.writeInteger(i, to: &out) } else { out.append(contentsOf: n.description.utf8) }
        case .string(let s): Value.writeJSONString(s, to: &out)
        case .array(let items):
            Value.writeJSONArray(items, to: &out, pretty: pretty, depth: depth)
        case .set(let members):
            Value.writeJSONArray(members.sorted(), to: &out, pretty: pretty, depth: depth)
        case .object(let fields):
            if fields.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (index, field) in Value.sortedFields(fields).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Value.newline(&out, pretty: pretty, depth: depth + 1)
                Value.writeJSONString(field.key.stringValue ?? field.key.canonicalJSON, to: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                field.value.writeJSON(to: &out, pretty: pretty, depth: depth + 1)
            }
            Value.newline(&out, pretty: pretty, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Fields in canonical order: string keys by their UTF-8 bytes, other keys by the value order
    /// (numbers and other non-string keys sort before strings, as the value order says).
    static func sortedFields(_ fields: [Value: Value]) -> [(key: Value, value: Value)] {
        fields.sorted { lhs, rhs in
            if case .string(let a) = lhs.key, case .string(let b) = rhs.key { return utf8Precedes(a, b) }
            return lhs.key < rhs.key
        }
    }

    /// Byte order of two strings' UTF-8, compared in place (a generic walk over both views
    /// was most of the cost of writing an object).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let answer = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let common = min(x.count, y.count)
                if common > 0, let px = x.baseAddress, let py = y.baseAddress {
                    let order = memcmp(px, py, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
        return (answer ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// An integer's decimal digits, written without making a String.
    static func writeInteger(_ value: Int, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for Int.min's 19 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            while magnitude > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            out.append(contentsOf: buffer[index...])
        }
    }

    private static func writeJSONArray(_ items: [Value], to out: inout [UInt8], pretty: Bool, depth: Int) {
        if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            newline(&out, pretty: pretty, depth: depth + 1)
            item.writeJSON(to: &out, pretty: pretty, depth: depth + 1)
        }
        newline(&out, pretty: pretty, depth: depth)
        out.append(UInt8(ascii: "]"))
    }

    private static func newline(_ out: inout [UInt8], pretty: Bool, depth: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    /// Lower-case hexadecimal digits, for `\u00XX` escapes and `hexString`.
    static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy those in one go.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)],
                ])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
