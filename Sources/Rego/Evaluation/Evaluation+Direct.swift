import NovaCore

extension Evaluation {
    /// What evaluating a term without continuations gave: its one value, nothing (undefined),
    /// or `iterates` when the term can take several values or needs the general path (an
    /// unbound variable, a comprehension, a relation built-in, a `with` mock…).
    enum Direct {
        case value(Value)
        case undefined
        case iterates
    }

    /// The value of a term that can have at most one: scalars, bound variables, `input`, base
    /// `data` and rules, references with named or bound index steps, built-in and policy
    /// function calls, operators and membership over such terms, and composites of them. Most
    /// terms of a policy are of this kind; computing them directly spares a continuation
    /// closure and a bindings pass per sub-term.
    ///
    /// The general path gives the same value: sub-terms are evaluated left to right, and the
    /// first undefined one makes the whole undefined before anything to its right is looked at
    /// (so errors surface exactly as they would there). A term found to iterate part way is
    /// evaluated again by the general path; what was computed before has no side effects (rule
    /// values are cached, random built-ins remembered, `print` never taken here).
    func direct(_ term: Term, _ b: Bindings) throws(RegoError) -> Direct {
        // What ends the evaluation of operands early: undefined, or iterates.
        var stop = Direct.iterates
        switch term.kind {
        case .null: return .value(.null)
        case .boolean(let flag): return .value(.bool(flag))
        case .string(let text): return .value(.string(text))
        case .number(let text):
            if let i = Int(text) { return .value(.int(i)) }
            return Double(text).map { .value(.double($0)) } ?? .undefined
        case .variable(let name):
            if let value = b[name] { return .value(value) }
            if name == "input" { return input.map(Direct.value) ?? .undefined }
            return .iterates
        case .ref(let head, let path):
            var current: Value
            switch head.kind {
            case .variable(let name):
                if let value = b[name] {
                    current = value
                } else if name == "input" {
                    guard let input else { return .undefined }
                    current = input
                } else if name == "data", shadowed.isEmpty, case .field(let root)? = path.first, !policy.ruleRoots.contains(root) {
                    // Base data no rule lives under (as `walkData` reads it).
                    current = data
                } else {
                    return .iterates
                }
            case .data(let located):
                switch try ruleDocument(located) {
                case .value(let value): current = value
                case .undefined: return .undefined
                case .iterates: return .iterates
                }
            default:
                return .iterates
            }
            for step in path {
                let key: Value
                switch step {
                case .field(let name): key = .string(name)
                case .index(let index):
                    switch try direct(index, b) {
                    case .value(let value): key = value
                    case .undefined: return .undefined
                    case .iterates: return .iterates
                    }
                }
                guard let next = Self.member(current, key) else { return .undefined }
                current = next
            }
            return .value(current)
        case .data(let located):
            return try ruleDocument(located)
        case .call(let function, let arguments):
            if mocks.isEmpty, case .resolved(.function(let key)) = function.kind, let definitions = policy.functions[key],
                arguments.count == definitions.first?.rule.arguments.count
            {
                // A policy function has one value per argument list (two are a conflict).
                try checkStack(at: term)
                guard let values = try directOperands(arguments, b, &stop) else { return stop }
                return try functionValue(definitions, values, term: term).map(Direct.value) ?? .undefined
            }
            guard mocks.isEmpty, case .resolved(.builtin(let name)) = function.kind, let builtin = Builtins.registry[name],
                !builtin.isRelation, !builtin.isRemembered, arguments.count == builtin.arity
            else { return .iterates }
            guard let values = try directOperands(arguments, b, &stop) else { return stop }
            return try run(builtin, named: name, values, term: term).map(Direct.value) ?? .undefined
        case .binary(let op, let left, let right):
            guard op != .assign, op != .unify else { return .iterates }
            guard let (x, y) = try directPair(left, right, b, &stop) else { return stop }
            return try Operators.apply(op, x, y, at: term).map(Direct.value) ?? .undefined
        case .array(let items):
            guard let values = try directOperands(items, b, &stop) else { return stop }
            return .value(.array(values))
        case .set(let items):
            guard let values = try directOperands(items, b, &stop) else { return stop }
            return .value(.set(Set(values)))
        case .object(let pairs):
            var fields: [Value: Value] = [:]
            for pair in pairs {
                guard let (key, value) = try directPair(pair.key, pair.value, b, &stop) else { return stop }
                fields[key] = value
            }
            return .value(.object(fields))
        case .membership(let key, let element, let collection):
            // Operands in the general path's order: the element, the collection, the key.
            guard let (member, container) = try directPair(element, collection, b, &stop) else { return stop }
            guard let key else {
                switch container {
                case .array(let items): return .value(.bool(items.contains(member)))
                case .set(let items): return .value(.bool(items.contains(member)))
                case .object(let fields): return .value(.bool(fields.values.contains(member)))
                default: return .value(.bool(false))
                }
            }
            let wanted: Value
            switch try direct(key, b) {
            case .value(let value): wanted = value
            case .undefined: return .undefined
            case .iterates: return .iterates
            }
            var found = false
            try forEachMember(of: container) { (memberKey: Value, value: Value) throws(RegoError) in
                if !found, value == member, memberKey == wanted { found = true }
            }
            return .value(.bool(found))
        default:
            return .iterates
        }
    }

