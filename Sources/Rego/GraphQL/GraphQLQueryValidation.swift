/// The specification's validation rules for an executable document against a schema (those
/// gqlparser applies): operations, fields and their arguments, fragments, variables, values,
/// directives.
struct GraphQLQueryValidation {
    let schema: GraphQLSchema
    let document: GraphQL.QueryDocument

    static func validate(_ document: GraphQL.QueryDocument, against schema: GraphQLSchema) throws(GraphQL.Failure) {
        try GraphQLQueryValidation(schema: schema, document: document).run()
    }

    func fail(_ message: String) -> GraphQL.Failure { GraphQL.Failure(message: message) }

    func run() throws(GraphQL.Failure) {
        let operations = document.operations
        if operations.count > 1, operations.contains(where: { $0.name.isEmpty }) { throw fail("This anonymous operation must be the only defined operation.") }
        var operationNames: Set<String> = []
        for operation in operations where !operation.name.isEmpty {
            guard operationNames.insert(operation.name).inserted else { throw fail("There can be only one operation named \"\(operation.name)\".") }
        }
        var fragments: [String: GraphQL.Fragment] = [:]
        for fragment in document.fragments {
            guard fragments[fragment.name] == nil else { throw fail("There can be only one fragment named \"\(fragment.name)\".") }
            fragments[fragment.name] = fragment
            guard let condition = schema.types[fragment.typeCondition] else { throw fail("Unknown type \"\(fragment.typeCondition)\".") }
            guard ["OBJECT", "INTERFACE", "UNION"].contains(condition.kind) else {
                throw fail("Fragment \"\(fragment.name)\" cannot condition on non composite type \"\(fragment.typeCondition)\".")
            }
        }
        var usedFragments: Set<String> = []
        for operation in operations {
            guard let root = schema.roots[operation.kind] else { throw fail("Schema does not support operation type \"\(operation.kind)\"") }
            var variables: [String: GraphQL.VariableDefinition] = [:]
            for variable in operation.variables {
                guard variables[variable.name] == nil else { throw fail("There can be only one variable named \"$\(variable.name)\".") }
                guard let type = schema.types[variable.type.name] else { throw fail("Unknown type \"\(variable.type.name)\".") }
                guard ["SCALAR", "ENUM", "INPUT_OBJECT"].contains(type.kind) else {
                    throw fail("Variable \"$\(variable.name)\" cannot be non-input type \"\(variable.type.text)\".")
                }
                if let value = variable.defaultValue { try checkValue(value, variable.type, variables: [:]) }
                variables[variable.name] = variable
            }
            try checkDirectives(operation.directives, at: operation.kind.uppercased(), variables: variables)
            var usedVariables: Set<String> = []
            var visited: Set<String> = []
            try checkSelections(
                operation.selections, on: root, variables: variables, fragments: fragments, usedVariables: &usedVariables,
                usedFragments: &usedFragments, visiting: &visited)
            for variable in operation.variables where !usedVariables.contains(variable.name) {
                throw fail("Variable \"$\(variable.name)\" is never used.")
            }
        }
        for fragment in document.fragments where !usedFragments.contains(fragment.name) {
            throw fail("Fragment \"\(fragment.name)\" is never used.")
        }
    }

    func checkDirectives(_ used: [GraphQL.Directive], at location: String, variables: [String: GraphQL.VariableDefinition]) throws(GraphQL.Failure) {
        var seen: Set<String> = []
        for directive in used {
            guard let definition = schema.directives[directive.name] else { throw fail("Unknown directive \"@\(directive.name)\".") }
            guard definition.locations.contains(location) else { throw fail("Directive \"@\(directive.name)\" may not be used on \(location).") }
            guard definition.repeatable || seen.insert(directive.name).inserted else {
                throw fail("The directive \"@\(directive.name)\" can only be used once at this location.")
            }
            try checkArguments(directive.arguments, definition.arguments, "directive \"@\(directive.name)\"", variables: variables)
        }
    }

