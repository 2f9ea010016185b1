import Foundation

/// A resource's, data source's or the provider's schema, as data: attributes with their
/// types and roles, nested blocks, and the version its state is stored at.
struct Schema: Sendable {
    var version: Int
    var block: Block

    init(version: Int = 0, description: String, attributes: [Attribute], blocks: [NestedBlock] = []) {
        self.version = version
        block = Block(description: description, attributes: attributes, blocks: blocks)
    }

    /// The object type of a whole value of this schema.
    var type: CtyType { block.type }
}

/// A set of attributes and nested blocks: a schema's top level, or one nested block.
struct Block: Sendable {
    var description: String
    var attributes: [Attribute]
    var blocks: [NestedBlock]

    var type: CtyType {
        var fields: [String: CtyType] = [:]
        for attribute in attributes { fields[attribute.name] = attribute.type }
        for nested in blocks { fields[nested.name] = nested.type }
        return .object(fields)
    }

    func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }
}

/// One attribute and what Terraform and the planner need to know about it.
struct Attribute: Sendable {
    enum Role: Sendable {
        /// The configuration must set it.
        case required
        /// The configuration may set it; unset, it is null.
        case optional
        /// The configuration may set it; unset, the provider decides (a default, or the server's answer).
        case optionalComputed
        /// Only the provider sets it.
        case computed
    }

    var name: String
    var type: CtyType
    var role: Role
    var description: String
    var isSensitive = false
    /// A change to it cannot be made in place: the object is replaced.
    var requiresReplace = false
    /// For `optionalComputed`: the value planned when the configuration leaves it unset.
    var defaultValue: TerraformValue?
    /// For computed values the server keeps across updates (an id, a placement): the prior
    /// value is planned instead of "known after apply", so plans stay quiet.
    var keepsPriorValue = false

    var isComputed: Bool { role == .computed || role == .optionalComputed }

    static func required(_ name: String, _ type: CtyType, _ description: String, requiresReplace: Bool = false) -> Attribute {
        Attribute(name: name, type: type, role: .required, description: description, requiresReplace: requiresReplace)
    }

    static func optional(_ name: String, _ type: CtyType, _ description: String, requiresReplace: Bool = false) -> Attribute {
        Attribute(name: name, type: type, role: .optional, description: description, requiresReplace: requiresReplace)
    }

    static func optional(
        _ name: String, _ type: CtyType, _ description: String, default value: TerraformValue,
        requiresReplace: Bool = false
    ) -> Attribute {
        Attribute(
            name: name, type: type, role: .optionalComputed, description: description, requiresReplace: requiresReplace,
            defaultValue: value)
    }

    static func computed(_ name: String, _ type: CtyType, _ description: String, keepsPriorValue: Bool = true) -> Attribute {
        Attribute(name: name, type: type, role: .computed, description: description, keepsPriorValue: keepsPriorValue)
    }

    func sensitive() -> Attribute {
        var copy = self
        copy.isSensitive = true
        return copy
    }
}

/// A nested block such as `network { … }` or `timeouts { … }`.
struct NestedBlock: Sendable {
    enum Nesting: Sendable { case single, list, set }

    var name: String
    var block: Block
    var nesting: Nesting
    var minItems = 0
    var maxItems = 0
    var requiresReplace = false

    var type: CtyType {
        switch nesting {
        case .single: block.type
        case .list: .list(block.type)
        case .set: .set(block.type)
        }
    }

    /// The `timeouts { create = "10m" … }` block Terraform users expect, for the given operations.
    static func timeouts(_ operations: [String]) -> NestedBlock {
        NestedBlock(
            name: "timeouts",
            block: Block(
                description: "How long each operation may take, as a duration such as \"30s\", \"10m\" or \"1h\".",
                attributes: operations.map { .optional($0, .string, "Time allowed for \($0), e.g. \"10m\".") },
                blocks: []), nesting: .single)
    }
}
