/// What a name means inside one module: a document (`input`, `data`, an import alias, a rule
/// or package below the module's package) or a local variable; and which functions a call can
/// reach, with how many arguments.
struct NameScope: Sendable {
    let package: [String]
    let aliases: [String: Term]
    let definitions: [[String]: [CompiledPolicy.Definition]]
    let prefixes: Set<[String]>

    func isGlobal(_ name: String) -> Bool {
        name == "input" || name == "data" || aliases[name] != nil || definitions[package + [name]] != nil
            || prefixes.contains(package + [name])
    }

    /// The path of a called function's definitions (`data.…`), after import aliases.
    func functionPath(_ function: Term) -> [String] {
        var names = Parser.names(of: function)
        if let first = names.first, let alias = aliases[first] { names = Parser.names(of: alias) + names.dropFirst() }
        return names.first == "data" ? names : package + names
    }

    /// How many arguments the function takes: a policy function's parameters, or a built-in's.
    /// Nil when no such function exists.
    func arity(of function: Term) -> Int? {
        if let definition = definitions[functionPath(function)]?.first, definition.rule.kind == .function {
            return definition.rule.arguments.count
        }
        let name = Parser.names(of: function).joined(separator: ".")
        // Answered by the evaluation itself (they need the rule being evaluated).
        if name == "rego.metadata.rule" || name == "rego.metadata.chain" { return 0 }
        return Builtins.registry[name]?.arity
    }
}
