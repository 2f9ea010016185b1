/// Reads typed fields out of an object `Value`, collecting a diagnostic for every problem
/// (wrong type, missing field, unknown field, out of range) instead of stopping at the first.
public struct ObjectReader {
    public let path: FieldPath
    private let fields: [String: Value]
    private var seen: Set<String> = []
    public private(set) var diagnostics: [Diagnostic] = []

    /// Starts reading `value` at `path`. A value that is not an object is reported at once.
    public init(_ value: Value?, at path: FieldPath) {
        self.path = path
        var fields: [String: Value] = [:]
        switch value {
        case .object(let object)?:
            for (key, field) in object {
                if let name = key.stringValue { fields[name] = field }
            }
        case nil, .null?:
            break
        case let other?:
            diagnostics.append(Diagnostic(code: "invalid_type", message: "must be an object, got \(other.typeName)", path: path.text))
        }
        self.fields = fields
    }

    /// Records a problem at a field below this object.
    public mutating func report(_ field: String?, code: String, _ message: String) {
        diagnostics.append(Diagnostic(code: code, message: message, path: (field.map { path.field($0) } ?? path).text))
    }

    /// Merges diagnostics found by a nested reader.
    public mutating func absorb(_ other: [Diagnostic]) { diagnostics += other }

    /// The raw value of a field, marking it as known.
    public mutating func raw(_ name: String) -> Value? {
        seen.insert(name)
        guard let value = fields[name], !value.isNull else { return nil }
        return value
    }

    public mutating func string(_ name: String, required: Bool = false) -> String? {
        guard let value = raw(name) else {
            if required { report(name, code: "required_field", "is required") }
            return nil
        }
        guard let s = value.stringValue else {
            report(name, code: "invalid_type", "must be a string, got \(value.typeName)")
            return nil
        }
        if required && s.isEmpty { report(name, code: "required_field", "must not be empty") }
        return s
    }

    public mutating func int(_ name: String, required: Bool = false, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = raw(name) else {
            if required { report(name, code: "required_field", "is required") }
            return nil
        }
        guard let i = value.intValue else {
            report(name, code: "invalid_type", "must be an integer, got \(value.numberValue.map { "\($0)" } ?? value.typeName)")
            return nil
        }
        if let range, !range.contains(i) {
            report(name, code: "out_of_range", "must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
            return nil
        }
        return i
    }

    public mutating func bool(_ name: String) -> Bool? {
        guard let value = raw(name) else { return nil }
        guard let b = value.boolValue else {
            report(name, code: "invalid_type", "must be true or false, got \(value.typeName)")
            return nil
        }
        return b
    }

    /// A string that must be one of `allowed`.
    public mutating func choice(_ name: String, _ allowed: [String], required: Bool = false) -> String? {
        guard let s = string(name, required: required) else { return nil }
        guard allowed.contains(s) else {
            report(name, code: "invalid_value", "must be one of \(allowed.joined(separator: ", ")), got \"\(s)\"")
            return nil
        }
        return s
    }

    /// A map of string to string, as labels are.
    public mutating func stringMap(_ name: String) -> [String: String] {
        guard let value = raw(name) else { return [:] }
        guard case .object(let object) = value else {
            report(name, code: "invalid_type", "must be a map of strings, got \(value.typeName)")
            return [:]
        }
        var result: [String: String] = [:]
        for (key, item) in object {
            let keyText = key.stringValue ?? key.canonicalJSON
            if let s = item.stringValue {
                result[keyText] = s
            } else if case .number(let n) = item {
                result[keyText] = n.description
            } else if case .bool(let b) = item {
                result[keyText] = b ? "true" : "false"
            } else {
                report("\(name).\(keyText)", code: "invalid_type", "must be a string, got \(item.typeName)")
            }
        }
        return result
    }

    /// The elements of an array field, each read by `read` at its own path.
    public mutating func array<T>(_ name: String, _ read: (Value, FieldPath, inout [Diagnostic]) -> T?) -> [T] {
        guard let value = raw(name) else { return [] }
        guard case .array(let items) = value else {
            report(name, code: "invalid_type", "must be a list, got \(value.typeName)")
            return []
        }
        var result: [T] = []
        for (i, item) in items.enumerated() {
            if let element = read(item, path.field(name).index(i), &diagnostics) { result.append(element) }
        }
        return result
    }

    /// A nested object read by `read` with its own reader.
    public mutating func object<T>(_ name: String, _ read: (inout ObjectReader) -> T) -> T? {
        guard let value = raw(name) else { return nil }
        var nested = ObjectReader(value, at: path.field(name))
        let result = read(&nested)
        diagnostics += nested.finish()
        return result
    }

    /// Every field of this object, in name order, each read as an object by its own reader: for
    /// maps whose keys are names the user chose.
    public mutating func eachField(_ read: (String, inout ObjectReader) -> Void) {
        for name in fields.keys.sorted() {
            seen.insert(name)
            var nested = ObjectReader(fields[name], at: path.field(name))
            read(name, &nested)
            diagnostics += nested.finish()
        }
    }

    /// Reports every field that was never asked for, then returns all diagnostics.
    public mutating func finish() -> [Diagnostic] {
        for name in fields.keys.sorted() where !seen.contains(name) {
            report(name, code: "unknown_field", "is not a known field")
        }
        return diagnostics
    }
}
