import NovaCore

extension Evaluation {
    /// `data` below `prefix`: rules (evaluated), packages (objects of their rules) and base data.
    func walkData(_ prefix: [String], _ path: ArraySlice<Term.RefStep>, _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        // Below `data`, a name that leads to no rule is base data: walk it directly.
        if prefix.count == 1, shadowed.isEmpty, case .field(let name)? = path.first, !policy.ruleRoots.contains(name) {
            guard let base = data[name] else { return }
            return try walk(base, path.dropFirst(), b, k)
        }
        if !shadowed.isEmpty, shadowed.contains(where: { prefix.starts(with: $0) }) {
            guard let base = Self.lookup(data, Array(prefix.dropFirst())) else { return }
            return try walk(base, path, b, k)
        }
        let node = policy.nodes[prefix]
        if let node, let first = node.definitions.first, first.rule.kind != .function {
            guard var value = try ruleValue(prefix, node) else { return }
            if node.hasChildren, node.definitions.contains(where: \.isGeneral) {
                value = try Self.merging(value, try document(prefix), at: first.rule.span)
            }
            return try walk(value, path, b, k)
        }
        guard node?.hasChildren == true else {
            guard let base = Self.lookup(data, Array(prefix.dropFirst())) else { return }
            return try walk(base, path, b, k)
        }
        guard let step = path.first else { return try k(try document(prefix), b) }
        let rest = path.dropFirst()
        switch step {
        case .field(let name):
            try walkData(prefix + [name], rest, b, k)
        case .index(let index) where isGround(index, b):
            try evalTerm(index, b) { (key: Value, b2: Bindings) throws(RegoError) in
                if let name = key.stringValue { try walkData(prefix + [name], rest, b2, k) }
            }
        case .index(let index):
            for name in children(of: prefix) {
                try unifyEach(index, .string(name), b) { (b2: Bindings) throws(RegoError) in try walkData(prefix + [name], rest, b2, k) }
            }
        }
    }

    static func lookup(_ value: Value, _ path: [String]) -> Value? {
        var current = value
        for name in path {
            guard let next = current[name] else { return nil }
            current = next
        }
        return current
    }

    func children(of prefix: [String]) -> [String] {
        var names = Set((Self.lookup(data, Array(prefix.dropFirst()))?.objectValue ?? [:]).keys.compactMap(\.stringValue))
        for path in policy.definitions.keys where path.count > prefix.count && Array(path.prefix(prefix.count)) == prefix {
            names.insert(path[prefix.count])
        }
        for path in policy.prefixes where path.count == prefix.count + 1 && path.starts(with: prefix) { names.insert(path[prefix.count]) }
        return names.sorted()
    }

    /// A package (or partial path) as an object: base data merged with its rules' values.
    func document(_ prefix: [String]) throws(RegoError) -> Value {
        var fields = (Self.lookup(data, Array(prefix.dropFirst()))?.objectValue) ?? [:]
        for name in children(of: prefix) {
            var value: Value?
            try walkData(prefix + [name], [], Bindings()) { (v: Value, _: Bindings) throws(RegoError) in value = v }
            if let value { fields[.string(name)] = value }
        }
        return .object(fields)
    }

    /// Runs `body` with the package and imports of a rule's module in scope.
    func inScope<T>(of definition: CompiledPolicy.Definition, _ body: () throws(RegoError) -> T) throws(RegoError) -> T {
        let saved = currentRule
        currentRule = definition
        defer { currentRule = saved }
        return try body()
    }

