import NovaCore

/// Modules and base data, indexed for evaluation: every rule by its full path
/// (`data.<package>.<rule ref>`), the package of each, and the import aliases in scope.
/// A class: every evaluation holds it, and copying its many tables into each one showed in profiles.
public final class CompiledPolicy: Sendable {
    /// A class: evaluation passes definitions around constantly (scopes, `rego.metadata`), and
    /// copying this struct's many fields cost more than the rules it evaluated.
    final class Definition: Sendable {
        let rule: Rule
        let package: [String]
        let aliases: [String: Term]
        /// The rule's kind as evaluated: `p["a"] := v` is a complete rule at `p.a`.
        let kind: Rule.Kind
        /// For a rule whose ref has variables (`p.q[x].r := v`, `p[x] := v`, `p[x].s contains y`):
        /// the segments after its static prefix, each solution's keys below the prefix.
        let dynamic: [Term]
        /// Whether the rule's leaf is a set it adds a member to (`contains`).
        let leafIsSet: Bool
        /// For a complete rule with no body whose value is a literal (`limits := {"dev": 64}`):
        /// that value, so evaluations do not rebuild it.
        let constant: Value?

        /// For a function whose every clause (bodies and `else`s) gives one constant value
        /// (`true` when written without one): that value. When all of a function's definitions
        /// have the same, the first that holds decides a call (OPA's early exit).
        let constantResult: Value?

        /// The names right below the rule's package that are rules or packages (`globalNames`).
        let globals: NameSet
        /// For a function whose parameters are distinct plain local variables (`f(x, y)`, `_`
        /// allowed): their names, so a call binds them without unification.
        let parameterNames: [String]?
        /// The definition compiled to closures over variable slots (see `RuleProgram`), when
        /// everything in it can be; nil leaves it to the interpreter.
        let program: RuleProgram?

        init(
            rule: Rule, package: [String], aliases: [String: Term], kind: Rule.Kind, dynamic: [Term], globals: NameSet = [],
            program: RuleProgram? = nil
        ) {
            self.globals = globals
            self.program = program
            self.rule = rule
            self.package = package
            self.aliases = aliases
            self.kind = kind
            self.dynamic = dynamic
            leafIsSet = rule.kind == .partialSet
            let isConstant =
                kind == .complete && rule.kind == .complete && !rule.isDefault && rule.bodies.isEmpty
                && rule.elses.isEmpty && dynamic.isEmpty
            constant = isConstant ? rule.value?.constantValue : nil
            var names: [String] = []
            for argument in rule.arguments {
                guard let name = argument.variableName, name == "_" || !names.contains(name), !Self.isGlobal(name, globals, aliases) else {
                    names = []
                    break
                }
                names.append(name)
            }
            parameterNames = names.count == rule.arguments.count ? names : nil
            let results = ([rule.value] + rule.elses.map(\.value)).map { $0 == nil ? Value.bool(true) : $0?.constantValue }
            constantResult = rule.kind == .function && results.allSatisfy({ $0 != nil && $0 == results[0] }) ? results[0] : nil
        }

        var isGeneral: Bool { !dynamic.isEmpty }

        /// Whether a name in this rule's body is not a local variable: `input`, `data`, a rule or
        /// package of its package, an import alias.
        func isGlobal(_ name: String) -> Bool { Self.isGlobal(name, globals, aliases) }

        static func isGlobal(_ name: String, _ globals: NameSet, _ aliases: [String: Term]) -> Bool {
            name == "input" || name == "data" || globals.contains(name) || (!aliases.isEmpty && aliases[name] != nil)
        }

        func with(globals: NameSet) -> Definition {
            Definition(rule: rule, package: package, aliases: aliases, kind: kind, dynamic: dynamic, globals: globals)
        }

        func with(program: RuleProgram?) -> Definition {
            Definition(rule: rule, package: package, aliases: aliases, kind: kind, dynamic: dynamic, globals: globals, program: program)
        }
    }

