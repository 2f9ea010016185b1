import Foundation
import NovaCore
import SwiftProtobuf

/// Conversions between the framework's types and the generated tfplugin6 messages.
extension Schema {
    var proto: Tfplugin6_Schema {
        var schema = Tfplugin6_Schema()
        schema.version = Int64(version)
        schema.block = block.proto
        return schema
    }
}

extension Block {
    var proto: Tfplugin6_Schema.Block {
        var block = Tfplugin6_Schema.Block()
        block.description_p = description
        block.descriptionKind = .plain
        block.attributes = attributes.sorted { $0.name < $1.name }.map(\.proto)
        block.blockTypes = blocks.sorted { $0.name < $1.name }.map(\.proto)
        return block
    }
}

extension Attribute {
    var proto: Tfplugin6_Schema.Attribute {
        var attribute = Tfplugin6_Schema.Attribute()
        attribute.name = name
        attribute.type = Data(type.json.utf8)
        attribute.description_p = description
        attribute.descriptionKind = .plain
        attribute.required = role == .required
        attribute.optional = role == .optional || role == .optionalComputed
        attribute.computed = role == .computed || role == .optionalComputed
        attribute.sensitive = isSensitive
        return attribute
    }
}

extension NestedBlock {
    var proto: Tfplugin6_Schema.NestedBlock {
        var nested = Tfplugin6_Schema.NestedBlock()
        nested.typeName = name
        nested.block = block.proto
        nested.nesting =
            switch nesting {
            case .single: .single
            case .list: .list
            case .set: .set
            }
        nested.minItems = Int64(minItems)
        nested.maxItems = Int64(maxItems)
        return nested
    }
}

extension AttributePath {
    var proto: Tfplugin6_AttributePath {
        var path = Tfplugin6_AttributePath()
        path.steps = steps.map { step in
            var proto = Tfplugin6_AttributePath.Step()
            switch step {
            case .attribute(let name): proto.attributeName = name
            case .key(let key): proto.elementKeyString = key
            case .index(let index): proto.elementKeyInt = Int64(index)
            }
            return proto
        }
        return path
    }
}

extension TerraformDiagnostic {
    var proto: Tfplugin6_Diagnostic {
        var diagnostic = Tfplugin6_Diagnostic()
        diagnostic.severity = severity == .error ? .error : .warning
        diagnostic.summary = summary
        diagnostic.detail = detail
        if let attribute { diagnostic.attribute = attribute.proto }
        return diagnostic
    }
}

extension Tfplugin6_DynamicValue {
    /// The value as `type`: msgpack when present, else JSON.
    func decode(as type: CtyType) throws -> TerraformValue {
        if !msgpack.isEmpty { return try TerraformValue(msgpack: Array(msgpack), as: type) }
        if !json.isEmpty { return try TerraformValue(json: try Value(json: String(decoding: json, as: UTF8.self)), as: type) }
        return .null
    }

    init(_ value: TerraformValue, as type: CtyType) throws {
        self.init()
        msgpack = Data(try value.msgpack(as: type))
    }
}
