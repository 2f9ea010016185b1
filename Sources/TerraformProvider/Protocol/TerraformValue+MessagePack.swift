import Foundation
import NovaCore

/// cty's msgpack encoding: values are written against their type, unknowns are extension 0,
/// and Terraform's refined unknowns (extension 12, carrying hints such as a known prefix) read
/// back as plain unknowns, since nothing here plans with the hints.
extension TerraformValue {
    static let unknownExtension: Int8 = 0
    static let refinedUnknownExtension: Int8 = 12

    /// Decodes msgpack bytes as a value of `type`.
    init(msgpack bytes: [UInt8], as type: CtyType) throws {
        self = try TerraformValue(try MessagePack.decode(bytes), as: type, at: [])
    }

    /// The value's msgpack encoding as `type`.
    func msgpack(as type: CtyType) throws -> [UInt8] {
        try messagePack(as: type, at: []).encoded
    }

    private init(_ packed: MessagePack, as type: CtyType, at path: [String]) throws {
        if case .nil = packed { self = .null; return }
        if case .ext(let code, _) = packed {
            guard code == Self.unknownExtension || code == Self.refinedUnknownExtension else {
                throw ValueError(path: path, "msgpack extension \(code) is not a value")
            }
            self = .unknown
            return
        }
        switch (type, packed) {
        case (.string, .string(let text)): self = .string(text)
        case (.bool, .bool(let flag)): self = .bool(flag)
        case (.number, .int(let i)): self = .number(Double(i))
        case (.number, .uint(let u)): self = .number(Double(u))
        case (.number, .float(let d)): self = .number(d)
        case (.number, .string(let text)):
            guard let d = Double(text) else { throw ValueError(path: path, "\"\(text)\" is not a number") }
            self = .number(d)
        case (.list(let element), .array(let items)):
            self = .list(try items.enumerated().map { try TerraformValue($1, as: element, at: path + ["[\($0)]"]) })
        case (.set(let element), .array(let items)):
            self = .set(try items.enumerated().map { try TerraformValue($1, as: element, at: path + ["[\($0)]"]) })
        case (.tuple(let types), .array(let items)):
            guard types.count == items.count else { throw ValueError(path: path, "a tuple of \(types.count) elements got \(items.count)") }
            self = .tuple(try zip(items, types).enumerated().map { try TerraformValue($1.0, as: $1.1, at: path + ["[\($0)]"]) })
        case (.map(let element), .map(let pairs)):
            var fields: [String: TerraformValue] = [:]
            for (key, value) in pairs {
                guard case .string(let name) = key else { throw ValueError(path: path, "a map key is not a string") }
                fields[name] = try TerraformValue(value, as: element, at: path + [name])
            }
            self = .map(fields)
        case (.object(let attributes), .map(let pairs)):
            var fields: [String: TerraformValue] = attributes.mapValues { _ in .null }
            for (key, value) in pairs {
                guard case .string(let name) = key, let attributeType = attributes[name] else {
                    throw ValueError(path: path, "unexpected attribute \(key)")
                }
                fields[name] = try TerraformValue(value, as: attributeType, at: path + [name])
            }
            self = .object(fields)
        case (.dynamic, .array(let pair)) where pair.count == 2:
            let typeText: String
            switch pair[0] {
            case .string(let text): typeText = text
            case .binary(let bytes): typeText = String(decoding: bytes, as: UTF8.self)
            default: throw ValueError(path: path, "a dynamic value's type is not JSON text")
            }
            self = try TerraformValue(pair[1], as: try CtyType(json: try Value(json: typeText)), at: path)
        default:
            throw ValueError(path: path, "a msgpack \(packed.kindName) is not a \(type.json)")
        }
    }

    private func messagePack(as type: CtyType, at path: [String]) throws -> MessagePack {
        switch (type, self) {
        case (_, .null): return .nil
        case (_, .unknown): return .ext(type: Self.unknownExtension, data: [0])
        case (.string, .string(let text)): return .string(text)
        case (.bool, .bool(let flag)): return .bool(flag)
        case (.number, .number(let d)):
            if let i = Int64(exactly: d) { return .int(i) }
            return .float(d)
        case (.list(let element), .list(let items)), (.list(let element), .set(let items)), (.list(let element), .tuple(let items)),
            (.set(let element), .set(let items)), (.set(let element), .list(let items)):
            return .array(try items.map { try $0.messagePack(as: element, at: path) })
        case (.tuple(let types), .tuple(let items)), (.tuple(let types), .list(let items)):
            guard types.count == items.count else { throw ValueError(path: path, "a tuple of \(types.count) elements has \(items.count)") }
            return .array(try zip(items, types).map { try $0.messagePack(as: $1, at: path) })
        case (.map(let element), .map(let fields)), (.map(let element), .object(let fields)):
            return .map(try fields.keys.sorted().map { (.string($0), try fields[$0]!.messagePack(as: element, at: path + [$0])) })
        case (.object(let attributes), .object(let fields)):
            if let extra = fields.keys.first(where: { attributes[$0] == nil }) {
                throw ValueError(path: path, "attribute \(extra) is not in the schema")
            }
            return .map(
                try attributes.keys.sorted().map { name in
                    (.string(name), try (fields[name] ?? .null).messagePack(as: attributes[name]!, at: path + [name]))
                })
        case (.dynamic, _):
            let concrete = inferredType
            return .array([.string(concrete.json), try messagePack(as: concrete, at: path)])
        default:
            throw ValueError(path: path, "\(self) is not a \(type.json)")
        }
    }

    /// The type a value would have if it were written without a schema (for dynamic attributes).
    var inferredType: CtyType {
        switch self {
        case .null, .unknown: .dynamic
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .list(let items): .list(items.first?.inferredType ?? .dynamic)
        case .set(let items): .set(items.first?.inferredType ?? .dynamic)
        case .tuple(let items): .tuple(items.map(\.inferredType))
        case .map(let fields): .map(fields.values.first?.inferredType ?? .dynamic)
        case .object(let fields): .object(fields.mapValues(\.inferredType))
        }
    }

    /// A value that does not fit its type, with the attribute path where it went wrong.
    struct ValueError: Error, CustomStringConvertible {
        let path: [String]
        let message: String
        init(path: [String], _ message: String) {
            self.path = path
            self.message = message
        }
        var description: String { path.isEmpty ? message : "\(path.joined(separator: ".")): \(message)" }
    }
}

extension MessagePack {
    var kindName: String {
        switch self {
        case .nil: "nil"
        case .bool: "bool"
        case .int, .uint: "integer"
        case .float: "float"
        case .string: "string"
        case .binary: "binary"
        case .array: "array"
        case .map: "map"
        case .ext: "extension"
        }
    }
}