    let definitions: [[String]: [Definition]]
    /// Every prefix of a rule path (packages and partial paths), for walking `data`.
    let prefixes: Set<[String]>
    /// The names right below `data` that lead to rules; anything else is base data only.
    let ruleRoots: Set<String>
    /// Policy functions by full path (`data.pkg.f`), for calls the compiler resolved.
    let functions: [String: [Definition]]

    /// One path of the rule tree: its definitions (if rules live there), whether paths go on
    /// below it, and a number that indexes per-evaluation caches.
    struct PathNode: Sendable {
        let index: Int
        let definitions: [Definition]
        let hasChildren: Bool
    }
    /// Each package's `# METADATA` (`scope: package`), from whichever module of it has one.
    let packageAnnotations: [[String]: Value]
    /// Every rule path and prefix, so walking `data` looks each step up once.
    let nodes: [[String]: PathNode]
    /// The same nodes by number: compiled rules reach the rules and functions they use so.
    let nodeList: [PathNode]
    /// By node number, the functions programs call without the interpreter (see `FunctionProgram`).
    let functionPrograms: [FunctionProgram?]
    /// By node number, the partial sets all of whose definitions compiled (`ruleMembers`).
    let setPrograms: [[RuleProgram]?]
    public let data: Value

    /// The scope of a query: outside every package, so a bare name is a variable, never a rule.
    var queryScope: NameScope { NameScope(package: [], aliases: [:], definitions: definitions, prefixes: prefixes) }

    /// Indexes `modules`; two kinds of rule at one path, or a default rule with a body, are
    /// compile errors.
    public convenience init(modules: [Module], data: Value = .emptyObject) throws(RegoError) {
        try self.init(modules: modules, data: data, compilesRules: true)
    }

    /// - Parameter compilesRules: whether rules get programs (`RuleProgram`); without, the
    ///   interpreter evaluates everything (the tests compare the two).
    init(modules: [Module], data: Value, compilesRules: Bool) throws(RegoError) {
        var definitions: [[String]: [Definition]] = [:]
        var prefixes: Set<[String]> = []
        var packageAnnotations: [[String]: Value] = [:]
        for module in modules {
            let package = ["data"] + module.packagePath
            var aliases: [String: Term] = [:]
            for i in module.imports {
                let names = Parser.names(of: i.path)
                if let alias = i.alias ?? (names.count > 1 && names.first != "future" && names.first != "rego" ? names.last : nil) {
                    aliases[alias] = i.path
                }
            }
            if let annotations = module.annotations { packageAnnotations[package] = annotations }
            // An empty package is still a document (an empty object).
            for length in 1...package.count { prefixes.insert(Array(package.prefix(length))) }
            for rule in module.rules {
                let (path, definition) = Self.place(rule, package: package, aliases: aliases)
                if let existing = definitions[path]?.first(where: { !$0.rule.isDefault }), !rule.isDefault,
                    (existing.rule.kind == .function) != (rule.kind == .function)
                        || (!existing.isGeneral && !definition.isGeneral && existing.rule.kind != definition.rule.kind)
                {
                    throw RegoError(.compile, "conflicting rules \(path.joined(separator: ".")) found", at: rule.span)
                }
                definitions[path, default: []].append(definition)
                for length in 1..<path.count { prefixes.insert(Array(path.prefix(length))) }
            }
        }
        for (path, list) in definitions {
            for (i, definition) in list.enumerated() {
                let scope = NameScope(package: definition.package, aliases: definition.aliases, definitions: definitions, prefixes: prefixes)
                definitions[path]![i] =
                    Self.place(try SafetyPass(scope: scope).check(definition.rule), package: definition.package, aliases: definition.aliases).1
            }
        }
        var globalNames: [[String]: NameSet] = [:]
        for path in Set(definitions.keys).union(prefixes) where path.count >= 2 {
            globalNames[Array(path.dropLast()), default: []].insert(path[path.count - 1])
        }
        // Each definition carries its package's global names, so entering a rule's scope is
        // an assignment, not a lookup keyed by the package path.
        definitions = definitions.mapValues { list in list.map { $0.with(globals: globalNames[$0.package] ?? []) } }
        let ruleRoots = Set(Set(definitions.keys).union(prefixes).compactMap { $0.count >= 2 ? $0[1] : nil })
        let paths = Set(definitions.keys).union(prefixes).sorted(by: { $0.lexicographicallyPrecedes($1) })
        if compilesRules { definitions = Self.compilePrograms(definitions, paths: paths, prefixes: prefixes, ruleRoots: ruleRoots) }
        self.definitions = definitions
        self.prefixes = prefixes
        self.packageAnnotations = packageAnnotations
        self.data = data
        self.ruleRoots = ruleRoots
        var functions: [String: [Definition]] = [:]
        for (path, list) in definitions where list.first?.rule.kind == .function { functions[path.joined(separator: ".")] = list }
        self.functions = functions
        nodeList = paths.enumerated().map { index, path in
            PathNode(index: index, definitions: definitions[path] ?? [], hasChildren: prefixes.contains(path))
        }
        nodes = Dictionary(uniqueKeysWithValues: zip(paths, nodeList))
        functionPrograms = nodeList.map { node in
            guard node.definitions.first?.rule.kind == .function, !node.definitions.contains(where: \.rule.isDefault) else { return nil }
            return FunctionProgram(node.definitions)
        }
        setPrograms = nodeList.map { node in
            guard !node.definitions.isEmpty, !(node.hasChildren && node.definitions.contains(where: \.isGeneral)) else { return nil }
            let programs = node.definitions.compactMap { $0.kind == .partialSet && !$0.isGeneral ? $0.program : nil }
            return programs.count == node.definitions.count ? programs : nil
        }
    }