    /// The value of the (non-function) rule at `path`, or nil when undefined.
    func ruleValue(_ path: [String], _ node: CompiledPolicy.PathNode) throws(RegoError) -> Value? {
        if let cached = cache[node.index] { return cached }
        if let members = cache.members[node.index] {
            // A set a program iterated without building it (`ruleMembers`).
            let value = Value.set(Set(members.map(\.value)))
            cache[node.index] = value
            return value
        }
        guard !inProgress[node.index] else {
            throw fail(.recursion, "rule \(path.joined(separator: ".")) is recursive")
        }
        inProgress[node.index] = true
        defer { inProgress[node.index] = false }
        let definitions = node.definitions
        let kind = definitions.first { !$0.rule.isDefault }?.kind ?? .complete
        var result: Value?
        if definitions.contains(where: \.isGeneral) {
            result = try generalValue(definitions)
            cache[node.index] = result
            return result
        }
        switch kind {
        case .complete, .function, .partialObject:
            for definition in definitions where !definition.rule.isDefault {
                var value = definition.constant
                if value == nil {
                    if let program = definition.program, runsPrograms {
                        value = try program.completeValue(self)
                    } else {
                        value = try inScope(of: definition, { () throws(RegoError) in try self.completeValue(definition.rule, Bindings()) })
                    }
                }
                if let value {
                    if let result, result != value {
                        throw RegoError(.conflict, "complete rules must not produce multiple outputs", at: definition.rule.span)
                    }
                    result = value
                }
            }
            if result == nil, let fallback = definitions.first(where: \.rule.isDefault) {
                try inScope(of: fallback) { () throws(RegoError) in
                    try evalTerm(fallback.rule.value ?? Term(.boolean(true), span: fallback.rule.span), Bindings()) {
                        (v: Value, _: Bindings) throws(RegoError) in
                        result = v
                    }
                }
            }
        case .partialSet:
            var items: Set<Value> = []
            // Room for a few members up front: growing rehashes every member, and members are
            // often objects, hashed field by field.
            items.reserveCapacity(8)
            for definition in definitions {
                if let program = definition.program, runsPrograms {
                    try program.collectMembers(self, into: &items)
                    continue
                }
                try inScope(of: definition) { () throws(RegoError) in
                    try forEachBody(definition.rule, Bindings()) { (b: Bindings) throws(RegoError) in
                        try forEachValue(definition.rule.key!, b) { (v: Value) throws(RegoError) in items.insert(v) }
                    }
                }
            }
            result = .set(items)
        }
        cache[node.index] = result
        return result
    }

    /// `print(…)`: each argument's value (Rego text, strings as they are, `<undefined>` when it
    /// has none) joined by spaces, to the evaluation's printer; always true.
    func evalPrint(_ arguments: [Term], _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        var parts: [String] = []
        for argument in arguments {
            let value = try firstValue(argument, b)
            parts.append(value.map { $0.stringValue ?? $0.regoText } ?? "<undefined>")
        }
        printer(parts.joined(separator: " "))
        try k(.bool(true), b)
    }

    /// The object rules with variables in their refs build below their static path: each
    /// solution puts its value (or set member) at the keys it computed.
    func generalValue(_ definitions: [CompiledPolicy.Definition]) throws(RegoError) -> Value {
        var result: Value = .emptyObject
        for definition in definitions where !definition.rule.isDefault {
            let rule = definition.rule
            let leaf = definition.leafIsSet ? rule.key! : rule.value ?? Term(.boolean(true), span: rule.span)
            try inScope(of: definition) { () throws(RegoError) in
                if !definition.isGeneral {
                    guard let value = try self.completeValue(rule, Bindings()) else { return }
                    result = try Self.merging(result, value, at: rule.span)
                    return
                }
                try forEachBody(rule, Bindings()) { (b: Bindings) throws(RegoError) in
                    try evalAll(definition.dynamic + [leaf], b) { (values: [Value], _: Bindings) throws(RegoError) in
                        result = try Self.inserting(result, values.dropLast(), values.last!, asMember: definition.leafIsSet, at: rule.span)
                    }
                }
            }
        }
        return result
    }

    static func inserting(_ container: Value?, _ keys: ArraySlice<Value>, _ leaf: Value, asMember: Bool, at span: SourceSpan) throws(RegoError) -> Value {
        guard let key = keys.first else {
            switch (container, asMember) {
            case (nil, true): return .set([leaf])
            case (.set(var items)?, true): items.insert(leaf); return .set(items)
            case (nil, false): return leaf
            case (let existing?, false) where existing == leaf: return leaf
            default: throw RegoError(.conflict, "object keys must be unique", at: span)
            }
        }
        var fields: [Value: Value]
        switch container {
        case nil: fields = [:]
        case .object(let existing)?: fields = existing
        default: throw RegoError(.conflict, "object keys must be unique", at: span)
        }
        fields[key] = try inserting(fields[key], keys.dropFirst(), leaf, asMember: asMember, at: span)
        return .object(fields)
    }

    /// Two documents for one path merged: objects key by key; anything else must be equal.
    static func merging(_ a: Value, _ b: Value, at span: SourceSpan) throws(RegoError) -> Value {
        if a == b { return a }
        if case .set(let left) = a, case .set(let right) = b { return .set(left.union(right)) }
        guard case .object(var left) = a, case .object(let right) = b else {
            throw RegoError(.conflict, "object keys must be unique", at: span)
        }
        for (key, value) in right { left[key] = try left[key].map { (existing: Value) throws(RegoError) in try merging(existing, value, at: span) } ?? value }
        return .object(left)
    }

