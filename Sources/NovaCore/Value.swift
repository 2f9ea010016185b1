import Foundation

/// The common currency of NovaCron: a JSON-like value that Rego, resource specs, workflow
/// inputs and diff paths all share.
///
/// Beyond JSON it has sets and objects with non-string keys, because Rego needs both. Values are
/// totally ordered (null < bool < number < string < array < object < set, as in OPA) so that no
/// output ever depends on dictionary order.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case number(Number)
    case string(String)
    case array([Value])
    case object([Value: Value])
    case set(Set<Value>)
}

extension Value {
    /// The empty object, `{}`.
    public static let emptyObject = Value.object([Value: Value]())

    /// A number from an integer.
    public static func int(_ value: Int) -> Value { .number(Number(value)) }

    /// A number from a floating-point value.
    public static func double(_ value: Double) -> Value { .number(Number(value)) }

    /// An object with string keys.
    public static func object(_ fields: [String: Value]) -> Value {
        var result: [Value: Value] = [:]
        result.reserveCapacity(fields.count)
        for (key, value) in fields { result[.string(key)] = value }
        return .object(result)
    }

    /// An object of string fields, such as labels.
    public static func strings(_ fields: [String: String]) -> Value {
        var result = [Value: Value](minimumCapacity: fields.count)
        for (key, value) in fields { result[.string(key)] = .string(value) }
        return .object(result)
    }

    /// The name of the value's type, as Rego's `type_name` spells it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .set: "set"
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: Number? { if case .number(let n) = self { n } else { nil } }
    public var intValue: Int? { numberValue?.exactInt }
    public var doubleValue: Double? { numberValue?.doubleValue }
    public var arrayValue: [Value]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [Value: Value]? { if case .object(let o) = self { o } else { nil } }

    /// The field `key` of an object, or nil for a missing field or a value that is not an object.
    public subscript(key: String) -> Value? {
        guard case .object(let fields) = self else { return nil }
        return fields[.string(key)]
    }

    /// An object's fields whose keys are strings, sorted by key.
    public var sortedStringFields: [(key: String, value: Value)] {
        guard case .object(let fields) = self else { return [] }
        return fields.compactMap { key, value in key.stringValue.map { ($0, value) } }
            .sorted { $0.key < $1.key }
    }

    /// Returns an object with `value` stored under `key` (nil removes it); a non-object becomes one.
    public func setting(_ key: String, to value: Value?) -> Value {
        var fields = objectValue ?? [:]
        fields[.string(key)] = value
        return .object(fields)
    }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Number(value)) }
    public init(floatLiteral value: Double) { self = .number(Number(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var fields: [Value: Value] = [:]
        fields.reserveCapacity(elements.count)
        for (key, value) in elements { fields[.string(key)] = value }
        self = .object(fields)
    }
}