    /// Each value `term` takes under `b` (without a continuation when it has at most one).
    func forEachValue(_ term: Term, _ b: Bindings, _ body: (Value) throws(RegoError) -> Void) throws(RegoError) {
        switch try direct(term, b) {
        case .value(let value): try body(value)
        case .undefined: return
        case .iterates: try evalTerm(term, b) { (value: Value, _: Bindings) throws(RegoError) in try body(value) }
        }
    }

    /// Operands' values, left to right; nil when one is undefined or iterates, which `stop`
    /// then says (the terms after it are not looked at).
    func directOperands(_ terms: [Term], _ b: Bindings, _ stop: inout Direct) throws(RegoError) -> [Value]? {
        var values: [Value] = []
        values.reserveCapacity(terms.count)
        for term in terms {
            let outcome = try direct(term, b)
            guard case .value(let value) = outcome else {
                stop = outcome
                return nil
            }
            values.append(value)
        }
        return values
    }

    /// Two operands' values (the first evaluated first), or nil as `directOperands`.
    func directPair(_ first: Term, _ second: Term, _ b: Bindings, _ stop: inout Direct) throws(RegoError) -> (Value, Value)? {
        let x = try direct(first, b)
        guard case .value(let left) = x else { stop = x; return nil }
        let y = try direct(second, b)
        guard case .value(let right) = y else { stop = y; return nil }
        return (left, right)
    }

    /// A located `data` document (a rule, below a package) for the direct path: the rule's
    /// value when it is a plain rule, `iterates` for anything `walkData` must assemble (a
    /// package, rules merged with deeper ones, documents a `with` replaced).
    func ruleDocument(_ located: [String]) throws(RegoError) -> Direct {
        guard let node = plainRule(located) else { return .iterates }
        return try ruleDocument(located, node)
    }

    /// The node of a plain rule at `located`; nil for anything `walkData` must assemble.
    func plainRule(_ located: [String]) -> CompiledPolicy.PathNode? {
        guard located.count > 1, shadowed.isEmpty, let node = policy.nodes[located], let first = node.definitions.first,
            first.rule.kind != .function, !(node.hasChildren && node.definitions.contains(where: \.isGeneral))
        else { return nil }
        return node
    }

    func ruleDocument(_ located: [String], _ node: CompiledPolicy.PathNode) throws(RegoError) -> Direct {
        // Rules reading rules recurse here without passing `evalTerm`'s check.
        try checkStack()
        return try ruleValue(located, node).map(Direct.value) ?? .undefined
    }
}

