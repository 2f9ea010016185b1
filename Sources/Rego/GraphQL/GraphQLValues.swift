import NovaCore

/// Documents to and from the objects OPA's graphql built-ins exchange: gqlparser's Go structs
/// as JSON (empty lists and absent parts left out, scalar fields always present).
extension GraphQL {
    static func object(_ fields: [(String, Value?)]) -> Value {
        var result: [Value: Value] = [:]
        for (key, value) in fields {
            guard let value else { continue }
            if case .array(let items) = value, items.isEmpty { continue }
            result[.string(key)] = value
        }
        return .object(result)
    }

    static func value(_ type: TypeRef) -> Value {
        switch type {
        case .named(let n, let nn): object([("NamedType", .string(n)), ("NonNull", .bool(nn))])
        case .list(let inner, let nn): object([("Elem", value(inner)), ("NamedType", ""), ("NonNull", .bool(nn))])
        }
    }

    static func value(_ v: InputValue) -> Value {
        object([
            ("Children", .array(v.children.map { object([("Name", .string($0.name)), ("Value", value($0.value))]) })),
            ("ExpectedTypeHasDefault", false), ("Kind", .int(v.kind.rawValue)), ("Raw", .string(v.raw)),
        ])
    }

    static func value(_ arguments: [Argument]) -> Value { .array(arguments.map { object([("Name", .string($0.name)), ("Value", value($0.value))]) }) }

    static func value(_ directives: [Directive]) -> Value {
        .array(directives.map { object([("Arguments", value($0.arguments)), ("Location", ""), ("Name", .string($0.name))]) })
    }

    static func value(_ selections: [Selection]) -> Value {
        .array(
            selections.map { selection in
                switch selection {
                case .field(let alias, let name, let arguments, let directives, let selections):
                    object([
                        ("Alias", .string(alias)), ("Arguments", value(arguments)), ("Directives", value(directives)), ("Name", .string(name)),
                        ("SelectionSet", value(selections)),
                    ])
                case .spread(let name, let directives):
                    object([("Directives", value(directives)), ("Name", .string(name))])
                case .inline(let condition, let directives, let selections):
                    object([("Directives", value(directives)), ("SelectionSet", value(selections)), ("TypeCondition", .string(condition))])
                }
            })
    }

