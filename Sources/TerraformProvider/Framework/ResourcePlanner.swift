/// The plan for one resource instance: what Terraform shows and later applies.
struct PlannedChange: Sendable, Equatable {
    var planned: TerraformValue
    var requiresReplace: [AttributePath] = []
    /// Problems only the plan can see (a change the infrastructure cannot make in place).
    var diagnostics: [TerraformDiagnostic] = []
}

/// Plans a change from Terraform's proposal, pure and without I/O, the way
/// terraform-plugin-framework does: defaults fill unset optional-computed attributes,
/// computed attributes become "known after apply" on create (and on update unless the server
/// keeps them), and a change to a `requiresReplace` attribute asks for replacement.
enum ResourcePlanner {
    static func plan(schema: Schema, prior: TerraformValue, proposed: TerraformValue, config: TerraformValue) -> PlannedChange {
        guard !proposed.isNull else { return PlannedChange(planned: .null) }
        let isCreate = prior.isNull
        var planned = fill(schema.block, planned: proposed, config: config, isCreate: isCreate)
        guard !isCreate else { return PlannedChange(planned: planned) }

        var replace: [AttributePath] = []
        for attribute in schema.block.attributes where attribute.requiresReplace && planned[attribute.name] != prior[attribute.name] {
            replace.append(AttributePath(stringLiteral: attribute.name))
        }
        for nested in schema.block.blocks where nested.requiresReplace && planned[nested.name] != prior[nested.name] {
            replace.append(AttributePath(stringLiteral: nested.name))
        }
        let changed = settable(schema.block, planned) != settable(schema.block, prior)
        // A change of labels alone touches no infrastructure: status attributes keep their
        // values instead of showing "(known after apply)".
        let onlyMetadata = replace.isEmpty && settable(schema.block, planned.setting("labels", to: prior["labels"])) == settable(schema.block, prior)
        if (changed && !onlyMetadata) || !replace.isEmpty {
            for attribute in schema.block.attributes where attribute.role == .computed {
                if !replace.isEmpty || !attribute.keepsPriorValue { planned = planned.setting(attribute.name, to: .unknown) }
            }
            if !replace.isEmpty {
                for attribute in schema.block.attributes
                where attribute.role == .optionalComputed && attribute.defaultValue == nil && config[attribute.name].isNull {
                    planned = planned.setting(attribute.name, to: .unknown)
                }
            }
        }
        return PlannedChange(planned: planned, requiresReplace: replace)
    }

    /// Defaults and unknowns for one block's value, recursing into nested blocks.
    private static func fill(_ block: Block, planned: TerraformValue, config: TerraformValue, isCreate: Bool) -> TerraformValue {
        guard case .object(var fields) = planned else { return planned }
        for attribute in block.attributes {
            let configured = config[attribute.name]
            switch attribute.role {
            case .optionalComputed where configured.isNull:
                if let value = attribute.defaultValue {
                    fields[attribute.name] = value
                } else if isCreate || fields[attribute.name] == nil {
                    fields[attribute.name] = .unknown
                }
            case .computed where isCreate:
                fields[attribute.name] = .unknown
            default:
                break
            }
        }
        for nested in block.blocks {
            let value = fields[nested.name] ?? .null
            let configured = config[nested.name]
            switch (nested.nesting, value) {
            case (.single, .object):
                fields[nested.name] = fill(nested.block, planned: value, config: configured, isCreate: isCreate)
            case (.list, .list(let items)):
                let configs = configured.elements ?? []
                fields[nested.name] = .list(
                    items.enumerated().map { index, item in
                        fill(nested.block, planned: item, config: index < configs.count ? configs[index] : .null, isCreate: true)
                    })
            case (.set, .set(let items)):
                fields[nested.name] = .set(items.map { fill(nested.block, planned: $0, config: $0, isCreate: true) })
            default:
                break
            }
        }
        return .object(fields)
    }

    /// The part of a value the configuration decides: every attribute but the computed-only ones.
    static func settable(_ block: Block, _ value: TerraformValue) -> TerraformValue {
        guard case .object(var fields) = value else { return value }
        for attribute in block.attributes where attribute.role == .computed { fields[attribute.name] = nil }
        return .object(fields)
    }
}