extension Evaluation {
    /// How a body literal came out without continuations.
    enum DirectLiteral {
        case holds(Bindings)
        case fails
        /// It may hold several ways (or needs the general path to tell).
        case general
    }

    /// A literal whose term has at most one value: `x := term` (or `x = term`) with `x` a
    /// plain variable, a test `term`, `not term`, and `some x` declarations.
    func directLiteral(_ kind: Literal.Kind, _ b: Bindings) throws(RegoError) -> DirectLiteral {
        switch kind {
        case .expression(let term):
            try checkLimits(term)
            if case .binary(let op, let left, let right) = term.kind, op == .assign || op == .unify {
                guard case .variable(let name) = left.kind, !isGlobal(name) else { return .general }
                switch try direct(right, b) {
                case .value(let value):
                    if name == "_" { return .holds(b) }
                    if let bound = b[name] { return bound == value ? .holds(b) : .fails }
                    return .holds(b.binding(name, to: value))
                case .undefined: return .fails
                case .iterates: return .general
                }
            }
            switch try direct(term, b) {
            case .value(let value): return value != .bool(false) ? .holds(b) : .fails
            case .undefined: return .fails
            case .iterates: return .general
            }
        case .not(let term):
            try checkLimits(term)
            if case .binary(let op, _, _) = term.kind, op == .assign || op == .unify { return .general }
            switch try direct(term, b) {
            case .value(let value): return value != .bool(false) ? .fails : .holds(b)
            case .undefined: return .holds(b)
            case .iterates: return .general
            }
        case .some(let terms, nil):
            return .holds(b.removing(terms.compactMap(\.variableName)))
        default:
            return .general
        }
    }

    /// `some x in xs` (or `some k, x in xs`) with plain local variables over a collection that
    /// has one value: each member in the general path's order, bound without unification.
    /// False when the general path must take it (its collection iterates, say).
    func iterate(_ terms: [Term], in collection: Term, _ b: Bindings, then k: (Bindings) throws(RegoError) -> Void) throws(RegoError) -> Bool {
        guard let valueName = terms.last?.variableName, !isGlobal(valueName) else { return false }
        var keyName: String?
        if terms.count == 2 {
            guard let name = terms[0].variableName, !isGlobal(name), name == "_" || name != valueName else { return false }
            keyName = name
        }
        let fresh = b.removing(keyName.map { [$0, valueName] } ?? [valueName])
        // A rule's value is iterated in the order sorted once per evaluation (`members`).
        var rule: Int?
        let outcome: Direct
        if case .data(let located) = collection.kind, let node = plainRule(located) {
            (rule, outcome) = (node.index, try ruleDocument(located, node))
        } else {
            outcome = try direct(collection, fresh)
        }
        switch outcome {
        case .value(let value):
            func visit(_ key: Value, _ member: Value) throws(RegoError) {
                try checkLimits(collection)
                var next = fresh.binding(valueName, to: member)
                if let keyName { next = next.binding(keyName, to: key) }
                try k(next)
            }
            if let rule {
                for (key, member) in members(of: value, rule: rule) { try visit(key, member) }
            } else {
                try forEachMember(of: value) { (key: Value, member: Value) throws(RegoError) in try visit(key, member) }
            }
        case .undefined: break
        case .iterates: return false
        }
        return true
    }

    /// A rule value's members in `forEachMember`'s order, sorted once per evaluation.
    func members(of value: Value, rule index: Int) -> [(key: Value, value: Value)] {
        if let known = cache.members[index] { return known }
        let members: [(key: Value, value: Value)]
        switch value {
        case .array(let items): members = items.enumerated().map { (.int($0.offset), $0.element) }
        case .object(let fields): members = fields.keys.sorted().map { ($0, fields[$0]!) }
        case .set(let items): members = items.sorted().map { ($0, $0) }
        default: members = []
        }
        cache.members[index] = members
        return members
    }
}