    /// Calls `k` once per way one of the rule's bodies holds (a rule without a body holds once).
    func forEachBody(_ rule: Rule, _ b: Bindings, _ k: (Bindings) throws(RegoError) -> Void) throws(RegoError) {
        if rule.bodies.isEmpty { return try k(b) }
        for body in rule.bodies { try eval(body, b, k) }
    }

    /// The value a complete rule or function definition produces under `b`, trying `else`
    /// clauses in order; nil when nothing holds. Two different values are a conflict.
    func completeValue(_ rule: Rule, _ b: Bindings) throws(RegoError) -> Value? {
        var result: Value?
        func collect(_ valueTerm: Term?, _ b: Bindings) throws(RegoError) {
            func hold(_ v: Value) throws(RegoError) {
                if let result, result != v {
                    throw RegoError(
                        rule.kind == .function ? .conflict : .conflict,
                        rule.kind == .function
                            ? "functions must not produce multiple outputs for same inputs"
                            : "complete rules must not produce multiple outputs", at: rule.span)
                }
                result = v
            }
            // A rule written without a value has the value `true`.
            guard let valueTerm else { return try hold(.bool(true)) }
            try forEachValue(valueTerm, b, hold)
        }
        try forEachBody(rule, b) { (b2: Bindings) throws(RegoError) in try collect(rule.value, b2) }
        if result != nil { return result }
        for clause in rule.elses {
            if clause.body.isEmpty {
                try collect(clause.value, b)
            } else {
                try eval(clause.body, b) { (b2: Bindings) throws(RegoError) in try collect(clause.value, b2) }
            }
            if result != nil { return result }
        }
        return nil
    }

    /// A call: a function of the policy, or a built-in (resolved by the compiler, or looked up
    /// by name for calls it did not see, such as a `with` replacement's).
    func evalCall(_ function: Term, _ arguments: [Term], term: Term, _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        if case .resolved(let target) = function.kind, mocks.isEmpty {
            switch target {
            case .builtin(let name): if let builtin = Builtins.registry[name] { return try callBuiltin(name, builtin, arguments, term: term, b, k) }
            case .function(let key): if let definitions = policy.functions[key] { return try callFunction(definitions, arguments, term: term, b, k) }
            }
        }
        let named = Self.unresolved(function)
        let scope = self.scope
        let path = scope.functionPath(named)
        let name = Parser.names(of: named).joined(separator: ".")
        if name == "print", policy.definitions[path] == nil { return try evalPrint(arguments, b, k) }
        if name == "rego.metadata.rule", arguments.count <= 1 { return try deliver(metadataRule(), arity: 0, arguments, b, k) }
        if name == "rego.metadata.chain", arguments.count <= 1 { return try deliver(metadataChain(), arity: 0, arguments, b, k) }
        if !mocks.isEmpty, let (key, mock) = mocks[path.joined(separator: ".")].map({ (path.joined(separator: "."), $0) }) ?? mocks[name].map({ (name, $0) }) {
            return try callMock(mock, key: key, named, arguments, term: term, b, k)
        }
        if let definitions = policy.definitions[path], definitions.first?.rule.kind == .function {
            return try callFunction(definitions, arguments, term: term, b, k)
        }
        guard let builtin = Builtins.registry[name] else { throw fail(.type, "undefined function \(name)", at: term) }
        try callBuiltin(name, builtin, arguments, term: term, b, k)
    }

    /// The name a resolved call was written with.
    static func unresolved(_ function: Term) -> Term {
        guard case .resolved(let target) = function.kind else { return function }
        let names: [String]
        switch target {
        case .builtin(let name): names = name.split(separator: ".").map(String.init)
        case .function(let key): names = key.split(separator: ".").map(String.init)
        }
        let head = Term(.variable(names[0]), span: function.span)
        return names.count == 1 ? head : Term(.ref(head: head, path: names.dropFirst().map { .field($0) }), span: function.span)
    }

    /// With one argument more than the function takes, the result is unified with the last
    /// and the call's value is `true`.
    func deliver(_ result: Value, arity: Int, _ arguments: [Term], _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        guard arguments.count > arity else { return try k(result, b) }
        try unifyEach(arguments[arity], result, b) { (next: Bindings) throws(RegoError) in try k(.bool(true), next) }
    }

