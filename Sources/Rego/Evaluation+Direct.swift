import NovaCore

extension Evaluation {
    /// What evaluating a term without continuations gave: its one value, nothing (undefined),
    /// or `iterates` when the term can take several values or needs the general path (an
    /// unbound variable, a comprehension, a policy function, a `with` mock…).
    enum Direct {
        case value(Value)
        case undefined
        case iterates
    }

    /// The value of a term that can have at most one: scalars, bound variables, `input`,
    /// references with named or ground index steps, built-in calls and operators over such
    /// terms, and composites of them. Most terms of a policy are of this kind; computing them
    /// directly spares a continuation closure and a bindings pass per sub-term.
    ///
    /// The general path gives the same value: sub-terms are evaluated left to right, and the
    /// first undefined one makes the whole undefined before anything to its right is looked at
    /// (so errors surface exactly as they would there). A term found to iterate part way is
    /// evaluated again by the general path; what was computed before has no side effects (rule
    /// values are cached, random built-ins remembered, `print` never taken here).
    func direct(_ term: Term, _ b: Bindings) throws(RegoError) -> Direct {
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
            guard mocks.isEmpty, case .resolved(.builtin(let name)) = function.kind, let builtin = Builtins.registry[name],
                  !builtin.isRelation, !builtin.isRemembered, arguments.count == builtin.arity else { return .iterates }
            var values: [Value] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments {
                switch try direct(argument, b) {
                case .value(let value): values.append(value)
                case .undefined: return .undefined
                case .iterates: return .iterates
                }
            }
            let result: Value?
            do throws(RegoError) {
                result = try builtin.run(Builtins.Arguments(name: name, values: values, now: builtin.readsClock ? now : 0))
            } catch {
                if strictBuiltinErrors || error.code == .conflict { throw RegoError(error.code, "\(name): \(error.message)", at: term.span) }
                return .undefined
            }
            return result.map(Direct.value) ?? .undefined
        case .binary(let op, let left, let right):
            guard op != .assign, op != .unify else { return .iterates }
            let x: Value, y: Value
            switch try direct(left, b) {
            case .value(let value): x = value
            case .undefined: return .undefined
            case .iterates: return .iterates
            }
            switch try direct(right, b) {
            case .value(let value): y = value
            case .undefined: return .undefined
            case .iterates: return .iterates
            }
            return try Operators.apply(op, x, y, at: term).map(Direct.value) ?? .undefined
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items {
                switch try direct(item, b) {
                case .value(let value): values.append(value)
                case .undefined: return .undefined
                case .iterates: return .iterates
                }
            }
            return .value(.array(values))
        default:
            return .iterates
        }
    }

    /// A located `data` document (a rule, below a package) for the direct path: the rule's
    /// value when it is a plain rule, `iterates` for anything `walkData` must assemble (a
    /// package, rules merged with deeper ones, documents a `with` replaced).
    func ruleDocument(_ located: [String]) throws(RegoError) -> Direct {
        guard located.count > 1, shadowed.isEmpty, let node = policy.nodes[located], let first = node.definitions.first,
              first.rule.kind != .function, !(node.hasChildren && node.definitions.contains(where: \.isGeneral)) else { return .iterates }
        return try ruleValue(located, node).map(Direct.value) ?? .undefined
    }
}