    func checkArguments(
        _ given: [GraphQL.Argument], _ defined: [GraphQL.ArgumentDefinition], _ owner: String,
        variables: [String: GraphQL.VariableDefinition]
    ) throws(GraphQL.Failure) {
        var seen: Set<String> = []
        for argument in given {
            guard seen.insert(argument.name).inserted else { throw fail("There can be only one argument named \"\(argument.name)\".") }
            guard let definition = defined.first(where: { $0.name == argument.name }) else {
                throw fail("Unknown argument \"\(argument.name)\" on \(owner).")
            }
            try checkValue(argument.value, definition.type, variables: variables, hasDefault: definition.defaultValue != nil)
        }
        for definition in defined where definition.type.nonNull && definition.defaultValue == nil && !seen.contains(definition.name) {
            throw fail("Argument \"\(definition.name)\" of type \"\(definition.type.text)\" is required, but it was not provided.")
        }
    }

    /// ValuesOfCorrectType and VariablesInAllowedPosition.
    func checkValue(
        _ value: GraphQL.InputValue, _ type: GraphQL.TypeRef, variables: [String: GraphQL.VariableDefinition],
        hasDefault: Bool = false
    ) throws(GraphQL.Failure) {
        if value.kind == .variable {
            guard let variable = variables[value.raw] else { throw fail("Variable \"$\(value.raw)\" is not defined.") }
            let variableType: GraphQL.TypeRef
            if case .named(let n, false) = variable.type, variable.defaultValue != nil || hasDefault, type.nonNull {
                variableType = .named(n, nonNull: true)
            } else if case .list(let inner, false) = variable.type, variable.defaultValue != nil || hasDefault, type.nonNull {
                variableType = .list(inner, nonNull: true)
            } else {
                variableType = variable.type
            }
            guard Self.fits(variableType, in: type) else {
                throw fail("Variable \"$\(value.raw)\" of type \"\(variable.type.text)\" used in position expecting type \"\(type.text)\".")
            }
            return
        }
        if value.kind == .null {
            guard !type.nonNull else { throw fail("Expected value of type \"\(type.text)\", found null.") }
            return
        }
        switch type {
        case .list(let inner, _):
            if value.kind == .list {
                for child in value.children { try checkValue(child.value, inner, variables: variables) }
            } else {
                try checkValue(value, inner, variables: variables)
            }
        case .named(let name, _):
            guard let definition = schema.types[name] else { throw fail("Unknown type \"\(name)\".") }
            let ok: Bool
            switch (definition.kind, name) {
            case ("SCALAR", "Int"): ok = value.kind == .int
            case ("SCALAR", "Float"): ok = value.kind == .int || value.kind == .float
            case ("SCALAR", "String"): ok = value.kind == .string || value.kind == .block
            case ("SCALAR", "Boolean"): ok = value.kind == .boolean
            case ("SCALAR", "ID"): ok = value.kind == .int || value.kind == .string || value.kind == .block
            case ("SCALAR", _): ok = true
            case ("ENUM", _): ok = value.kind == .enumeration && definition.enumValues.contains { $0.name == value.raw }
            case ("INPUT_OBJECT", _):
                guard value.kind == .object else { ok = false; break }
                var seen: Set<String> = []
                for child in value.children {
                    guard seen.insert(child.name).inserted else { throw fail("There can be only one input field named \"\(child.name)\".") }
                    guard let field = definition.fields.first(where: { $0.name == child.name }) else {
                        throw fail("Field \"\(child.name)\" is not defined by type \"\(name)\".")
                    }
                    try checkValue(child.value, field.type, variables: variables)
                }
                for field in definition.fields where field.type.nonNull && field.defaultValue == nil && !seen.contains(field.name) {
                    throw fail("Field \"\(name).\(field.name)\" of required type \"\(field.type.text)\" was not provided.")
                }
                ok = true
            default: ok = false
            }
            guard ok else { throw fail("Expected value of type \"\(type.text)\", found \(value.raw.isEmpty ? "a composite value" : value.raw).") }
        }
    }

    static func fits(_ variable: GraphQL.TypeRef, in location: GraphQL.TypeRef) -> Bool {
        if location.nonNull && !variable.nonNull { return false }
        switch (variable, location) {
        case (.named(let a, _), .named(let b, _)): return a == b
        case (.list(let a, _), .list(let b, _)): return fits(a, in: b)
        default: return false
        }
    }

