import Foundation
import NovaCore

/// Step inputs with `${path}` references to the run's scope.
///
/// A string that is exactly one reference becomes the referenced value, whatever its type; a
/// reference inside longer text is interpolated (strings as they are, other values as JSON).
/// `$${` writes a literal `${`.
public enum Template {
    /// Every reference in `value`, with the field path where it was written; parse problems become
    /// diagnostics at that path.
    public static func references(in value: Value, at path: FieldPath) -> (references: [ReferencePath], diagnostics: [Diagnostic]) {
        var references: [ReferencePath] = []
        var diagnostics: [Diagnostic] = []
        visitStrings(value, at: path) { text, path in
            do throws(StepError) {
                for piece in try pieces(of: text) {
                    if case .reference(let reference) = piece { references.append(reference) }
                }
            } catch {
                diagnostics.append(Diagnostic(code: error.code, message: error.message, path: path.text))
            }
        }
        return (references, diagnostics)
    }

    /// `value` with every reference replaced from `scope`.
    public static func resolve(_ value: Value, in scope: Value) throws(StepError) -> Value {
        switch value {
        case .string(let text):
            guard text.contains("${") else { return value }
            return try resolveString(text, in: scope)
        case .array(let items):
            var result: [Value] = []
            result.reserveCapacity(items.count)
            for item in items { result.append(try resolve(item, in: scope)) }
            return .array(result)
        case .object(let fields):
            var result: [Value: Value] = [:]
            for (key, field) in fields { result[key] = try resolve(field, in: scope) }
            return .object(result)
        default:
            return value
        }
    }

    private enum Piece {
        case text(String)
        case reference(ReferencePath)
    }

    private static func pieces(of text: String) throws(StepError) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if rest[..<start.lowerBound].hasSuffix("$") {
                literal += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            literal += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw StepError(code: "bad_reference", message: "\"\(text)\": ${ without a closing }", isRetryable: false)
            }
            if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
            let inner = rest[start.upperBound..<end].trimmingCharacters(in: .whitespaces)
            pieces.append(.reference(try ReferencePath(parsing: inner)))
            rest = rest[rest.index(after: end)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.text(literal)) }
        return pieces
    }

    private static func resolveString(_ text: String, in scope: Value) throws(StepError) -> Value {
        let parts = try pieces(of: text)
        if parts.count == 1, case .reference(let reference) = parts[0] { return try lookup(reference, in: scope) }
        var result = ""
        for part in parts {
            switch part {
            case .text(let literal): result += literal
            case .reference(let reference):
                let value = try lookup(reference, in: scope)
                result += value.stringValue ?? value.canonicalJSON
            }
        }
        return .string(result)
    }

    private static func lookup(_ reference: ReferencePath, in scope: Value) throws(StepError) -> Value {
        guard let value = reference.lookup(in: scope) else {
            throw StepError(code: "bad_reference", message: "${\(reference)} has no value in this run", isRetryable: false)
        }
        return value
    }

    private static func visitStrings(_ value: Value, at path: FieldPath, _ body: (String, FieldPath) -> Void) {
        switch value {
        case .string(let text) where text.contains("${"): body(text, path)
        case .array(let items): for (i, item) in items.enumerated() { visitStrings(item, at: path.index(i), body) }
        case .object(let fields):
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                visitStrings(field, at: path.field(key.stringValue ?? key.canonicalJSON), body)
            }
        default: break
        }
    }
}