    func callFunction(
        _ definitions: [CompiledPolicy.Definition], _ arguments: [Term], term: Term, _ b: Bindings,
        _ k: (Value, Bindings) throws(RegoError) -> Void
    ) throws(RegoError) {
        let arity = definitions.first?.rule.arguments.count ?? 0
        try evalAll(Array(arguments.prefix(arity)), b) { (values: [Value], b2: Bindings) throws(RegoError) in
            if let result = try functionValue(definitions, values, term: term) { try deliver(result, arity: arity, arguments, b2, k) }
        }
    }

    /// A policy function's value for these arguments (nil: undefined); two definitions giving
    /// different values are a conflict.
    func functionValue(_ definitions: [CompiledPolicy.Definition], _ values: [Value], term: Term) throws(RegoError) -> Value? {
        var result: Value?
        let stops = Self.stopsAtFirstValue(definitions)
        for definition in definitions where definition.rule.arguments.count == values.count && !definition.rule.isDefault {
            if stops, result != nil { break }
            if let program = definition.program, runsPrograms {
                guard let value = try program.completeValue(self, arguments: values) else { continue }
                if let result, result != value {
                    throw RegoError(.conflict, "functions must not produce multiple outputs for same inputs", at: term.span)
                }
                result = value
                continue
            }
            try inScope(of: definition) { () throws(RegoError) in
                var params: Bindings? = Bindings()
                if let names = definition.parameterNames {
                    for (name, value) in zip(names, values) { params = params?.binding(name, to: value) }
                } else {
                    for (parameter, value) in zip(definition.rule.arguments, values) {
                        params = try params.flatMap { (p: Bindings) throws(RegoError) in try unify(parameter, value, p) }
                    }
                }
                guard let params, let value = try completeValue(definition.rule, params) else { return }
                if let result, result != value {
                    throw RegoError(.conflict, "functions must not produce multiple outputs for same inputs", at: term.span)
                }
                result = value
            }
        }
        if result == nil, let fallback = definitions.first(where: \.rule.isDefault) {
            result = try inScope(of: fallback) { () throws(RegoError) in
                try self.firstValue(fallback.rule.value ?? Term(.boolean(true), span: fallback.rule.span), Bindings())
            }
        }
        return result
    }

    /// Whether a call of the function these are the definitions of ends with the first
    /// definition that holds: all (but defaults) give one and the same constant, so no later
    /// one can conflict, and OPA's early exit does not evaluate them (an error in one is never
    /// raised).
    static func stopsAtFirstValue(_ definitions: [CompiledPolicy.Definition]) -> Bool {
        var first: Value?
        for definition in definitions where !definition.rule.isDefault {
            guard let result = definition.constantResult, first.map({ $0 == result }) ?? true else { return false }
            first = result
        }
        return first != nil
    }

    /// A built-in's answer for these values; nil when it has none, or when it failed and errors
    /// are not strict (OPA's non-strict mode makes the call undefined).
    func run(_ builtin: Builtins.Builtin, named name: String, _ values: [Value], term: Term) throws(RegoError) -> Value? {
        do throws(RegoError) {
            // The clock is read once per evaluation, and only if a built-in asks for it.
            let result = try builtin.run(Builtins.Arguments(name: name, values: values, now: builtin.readsClock ? now : 0, memoryLeft: memoryLeft))
            if let result { try charge(result.shallowCost, at: term) }
            return result
        } catch {
            if strictBuiltinErrors || error.code == .conflict || error.code == .budget {
                throw RegoError(
                    error.code, error.code == .budget && error.span != nil ? error.message : "\(name): \(error.message)", at: error.span ?? term.span)
            }
            return nil
        }
    }

    func callBuiltin(
        _ name: String, _ builtin: Builtins.Builtin, _ arguments: [Term], term: Term, _ b: Bindings,
        _ k: (Value, Bindings) throws(RegoError) -> Void
    ) throws(RegoError) {
        let operands = arguments.count == builtin.arity ? arguments : Array(arguments.prefix(builtin.arity))
        try evalAll(operands, b) { (values: [Value], b2: Bindings) throws(RegoError) in
            let key = builtin.isRemembered ? name + Value.array(values).canonicalJSON : nil
            if let key, let known = remembered[key] { return try deliver(known, arity: builtin.arity, arguments, b2, k) }
            guard let result = try run(builtin, named: name, values, term: term) else { return }
            if let key { remembered[key] = result }
            if builtin.isRelation, case .array(let solutions) = result {
                for solution in solutions { try deliver(solution, arity: builtin.arity, arguments, b2, k) }
            } else {
                try deliver(result, arity: builtin.arity, arguments, b2, k)
            }
        }
    }
}
