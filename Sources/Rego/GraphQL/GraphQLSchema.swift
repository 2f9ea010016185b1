/// A schema assembled from a schema document (built-in scalars and directives added,
/// extensions merged) and checked as gqlparser's LoadSchema checks it.
struct GraphQLSchema {
    var types: [String: GraphQL.Definition] = [:]
    var directives: [String: GraphQL.DirectiveDefinition] = [:]
    var roots: [String: String] = [:]

    static let scalars = ["Int", "Float", "String", "Boolean", "ID"]

    static func builtInDirectives() -> [GraphQL.DirectiveDefinition] {
        let ifArgument = GraphQL.ArgumentDefinition(description: "", name: "if", type: .named("Boolean", nonNull: true), defaultValue: nil, directives: [])
        return [
            GraphQL.DirectiveDefinition(
                description: "", name: "skip", arguments: [ifArgument], locations: ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], repeatable: false),
            GraphQL.DirectiveDefinition(
                description: "", name: "include", arguments: [ifArgument], locations: ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], repeatable: false),
            GraphQL.DirectiveDefinition(
                description: "", name: "deprecated",
                arguments: [
                    GraphQL.ArgumentDefinition(
                        description: "", name: "reason", type: .named("String", nonNull: false),
                        defaultValue: nil, directives: [])
                ],
                locations: ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"], repeatable: false),
            GraphQL.DirectiveDefinition(
                description: "", name: "specifiedBy",
                arguments: [
                    GraphQL.ArgumentDefinition(
                        description: "", name: "url", type: .named("String", nonNull: true),
                        defaultValue: nil, directives: [])
                ],
                locations: ["SCALAR"], repeatable: false),
            GraphQL.DirectiveDefinition(description: "", name: "oneOf", arguments: [], locations: ["INPUT_OBJECT"], repeatable: false),
        ]
    }

    init(_ document: GraphQL.SchemaDocument) throws(GraphQL.Failure) {
        for name in Self.scalars {
            var scalar = GraphQL.Definition(kind: "SCALAR", description: "", name: name)
            scalar.builtIn = true
            types[name] = scalar
        }
        for directive in Self.builtInDirectives() { directives[directive.name] = directive }
        for definition in document.definitions {
            guard types[definition.name] == nil else { throw GraphQL.Failure(message: "Cannot redeclare type \(definition.name).") }
            types[definition.name] = definition
        }
        for directive in document.directives {
            guard directives[directive.name] == nil || Self.builtInDirectives().contains(where: { $0.name == directive.name }) else {
                throw GraphQL.Failure(message: "Cannot redeclare directive \(directive.name).")
            }
            directives[directive.name] = directive
        }
        for extensionDefinition in document.extensions {
            guard var existing = types[extensionDefinition.name] else {
                types[extensionDefinition.name] = extensionDefinition
                continue
            }
            guard existing.kind == extensionDefinition.kind else {
                throw GraphQL.Failure(
                    message: "Cannot extend type \(extensionDefinition.name) because the base type is a \(existing.kind), not \(extensionDefinition.kind).")
            }
            existing.directives += extensionDefinition.directives
            existing.interfaces += extensionDefinition.interfaces
            existing.types += extensionDefinition.types
            existing.enumValues += extensionDefinition.enumValues
            for field in extensionDefinition.fields {
                guard !existing.fields.contains(where: { $0.name == field.name }) else {
                    throw GraphQL.Failure(message: "Field \(extensionDefinition.name).\(field.name) can only be defined once.")
                }
                existing.fields.append(field)
            }
            types[extensionDefinition.name] = existing
        }
        guard document.schema.count <= 1 else {
            throw GraphQL.Failure(message: "Cannot have multiple schema entry points, consider schema extensions instead.")
        }
        for schema in document.schema + document.schemaExtensions {
            for (operation, type) in schema.operationTypes {
                guard roots[operation] == nil || document.schema.isEmpty else { throw GraphQL.Failure(message: "Cannot redeclare \(operation) operation.") }
                roots[operation] = type
            }
            try checkDirectives(schema.directives, at: "SCHEMA")
        }
        if document.schema.isEmpty {
            for (operation, type) in [("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription")]
            where roots[operation] == nil && types[type] != nil {
                roots[operation] = type
            }
        }
        for (operation, type) in roots {
            guard let definition = types[type] else { throw GraphQL.Failure(message: "Schema root \(operation) refers to a type \(type) that does not exist.") }
            guard definition.kind == "OBJECT" else { throw GraphQL.Failure(message: "\(operation) root type must be an object type.") }
        }
        for definition in types.values where !definition.builtIn { try validate(definition) }
        for directive in directives.values {
            for argument in directive.arguments { try checkInput(argument.type, "argument \(argument.name) of directive @\(directive.name)") }
        }
    }

    func checkDirectives(_ used: [GraphQL.Directive], at location: String) throws(GraphQL.Failure) {
        for directive in used {
            guard let definition = directives[directive.name] else { throw GraphQL.Failure(message: "Undefined directive \(directive.name).") }
            guard definition.locations.contains(location) else {
                throw GraphQL.Failure(message: "Directive \(directive.name) is not applicable on \(location).")
            }
        }
    }

    func checkOutput(_ type: GraphQL.TypeRef, _ what: String) throws(GraphQL.Failure) {
        guard let definition = types[type.name] else { throw GraphQL.Failure(message: "Undefined type \(type.name).") }
        guard definition.kind != "INPUT_OBJECT" else { throw GraphQL.Failure(message: "\(what) must be an output type.") }
    }

    func checkInput(_ type: GraphQL.TypeRef, _ what: String) throws(GraphQL.Failure) {
        guard let definition = types[type.name] else { throw GraphQL.Failure(message: "Undefined type \(type.name).") }
        guard ["SCALAR", "ENUM", "INPUT_OBJECT"].contains(definition.kind) else { throw GraphQL.Failure(message: "\(what) must be an input type.") }
    }

    func validate(_ definition: GraphQL.Definition) throws(GraphQL.Failure) {
        guard !definition.name.hasPrefix("__") else { throw GraphQL.Failure(message: "Name \(definition.name) must not begin with \"__\".") }
        try checkDirectives(definition.directives, at: definition.kind)
        switch definition.kind {
        case "OBJECT", "INTERFACE":
            guard !definition.fields.isEmpty else { throw GraphQL.Failure(message: "\(definition.kind) \(definition.name): must define one or more fields.") }
            var names: Set<String> = []
            for field in definition.fields {
                guard names.insert(field.name).inserted else {
                    throw GraphQL.Failure(message: "Field \(definition.name).\(field.name) can only be defined once.")
                }
                try checkOutput(field.type, "field \(definition.name).\(field.name)")
                try checkDirectives(field.directives, at: "FIELD_DEFINITION")
                for argument in field.arguments {
                    try checkInput(argument.type, "argument \(argument.name)")
                    try checkDirectives(argument.directives, at: "ARGUMENT_DEFINITION")
                }
            }
            for name in definition.interfaces {
                guard let interface = types[name] else { throw GraphQL.Failure(message: "Undefined type \(name).") }
                guard interface.kind == "INTERFACE" else { throw GraphQL.Failure(message: "\(definition.name) is a non interface type \(name).") }
                for required in interface.fields {
                    guard let field = definition.fields.first(where: { $0.name == required.name }) else {
                        throw GraphQL.Failure(message: "For \(definition.name) to implement \(name) it must have a field called \(required.name).")
                    }
                    guard isSubtype(field.type, of: required.type) else {
                        throw GraphQL.Failure(
                            message: "For \(definition.name) to implement \(name) the field \(required.name) must have type \(required.type.text).")
                    }
                }
                for inherited in interface.interfaces where !definition.interfaces.contains(inherited) {
                    throw GraphQL.Failure(message: "\(definition.name) must implement \(inherited) because it is implemented by \(name).")
                }
            }
        case "UNION":
            guard !definition.types.isEmpty else { throw GraphQL.Failure(message: "UNION \(definition.name): must define one or more member types.") }
            for member in definition.types {
                guard let type = types[member] else { throw GraphQL.Failure(message: "Undefined type \(member).") }
                guard type.kind == "OBJECT" else { throw GraphQL.Failure(message: "UNION type \(member) must be OBJECT.") }
            }
        case "ENUM":
            guard !definition.enumValues.isEmpty else { throw GraphQL.Failure(message: "ENUM \(definition.name): must define one or more unique enum values.") }
            var names: Set<String> = []
            for value in definition.enumValues {
                guard names.insert(value.name).inserted else {
                    throw GraphQL.Failure(message: "Enum value \(definition.name).\(value.name) can only be defined once.")
                }
                try checkDirectives(value.directives, at: "ENUM_VALUE")
            }
        case "INPUT_OBJECT":
            guard !definition.fields.isEmpty else { throw GraphQL.Failure(message: "INPUT_OBJECT \(definition.name): must define one or more input fields.") }
            for field in definition.fields {
                try checkInput(field.type, "field \(definition.name).\(field.name)")
                try checkDirectives(field.directives, at: "INPUT_FIELD_DEFINITION")
            }
        default:
            break
        }
    }

    /// Whether a field of type `type` satisfies an interface field of type `required`.
    func isSubtype(_ type: GraphQL.TypeRef, of required: GraphQL.TypeRef) -> Bool {
        switch (type, required) {
        case (.named(let a, let an), .named(let b, let bn)):
            guard an || !bn else { return false }
            if a == b { return true }
            guard let sub = types[a], let sup = types[b] else { return false }
            return (sup.kind == "INTERFACE" && sub.interfaces.contains(b)) || (sup.kind == "UNION" && sup.types.contains(a))
        case (.list(let a, let an), .list(let b, let bn)):
            return (an || !bn) && isSubtype(a, of: b)
        default:
            return false
        }
    }

    /// The type a field of a composite type has (`__typename` is everywhere).
    func fieldType(_ parent: String, _ name: String) -> GraphQL.FieldDefinition? {
        if name == "__typename" {
            return GraphQL.FieldDefinition(description: "", name: name, arguments: [], type: .named("String", nonNull: true), defaultValue: nil, directives: [])
        }
        return types[parent]?.fields.first { $0.name == name }
    }
}
