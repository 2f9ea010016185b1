extension Builtins {
    /// Built-ins whose answer depends on more than their arguments: the clock, the network,
    /// randomness or the runtime. A decision that calls one cannot be reused for the same input.
    static let nondeterministic: Set<String> = Set(registry.filter { $0.value.readsClock || $0.value.isRemembered }.keys)
        .union(["http.send", "net.lookup_ip_addr", "opa.runtime", "io.jwt.decode_verify"])
}

extension CompiledPolicy {
    /// The built-ins the policy's rules call, as the compiler resolved them.
    public var calledBuiltins: Set<String> {
        var names: Set<String> = []
        for definition in definitions.values.joined() { Self.collectBuiltins(in: definition.rule, into: &names) }
        return names
    }

    /// Whether every answer depends only on the input and data: no built-in that reads the
    /// clock, the network, randomness or the runtime is called (so answers may be cached).
    public var isDeterministic: Bool { calledBuiltins.isDisjoint(with: Builtins.nondeterministic) }

    static func collectBuiltins(in rule: Rule, into names: inout Set<String>) {
        var terms = rule.arguments + [rule.ref] + [rule.key, rule.value].compactMap { $0 }
        var bodies = rule.bodies
        for clause in rule.elses {
            terms += [clause.value].compactMap { $0 }
            bodies.append(clause.body)
        }
        var walker = BuiltinCollector()
        terms.forEach { walker.visit($0) }
        bodies.forEach { walker.visit($0) }
        names.formUnion(walker.names)
    }
}

/// Walks terms and bodies, collecting the names of the built-ins called (iteratively: the
/// parser bounds depth, but a walk should not need the stack it bounds).
private struct BuiltinCollector {
    var names: Set<String> = []
    private var pending: [Term] = []

    mutating func visit(_ body: Body) {
        for literal in body {
            switch literal.kind {
            case .expression(let t), .not(let t): pending.append(t)
            case .some(let ts, let domain): pending += ts + [domain].compactMap { $0 }
            case .every(let key, let value, let domain, let inner):
                pending += [key, value, domain].compactMap { $0 }
                visit(inner)
            }
            for w in literal.with { pending += [w.target, w.value] }
        }
        drain()
    }

    mutating func visit(_ term: Term) {
        pending.append(term)
        drain()
    }

    private mutating func drain() {
        while let term = pending.popLast() {
            switch term.kind {
            case .null, .boolean, .number, .string, .variable, .data: break
            case .resolved(.builtin(let name)): names.insert(name)
            case .resolved(.function): break
            case .ref(let head, let path):
                pending.append(head)
                for step in path { if case .index(let t) = step { pending.append(t) } }
            case .array(let ts), .set(let ts): pending += ts
            case .object(let pairs): for pair in pairs { pending += [pair.key, pair.value] }
            case .arrayComprehension(let t, let body), .setComprehension(let t, let body):
                pending.append(t)
                visit(body)
            case .objectComprehension(let k, let v, let body):
                pending += [k, v]
                visit(body)
            case .call(let function, let arguments):
                if let name = Self.dottedName(function), Builtins.registry[name] != nil { names.insert(name) }
                pending.append(function)
                pending += arguments
            case .binary(_, let a, let b): pending += [a, b]
            case .membership(let key, let value, let collection): pending += [key, value, collection].compactMap { $0 }
            case .negative(let t): pending.append(t)
            case .template(let parts): for part in parts { if case .expression(let t) = part { pending.append(t) } }
            }
        }
    }

    /// `time.now_ns` from the reference `time.now_ns` (a call the compiler left unresolved).
    static func dottedName(_ term: Term) -> String? {
        switch term.kind {
        case .variable(let name): return name
        case .ref(let head, let path):
            guard var name = head.variableName else { return nil }
            for step in path {
                guard case .field(let field) = step else { return nil }
                name += "." + field
            }
            return name
        case .resolved(.builtin(let name)): return name
        default: return nil
        }
    }
}
