import Foundation
import NovaCore

/// A value in Terraform's type system: like JSON, plus *unknown* (a value known only after
/// apply) and typed collections. It crosses the wire as msgpack (see `TerraformValue+MessagePack`).
indirect enum TerraformValue: Hashable, Sendable {
    case null
    case unknown
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([TerraformValue])
    /// A set keeps the order it was given in; equality ignores it.
    case set([TerraformValue])
    case map([String: TerraformValue])
    case object([String: TerraformValue])
    case tuple([TerraformValue])

    static func == (lhs: TerraformValue, rhs: TerraformValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null), (.unknown, .unknown): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)): a == b
        case (.set(let a), .set(let b)): Set(a) == Set(b)
        case (.map(let a), .map(let b)), (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .unknown: hasher.combine(1)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .list(let items), .tuple(let items): hasher.combine(items)
        case .set(let items): hasher.combine(Set(items))
        case .map(let fields), .object(let fields): hasher.combine(fields)
        }
    }

    var isNull: Bool { self == .null }
    var isKnown: Bool { self != .unknown }

    /// Whether the value and everything inside it is known.
    var isWhollyKnown: Bool {
        switch self {
        case .unknown: false
        case .list(let items), .set(let items), .tuple(let items): items.allSatisfy(\.isWhollyKnown)
        case .map(let fields), .object(let fields): fields.values.allSatisfy(\.isWhollyKnown)
        default: true
        }
    }

    subscript(attribute: String) -> TerraformValue {
        if case .object(let fields) = self { return fields[attribute] ?? .null }
        return .null
    }

    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    var intValue: Int? { numberValue.flatMap { Int(exactly: $0) } }
    var elements: [TerraformValue]? {
        switch self {
        case .list(let items), .set(let items), .tuple(let items): items
        default: nil
        }
    }
    var fields: [String: TerraformValue]? {
        switch self {
        case .map(let fields), .object(let fields): fields
        default: nil
        }
    }

    /// A copy with one object attribute replaced.
    func setting(_ attribute: String, to value: TerraformValue) -> TerraformValue {
        guard case .object(var fields) = self else { return self }
        fields[attribute] = value
        return .object(fields)
    }
}
