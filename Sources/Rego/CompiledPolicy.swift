import NovaCore

/// Modules and base data, indexed for evaluation: every rule by its full path
/// (`data.<package>.<rule ref>`), the package of each, and the import aliases in scope.
public struct CompiledPolicy: Sendable {
    struct Definition: Sendable {
        var rule: Rule
        var package: [String]
        var aliases: [String: Term]
    }

    let definitions: [[String]: [Definition]]
    /// Every prefix of a rule path (packages and partial paths), for walking `data`.
    let prefixes: Set<[String]>
    public let data: Value

    /// The scope of a query: names resolve from `data`, with no imports.
    var queryScope: NameScope { NameScope(package: ["data"], aliases: [:], definitions: definitions, prefixes: prefixes) }

    /// Indexes `modules`; two kinds of rule at one path, or a default rule with a body, are
    /// compile errors.
    public init(modules: [Module], data: Value = .emptyObject) throws(RegoError) {
        var definitions: [[String]: [Definition]] = [:]
        var prefixes: Set<[String]> = []
        for module in modules {
            let package = ["data"] + module.packagePath
            var aliases: [String: Term] = [:]
            for i in module.imports {
                let names = Parser.names(of: i.path)
                if let alias = i.alias ?? (names.count > 1 && names.first != "future" && names.first != "rego" ? names.last : nil) {
                    aliases[alias] = i.path
                }
            }
            for rule in module.rules {
                let path = package + Parser.names(of: rule.ref)
                if let existing = definitions[path]?.first, existing.rule.kind != rule.kind, !(existing.rule.isDefault || rule.isDefault) {
                    throw RegoError(.compile, "conflicting rules \(path.joined(separator: ".")) found", at: rule.span)
                }
                definitions[path, default: []].append(Definition(rule: rule, package: package, aliases: aliases))
                for length in 1..<path.count { prefixes.insert(Array(path.prefix(length))) }
            }
        }
        for (path, list) in definitions {
            for (i, definition) in list.enumerated() {
                let scope = NameScope(package: definition.package, aliases: definition.aliases, definitions: definitions, prefixes: prefixes)
                definitions[path]![i].rule = try SafetyPass(scope: scope).check(definition.rule)
            }
        }
        self.definitions = definitions
        self.prefixes = prefixes
        self.data = data
    }
}