    static func value(_ document: QueryDocument) -> Value {
        object([
            (
                "Operations",
                .array(
                    document.operations.map { op in
                        object([
                            ("Directives", value(op.directives)), ("Name", .string(op.name)), ("Operation", .string(op.kind)),
                            ("SelectionSet", value(op.selections)),
                            (
                                "VariableDefinitions",
                                .array(
                                    op.variables.map { v in
                                        object([
                                            ("DefaultValue", v.defaultValue.map(value)), ("Directives", value(v.directives)), ("Type", value(v.type)),
                                            ("Used", false), ("Variable", .string(v.name)),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
            (
                "Fragments",
                .array(
                    document.fragments.map { f in
                        object([
                            ("Directives", value(f.directives)), ("Name", .string(f.name)), ("SelectionSet", value(f.selections)),
                            ("TypeCondition", .string(f.typeCondition)),
                        ])
                    })
            ),
        ])
    }

    static func value(_ arguments: [ArgumentDefinition]) -> Value {
        .array(
            arguments.map { a in
                object([
                    ("DefaultValue", a.defaultValue.map(value)), ("Description", .string(a.description)), ("Directives", value(a.directives)),
                    ("Name", .string(a.name)), ("Type", value(a.type)),
                ])
            })
    }

    static func value(_ definition: Definition) -> Value {
        object([
            ("BuiltIn", .bool(definition.builtIn)), ("Description", .string(definition.description)), ("Directives", value(definition.directives)),
            (
                "EnumValues",
                .array(
                    definition.enumValues.map { e in
                        object([("Description", .string(e.description)), ("Directives", value(e.directives)), ("Name", .string(e.name))])
                    })
            ),
            (
                "Fields",
                .array(
                    definition.fields.map { f in
                        object([
                            ("Arguments", value(f.arguments)), ("DefaultValue", f.defaultValue.map(value)), ("Description", .string(f.description)),
                            ("Directives", value(f.directives)), ("Name", .string(f.name)), ("Type", value(f.type)),
                        ])
                    })
            ),
            ("Interfaces", .array(definition.interfaces.map(Value.string))), ("Kind", .string(definition.kind)), ("Name", .string(definition.name)),
            ("Types", .array(definition.types.map(Value.string))),
        ])
    }

    static func value(_ schema: SchemaDefinition) -> Value {
        object([
            ("Description", .string(schema.description)), ("Directives", value(schema.directives)),
            ("OperationTypes", .array(schema.operationTypes.map { object([("Operation", .string($0.operation)), ("Type", .string($0.type))]) })),
        ])
    }

    static func value(_ document: SchemaDocument) -> Value {
        object([
            ("Schema", .array(document.schema.map(value))), ("SchemaExtension", .array(document.schemaExtensions.map(value))),
            (
                "Directives",
                .array(
                    document.directives.map { d in
                        object([
                            ("Arguments", value(d.arguments)), ("Description", .string(d.description)), ("IsRepeatable", .bool(d.repeatable)),
                            ("Locations", .array(d.locations.map(Value.string))), ("Name", .string(d.name)),
                        ])
                    })
            ),
            ("Definitions", .array(document.definitions.map(value))), ("Extensions", .array(document.extensions.map(value))),
        ])
    }

    // MARK: - Back from objects

    static func string(_ v: Value?, _ key: String) -> String { v?[key]?.stringValue ?? "" }
    static func list(_ v: Value?, _ key: String) -> [Value] { v?[key]?.arrayValue ?? [] }

    static func typeRef(_ v: Value?) throws(Failure) -> TypeRef {
        guard let v, case .object = v else { throw Failure(message: "invalid type in AST") }
        let nonNull = v["NonNull"]?.boolValue ?? false
        if let elem = v["Elem"], !elem.isNull { return .list(try typeRef(elem), nonNull: nonNull) }
        return .named(string(v, "NamedType"), nonNull: nonNull)
    }

    static func inputValue(_ v: Value) throws(Failure) -> InputValue {
        guard let kind = ValueKind(rawValue: v["Kind"]?.intValue ?? -1) else { throw Failure(message: "invalid value in AST") }
        var children: [(String, InputValue)] = []
        for child in list(v, "Children") { children.append((string(child, "Name"), try inputValue(child["Value"] ?? .null))) }
        return InputValue(kind: kind, raw: string(v, "Raw"), children: children)
    }

    static func arguments(_ v: Value?) throws(Failure) -> [Argument] {
        var result: [Argument] = []
        for a in list(v, "Arguments") { result.append(Argument(name: string(a, "Name"), value: try inputValue(a["Value"] ?? .null))) }
        return result
    }

    static func directives(_ v: Value?) throws(Failure) -> [Directive] {
        var result: [Directive] = []
        for d in list(v, "Directives") { result.append(Directive(name: string(d, "Name"), arguments: try arguments(d))) }
        return result
    }

    static func selections(_ v: Value?) throws(Failure) -> [Selection] {
        var result: [Selection] = []
        for s in list(v, "SelectionSet") {
            if s["TypeCondition"] != nil {
                result.append(.inline(typeCondition: string(s, "TypeCondition"), directives: try directives(s), selections: try selections(s)))
            } else if s["Alias"] != nil {
                result.append(
                    .field(
                        alias: string(s, "Alias"), name: string(s, "Name"), arguments: try arguments(s), directives: try directives(s),
                        selections: try selections(s)))
            } else {
                result.append(.spread(name: string(s, "Name"), directives: try directives(s)))
            }
        }
        return result
    }

    static func queryDocument(_ v: Value) throws(Failure) -> QueryDocument {
        var document = QueryDocument()
        for op in list(v, "Operations") {
            var variables: [VariableDefinition] = []
            for d in list(op, "VariableDefinitions") {
                variables.append(
                    VariableDefinition(
                        name: string(d, "Variable"), type: try typeRef(d["Type"]),
                        defaultValue: try d["DefaultValue"].map { (x: Value) throws(Failure) in try inputValue(x) },
                        directives: try directives(d)))
            }
            document.operations.append(
                Operation(
                    kind: string(op, "Operation"), name: string(op, "Name"), variables: variables,
                    directives: try directives(op), selections: try selections(op)))
        }
        for f in list(v, "Fragments") {
            document.fragments.append(
                Fragment(
                    name: string(f, "Name"), typeCondition: string(f, "TypeCondition"), directives: try directives(f),
                    selections: try selections(f)))
        }
        return document
    }

    static func argumentDefinitions(_ v: Value?) throws(Failure) -> [ArgumentDefinition] {
        var result: [ArgumentDefinition] = []
        for a in list(v, "Arguments") {
            result.append(
                ArgumentDefinition(
                    description: string(a, "Description"), name: string(a, "Name"), type: try typeRef(a["Type"]),
                    defaultValue: try a["DefaultValue"].map { (x: Value) throws(Failure) in try inputValue(x) },
                    directives: try directives(a)))
        }
        return result
    }

    static func definition(_ v: Value) throws(Failure) -> Definition {
        var d = Definition(kind: string(v, "Kind"), description: string(v, "Description"), name: string(v, "Name"))
        d.directives = try directives(v)
        d.interfaces = list(v, "Interfaces").compactMap(\.stringValue)
        d.types = list(v, "Types").compactMap(\.stringValue)
        for e in list(v, "EnumValues") {
            d.enumValues.append(EnumValueDefinition(description: string(e, "Description"), name: string(e, "Name"), directives: try directives(e)))
        }
        for f in list(v, "Fields") {
            d.fields.append(
                FieldDefinition(
                    description: string(f, "Description"), name: string(f, "Name"), arguments: try argumentDefinitions(f),
                    type: try typeRef(f["Type"]), defaultValue: try f["DefaultValue"].map { (x: Value) throws(Failure) in try inputValue(x) },
                    directives: try directives(f)))
        }
        return d
    }

    static func schemaDocument(_ v: Value) throws(Failure) -> SchemaDocument {
        var document = SchemaDocument()
        func schema(_ s: Value) throws(Failure) -> SchemaDefinition {
            SchemaDefinition(
                description: string(s, "Description"), directives: try directives(s),
                operationTypes: list(s, "OperationTypes").map { (string($0, "Operation"), string($0, "Type")) })
        }
        for s in list(v, "Schema") { document.schema.append(try schema(s)) }
        for s in list(v, "SchemaExtension") { document.schemaExtensions.append(try schema(s)) }
        for d in list(v, "Directives") {
            document.directives.append(
                DirectiveDefinition(
                    description: string(d, "Description"), name: string(d, "Name"), arguments: try argumentDefinitions(d),
                    locations: list(d, "Locations").compactMap(\.stringValue), repeatable: d["IsRepeatable"]?.boolValue ?? false))
        }
        for d in list(v, "Definitions") { document.definitions.append(try definition(d)) }
        for d in list(v, "Extensions") { document.extensions.append(try definition(d)) }
        return document
    }
}
