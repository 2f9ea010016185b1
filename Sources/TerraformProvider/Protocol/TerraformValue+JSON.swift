import Foundation
import NovaCore

/// Terraform's JSON encoding of values, used for stored state (`RawState.json`, which
/// `UpgradeResourceState` receives) and for turning API documents into attributes.
extension TerraformValue {
    /// Reads `json` as a value of `type`. Attributes the type does not know are dropped
    /// (a state written by an older schema may hold some) and missing ones are null.
    init(json: Value, as type: CtyType) throws {
        switch (type, json) {
        case (_, .null): self = .null
        case (.string, .string(let s)): self = .string(s)
        case (.string, .number(let n)): self = .string(n.isInteger ? String(n.exactInt!) : String(n.doubleValue))
        case (.string, .bool(let b)): self = .string(b ? "true" : "false")
        case (.number, .number(let n)): self = .number(n.doubleValue)
        case (.number, .string(let s)) where Double(s) != nil: self = .number(Double(s)!)
        case (.bool, .bool(let b)): self = .bool(b)
        case (.bool, .string(let s)) where s == "true" || s == "false": self = .bool(s == "true")
        case (.list(let element), .array(let items)): self = .list(try items.map { try TerraformValue(json: $0, as: element) })
        case (.set(let element), .array(let items)): self = .set(try items.map { try TerraformValue(json: $0, as: element) })
        case (.tuple(let types), .array(let items)) where types.count == items.count:
            self = .tuple(try zip(items, types).map { try TerraformValue(json: $0, as: $1) })
        case (.map(let element), .object(let fields)):
            var result: [String: TerraformValue] = [:]
            for (key, value) in fields { if let name = key.stringValue { result[name] = try TerraformValue(json: value, as: element) } }
            self = .map(result)
        case (.object(let attributes), .object(let fields)):
            var result: [String: TerraformValue] = attributes.mapValues { _ in .null }
            for (name, attributeType) in attributes {
                if let field = fields[.string(name)] { result[name] = try TerraformValue(json: field, as: attributeType) }
            }
            self = .object(result)
        case (.dynamic, let value): self = TerraformValue(untyped: value)
        default: throw ValueError(path: [], "\(json.canonicalJSON.prefix(80)) is not a \(type.json)")
        }
    }

    /// A JSON value taken as it is, without a schema.
    init(untyped value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n.doubleValue)
        case .string(let s): self = .string(s)
        case .array(let items): self = .tuple(items.map(TerraformValue.init(untyped:)))
        case .set(let items): self = .tuple(items.sorted().map(TerraformValue.init(untyped:)))
        case .object(let fields):
            var result: [String: TerraformValue] = [:]
            for (key, field) in fields { result[key.stringValue ?? key.canonicalJSON] = TerraformValue(untyped: field) }
            self = .object(result)
        }
    }

    /// The value as JSON (unknowns have no JSON form and become null).
    var json: Value {
        switch self {
        case .null, .unknown: .null
        case .bool(let b): .bool(b)
        case .number(let d): .double(d)
        case .string(let s): .string(s)
        case .list(let items), .set(let items), .tuple(let items): .array(items.map(\.json))
        case .map(let fields), .object(let fields): .object(fields.mapValues(\.json))
        }
    }
}