    func checkSelections(
        _ selections: [GraphQL.Selection], on parent: String, variables: [String: GraphQL.VariableDefinition],
        fragments: [String: GraphQL.Fragment], usedVariables: inout Set<String>, usedFragments: inout Set<String>,
        visiting: inout Set<String>
    ) throws(GraphQL.Failure) {
        guard let parentType = schema.types[parent] else { throw fail("Unknown type \"\(parent)\".") }
        var responseNames: [String: (String, [GraphQL.Argument])] = [:]
        for selection in selections {
            switch selection {
            case .field(let alias, let name, let arguments, let directives, let children):
                guard let field = schema.fieldType(parent, name), parentType.kind != "UNION" || name == "__typename" else {
                    throw fail("Cannot query field \"\(name)\" on type \"\(parent)\".")
                }
                if let (otherName, otherArguments) = responseNames[alias], otherName != name || otherArguments.count != arguments.count {
                    throw fail("Fields \"\(alias)\" conflict because \(otherName) and \(name) are different fields.")
                }
                responseNames[alias] = (name, arguments)
                for argument in arguments { collectVariables(argument.value, into: &usedVariables) }
                for directive in directives { for argument in directive.arguments { collectVariables(argument.value, into: &usedVariables) } }
                try checkArguments(arguments, field.arguments, "field \"\(name)\" of type \"\(parent)\"", variables: variables)
                try checkDirectives(directives, at: "FIELD", variables: variables)
                let fieldType = schema.types[field.type.name]
                let composite = ["OBJECT", "INTERFACE", "UNION"].contains(fieldType?.kind ?? "")
                if composite && children.isEmpty {
                    throw fail("Field \"\(name)\" of type \"\(field.type.text)\" must have a selection of subfields.")
                }
                if !composite && !children.isEmpty {
                    throw fail("Field \"\(name)\" must not have a selection since type \"\(field.type.text)\" has no subfields.")
                }
                if composite {
                    try checkSelections(
                        children, on: field.type.name, variables: variables, fragments: fragments, usedVariables: &usedVariables,
                        usedFragments: &usedFragments, visiting: &visiting)
                }
            case .spread(let name, let directives):
                guard let fragment = fragments[name] else { throw fail("Unknown fragment \"\(name)\".") }
                try checkDirectives(directives, at: "FRAGMENT_SPREAD", variables: variables)
                for directive in directives { for argument in directive.arguments { collectVariables(argument.value, into: &usedVariables) } }
                try checkPossible(fragment.typeCondition, in: parent, "Fragment \"\(name)\"")
                usedFragments.insert(name)
                guard visiting.insert(name).inserted else { throw fail("Cannot spread fragment \"\(name)\" within itself.") }
                try checkSelections(
                    fragment.selections, on: fragment.typeCondition, variables: variables, fragments: fragments,
                    usedVariables: &usedVariables, usedFragments: &usedFragments, visiting: &visiting)
                visiting.remove(name)
            case .inline(let condition, let directives, let children):
                let target = condition.isEmpty ? parent : condition
                guard let type = schema.types[target] else { throw fail("Unknown type \"\(target)\".") }
                guard ["OBJECT", "INTERFACE", "UNION"].contains(type.kind) else { throw fail("Fragment cannot condition on non composite type \"\(target)\".") }
                try checkPossible(target, in: parent, "Fragment")
                try checkDirectives(directives, at: "INLINE_FRAGMENT", variables: variables)
                for directive in directives { for argument in directive.arguments { collectVariables(argument.value, into: &usedVariables) } }
                try checkSelections(
                    children, on: target, variables: variables, fragments: fragments, usedVariables: &usedVariables,
                    usedFragments: &usedFragments, visiting: &visiting)
            }
        }
    }

    /// PossibleFragmentSpreads: the fragment's type and the parent's must share a possible type.
    func checkPossible(_ fragmentType: String, in parent: String, _ what: String) throws(GraphQL.Failure) {
        let a = possibleTypes(fragmentType), b = possibleTypes(parent)
        guard !a.isDisjoint(with: b) else {
            throw fail("\(what) cannot be spread here as objects of type \"\(parent)\" can never be of type \"\(fragmentType)\".")
        }
    }

    func possibleTypes(_ name: String) -> Set<String> {
        guard let type = schema.types[name] else { return [] }
        switch type.kind {
        case "OBJECT": return [name]
        case "UNION": return Set(type.types)
        case "INTERFACE": return Set(schema.types.values.filter { $0.kind == "OBJECT" && $0.interfaces.contains(name) }.map(\.name))
        default: return []
        }
    }

    func collectVariables(_ value: GraphQL.InputValue, into used: inout Set<String>) {
        if value.kind == .variable { used.insert(value.raw) }
        for child in value.children { collectVariables(child.value, into: &used) }
    }
}
