import Foundation
import NovaCore

/// Takes secrets out of what runs show: a step's output, inputs and history are readable by
/// anyone who may read runs, who need not hold the secrets a step saw (found: a viewer read the
/// admin key back from a run's output). Redacted: NovaCron API keys wherever they appear in
/// text, and the values of fields whose names say they hold a secret.
public enum SecretRedaction {
    public static let mask = "[redacted]"

    /// Field names whose values are secrets, compared without case, `-` or `_`.
    static let secretFieldWords = ["password", "passwd", "secret", "token", "authorization", "apikey", "privatekey", "credential", "cookie"]

    public static func redact(_ value: Value) -> Value {
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .set(let members): return .set(Set(members.map(redact)))
        case .object(let fields):
            var result: [Value: Value] = [:]
            result.reserveCapacity(fields.count)
            for (key, field) in fields {
                result[key] = key.stringValue.map(isSecretField) == true && !field.isNull ? .string(mask) : redact(field)
            }
            return .object(result)
        default: return value
        }
    }

    static func isSecretField(_ name: String) -> Bool {
        let folded = name.lowercased().filter { $0 != "-" && $0 != "_" }
        return secretFieldWords.contains { folded.contains($0) }
    }

    /// API keys are `nck_` + 12 hex digits + `_` + 40 letters and digits.
    public static func redact(_ text: String) -> String {
        guard text.contains("nck_") else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "nck_") {
            output += rest[..<start.lowerBound]
            let candidate = rest[start.lowerBound...]
            let length = keyLength(candidate.utf8)
            if length > 0 {
                output += mask
                rest = candidate.dropFirst(length)
            } else {
                output += "nck_"
                rest = rest[start.upperBound...]
            }
        }
        return output + rest
    }

    private static func keyLength(_ bytes: Substring.UTF8View) -> Int {
        let all = Array(bytes.prefix(57))
        guard all.count == 57, all[16] == UInt8(ascii: "_") else { return 0 }
        let isHex = all[4..<16].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let isAlphanumeric = all[17..<57].allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
        }
        return isHex && isAlphanumeric ? 57 : 0
    }
}