    /// Each definition with its program (see `RuleProgram`), nodes numbered in `paths` order.
    static func compilePrograms(
        _ definitions: [[String]: [Definition]], paths: [[String]], prefixes: Set<[String]>,
        ruleRoots: Set<String>
    ) -> [[String]: [Definition]] {
        var plainRules: [[String]: Int] = [:]
        var functions: [String: (node: Int, arity: Int)] = [:]
        for (index, path) in paths.enumerated() {
            guard let list = definitions[path], let first = list.first else { continue }
            if first.rule.kind == .function {
                functions[path.joined(separator: ".")] = (index, first.rule.arguments.count)
            } else if path.count > 1, !(prefixes.contains(path) && list.contains(where: \.isGeneral)) {
                plainRules[path] = index
            }
        }
        let catalog = RuleProgram.Catalog(plainRules: plainRules, functions: functions, ruleRoots: ruleRoots)
        return definitions.mapValues { list in list.map { $0.with(program: RuleProgram.compile($0, catalog)) } }
    }

    /// Where a rule goes: the static part of its ref (names and string keys) is its path; the
    /// rest, from the first variable key on, is computed per solution.
    static func place(_ rule: Rule, package: [String], aliases: [String: Term]) -> ([String], Definition) {
        var segments: [Term] = []
        if case .ref(let head, let steps) = rule.ref.kind {
            segments.append(Term(.string(head.variableName ?? ""), span: head.span))
            for step in steps {
                switch step {
                case .field(let name): segments.append(Term(.string(name), span: rule.ref.span))
                case .index(let term): segments.append(term)
                }
            }
        } else {
            segments.append(Term(.string(rule.ref.variableName ?? ""), span: rule.ref.span))
        }
        var kind = rule.kind
        if rule.kind == .partialObject, let key = rule.key {
            segments.append(key)
            kind = .complete
        }
        let staticCount = segments.prefix { if case .string = $0.kind { true } else { false } }.count
        let path = package + segments.prefix(staticCount).map { if case .string(let s) = $0.kind { s } else { "" } }
        return (path, Definition(rule: rule, package: package, aliases: aliases, kind: kind, dynamic: Array(segments[staticCount...])))
    }
}
