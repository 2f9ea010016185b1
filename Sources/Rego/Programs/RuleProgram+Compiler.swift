import NovaCore

extension RuleProgram {
    /// What compiling a definition needs to know of the whole policy.
    struct Catalog {
        /// Rule paths a reference reads as one value (`Evaluation.plainRule`'s static part), by
        /// path, with their node numbers.
        let plainRules: [[String]: Int]
        /// Policy functions by full path: node number and arity.
        let functions: [String: (node: Int, arity: Int)]
        /// The names below `data` that lead to rules.
        let ruleRoots: Set<String>
    }

    /// Why a definition stays with the interpreter (never shown: it only stops compilation).
    struct Unsupported: Error {}

    /// The definition as a program; nil when it uses anything only the interpreter evaluates.
    static func compile(_ definition: CompiledPolicy.Definition, _ catalog: Catalog) -> RuleProgram? {
        let rule = definition.rule
        guard !rule.isDefault, !definition.isGeneral else { return nil }
        var compiler = Compiler(definition: definition, catalog: catalog)
        do throws(Unsupported) {
            if rule.kind == .function {
                guard let names = definition.parameterNames else { return nil }
                for name in names {
                    if name == "_" { compiler.slotCount += 1 } else { _ = compiler.newSlot(name) }
                }
            }
            let parameters = compiler.scope
            let valueTerm = definition.kind == .partialSet ? rule.key : rule.value
            if definition.kind == .partialSet && valueTerm == nil { return nil }
            func clause(_ body: Body, _ value: Term?) throws(Unsupported) -> Clause {
                compiler.scope = parameters
                let steps = try compiler.body(body)
                return Clause(
                    body: steps, value: try value.map { (term: Term) throws(Unsupported) in try compiler.expression(term) },
                    constant: value == nil ? .bool(true) : value?.constantValue)
            }
            let bodies =
                rule.bodies.isEmpty ? [try clause([], valueTerm)] : try rule.bodies.map { (body: Body) throws(Unsupported) in try clause(body, valueTerm) }
            let elses = try rule.elses.map { (other: Rule.ElseClause) throws(Unsupported) in try clause(other.body, other.value) }
            return RuleProgram(
                rule: rule, slotCount: compiler.slotCount, arity: rule.kind == .function ? rule.arguments.count : 0, bodies: bodies, elses: elses)
        } catch {
            return nil
        }
    }

    /// One literal compiled: given the steps after it, the steps from it on. A struct, so an
    /// array of them holds the closure as it is (an array of bare closures stores them in a
    /// generic form, and every call through one went through two conversion thunks).
    struct Link {
        let attach: (@escaping Steps) -> Steps
    }

    /// Names to slots while one definition compiles.
    struct Compiler {
        let definition: CompiledPolicy.Definition
        let catalog: Catalog
        /// The local variables bound at this point of the body, by slot.
        var scope: [String: Int] = [:]
        /// Slots handed out so far (variables and memos), shared by the copies the clauses use.
        let slots = SlotCounter()
        var slotCount: Int {
            get { slots.count }
            nonmutating set { slots.count = newValue }
        }

        final class SlotCounter {
            var count = 0
        }

        mutating func newSlot(_ name: String) -> Int {
            scope[name] = slotCount
            slotCount += 1
            return slotCount - 1
        }

        func isLocal(_ name: String) -> Bool { !definition.isGlobal(name) }

        /// A body as nested closures, each literal calling the rest.
        mutating func body(_ literals: Body) throws(Unsupported) -> Steps {
            var steps: [Link] = []
            for literal in literals {
                if let step = try step(literal) { steps.append(Link(attach: step)) }
            }
            var rest: Steps = { (_: Evaluation, _: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in try k() }
            for step in steps.reversed() { rest = step.attach(rest) }
            return rest
        }

        /// One literal, as a function of the steps after it (nil for a `some x` declaration).
        mutating func step(_ literal: Literal) throws(Unsupported) -> ((@escaping Steps) -> Steps)? {
            guard literal.with.isEmpty else { throw Unsupported() }
            switch literal.kind {
            case .expression(let term):
                if case .binary(let op, let left, let right) = term.kind, op == .assign || op == .unify {
                    guard case .variable(let name) = left.kind, isLocal(name) else { throw Unsupported() }
                    let value = try expression(right)
                    if name == "_" {
                        return { (next: @escaping Steps) -> Steps in
                            { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                                try evaluation.checkLimits(term)
                                guard try value(evaluation, slots) != nil else { return true }
                                return try next(evaluation, slots, k)
                            }
                        }
                    }
                    if let slot = scope[name] {
                        return { (next: @escaping Steps) -> Steps in
                            { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                                try evaluation.checkLimits(term)
                                guard let v = try value(evaluation, slots), v == slots[slot] else { return true }
                                return try next(evaluation, slots, k)
                            }
                        }
                    }
                    let slot = newSlot(name)
                    return { (next: @escaping Steps) -> Steps in
                        { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                            try evaluation.checkLimits(term)
                            guard let v = try value(evaluation, slots) else { return true }
                            slots[slot] = v
                            return try next(evaluation, slots, k)
                        }
                    }
                }
                let test = try expression(term)
                return { (next: @escaping Steps) -> Steps in
                    { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                        try evaluation.checkLimits(term)
                        guard let v = try test(evaluation, slots), !v.isFalse else { return true }
                        return try next(evaluation, slots, k)
                    }
                }
            case .not(let term):
                if case .binary(let op, _, _) = term.kind, op == .assign || op == .unify { throw Unsupported() }
                let test = try expression(term)
                return { (next: @escaping Steps) -> Steps in
                    { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                        try evaluation.checkLimits(term)
                        if let v = try test(evaluation, slots), !v.isFalse { return true }
                        return try next(evaluation, slots, k)
                    }
                }
            case .some(let terms, nil):
                // `some x` makes `x` a fresh variable from here on.
                for term in terms {
                    guard let name = term.variableName else { throw Unsupported() }
                    scope[name] = nil
                }
                return nil
            case .some(let terms, let collection?):
                return try iteration(terms, collection)
            case .every:
                throw Unsupported()
            }
        }

        /// `some v in xs` / `some k, v in xs` with plain variables: the rest once per member, in
        /// the interpreter's order (a rule's value sorted once per evaluation, `members`).
        mutating func iteration(_ terms: [Term], _ collection: Term) throws(Unsupported) -> (@escaping Steps) -> Steps {
            guard terms.count <= 2, let valueName = terms.last?.variableName, isLocal(valueName) else { throw Unsupported() }
            var keyName: String?
            if terms.count == 2 {
                guard let name = terms[0].variableName, isLocal(name), name == "_" || name != valueName else { throw Unsupported() }
                keyName = name
            }
            // The declared names are fresh: the collection does not see outer ones.
            scope[valueName] = nil
            if let keyName { scope[keyName] = nil }
            let rule: (node: Int, path: [String])? =
                if case .data(let located) = collection.kind {
                    catalog.plainRules[located].map { ($0, located) }
                } else {
                    nil
                }
            let members = try expression(collection)
            let valueSlot = valueName == "_" ? nil : newSlot(valueName)
            let keySlot = keyName.flatMap { $0 == "_" ? nil : newSlot($0) }
            return { (next: @escaping Steps) -> Steps in
                { (evaluation: Evaluation, slots: Slots, k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool in
                    // Each member is a step: nested iterations with nothing between them must still
                    // meet the deadline and the step budget (found by the fuzzer: 50 nested `some`
                    // over a three-field object ran for good).
                    func visit(_ key: Value, _ member: Value) throws(RegoError) -> Bool {
                        try evaluation.checkLimits(collection)
                        if let valueSlot { slots[valueSlot] = member }
                        if let keySlot { slots[keySlot] = key }
                        return try next(evaluation, slots, k)
                    }
                    if let rule {
                        guard let list = try evaluation.ruleMembers(node: rule.node, rule.path) else { return true }
                        for (key, member) in list where !(try visit(key, member)) { return false }
                        return true
                    }
                    guard let value = try members(evaluation, slots) else { return true }
                    switch value {
                    case .array(let items):
                        for (i, item) in items.enumerated() {
                            try evaluation.checkLimits(collection)
                            if let valueSlot { slots[valueSlot] = item }
                            if let keySlot { slots[keySlot] = .int(i) }
                            guard try next(evaluation, slots, k) else { return false }
                        }
                    case .object(let fields):
                        for key in fields.keys.sorted() where !(try visit(key, fields[key]!)) { return false }
                    case .set(let items):
                        for item in items.sorted() where !(try visit(item, item)) { return false }
                    default:
                        break
                    }
                    return true
                }
            }
        }

        /// A term with at most one value, as the interpreter's `direct` computes it.
        func expression(_ term: Term) throws(Unsupported) -> Expression {
            switch term.kind {
            case .array, .set, .object:
                // A literal collection (`["/"]`, `{"PUT", "POST"}`) is built once, here.
                if let value = term.constantValue { return { _, _ in value } }
            default:
                break
            }
            switch term.kind {
            case .null, .boolean, .string, .number:
                let value = Self.scalar(term.kind)
                return { _, _ in value }
            case .variable(let name):
                if let slot = scope[name] { return { _, slots in slots[slot] } }
                if name == "input" { return { evaluation, _ in evaluation.input } }
                throw Unsupported()
            case .ref(let head, let path):
                return try reference(head, path)
            case .data(let located):
                return try document(located)
            case .call(let function, let arguments):
                return try call(function, arguments, term)
            case .binary(let op, let left, let right):
                guard op != .assign, op != .unify else { throw Unsupported() }
                let x = try expression(left), y = try expression(right)
                return { evaluation, slots in
                    guard let a = try x(evaluation, slots), let b = try y(evaluation, slots) else { return nil }
                    return try Operators.apply(op, a, b, at: term)
                }
            case .array(let items):
                let operands = try operands(items)
                return { evaluation, slots in try Self.values(operands, evaluation, slots).map(Value.array) }
            case .set(let items):
                let operands = try operands(items)
                return { evaluation, slots in try Self.values(operands, evaluation, slots).map { .set(Set($0)) } }
            case .object(let pairs):
                let operands = try pairs.map { (pair: (key: Term, value: Term)) throws(Unsupported) in
                    (Operand(compute: try expression(pair.key)), Operand(compute: try expression(pair.value)))
                }
                return { evaluation, slots in
                    var fields: [Value: Value] = [:]
                    for (key, value) in operands {
                        guard let k = try key.compute(evaluation, slots), let v = try value.compute(evaluation, slots) else { return nil }
                        fields[k] = v
                    }
                    return .object(fields)
                }
            case .membership(let key, let element, let collection):
                return try membership(key, element, collection)
            case .negative(let operand):
                let x = try expression(operand)
                return { (evaluation: Evaluation, slots: Slots) throws(RegoError) -> Value? in
                    guard let value = try x(evaluation, slots) else { return nil }
                    guard let n = value.numberValue else {
                        throw evaluation.fail(.evalType, "operand must be a number, got \(value.typeName)", at: term)
                    }
                    return n.exactInt.map { .int(-$0) } ?? .double(-n.doubleValue)
                }
            default:
                throw Unsupported()
            }
        }

        static func scalar(_ kind: Term.Kind) -> Value? {
            switch kind {
            case .null: return .null
            case .boolean(let flag): return .bool(flag)
            case .string(let text): return .string(text)
            case .number(let text):
                if let i = Int(text) { return .int(i) }
                return Double(text).map(Value.double)
            default: return nil
            }
        }

        /// Operands left to right; nil at the first undefined one (those after it are not computed).
        func operands(_ terms: [Term]) throws(Unsupported) -> [Operand] {
            try terms.map { (term: Term) throws(Unsupported) in Operand(compute: try expression(term)) }
        }

        static func values(_ operands: [Operand], _ evaluation: Evaluation, _ slots: Slots) throws(RegoError) -> [Value]? {
            var values: [Value] = []
            values.reserveCapacity(operands.count)
            for operand in operands {
                guard let value = try operand.compute(evaluation, slots) else { return nil }
                values.append(value)
            }
            return values
        }

        /// A rule's value read as a document.
        func document(_ located: [String]) throws(Unsupported) -> Expression {
            guard let node = catalog.plainRules[located] else { throw Unsupported() }
            return { evaluation, _ in try evaluation.ruleValue(node: node, located) }
        }

        /// A reference; one that names only `input`, base `data` or a rule and fields below it
        /// has one value for the whole evaluation, so a body computes it once (in a memo slot,
        /// nil until then: an undefined one is looked up again, and finds nothing again).
        func reference(_ head: Term, _ path: [Term.RefStep]) throws(Unsupported) -> Expression {
            let compute = try lookup(head, path)
            let fieldsOnly = path.allSatisfy { if case .field = $0 { true } else { false } }
            guard fieldsOnly, !path.isEmpty, head.variableName.map({ scope[$0] == nil }) ?? true else { return compute }
            let memo = slotCount
            slotCount += 1
            return { evaluation, slots in
                if let known = slots[memo] { return known }
                let value = try compute(evaluation, slots)
                slots[memo] = value
                return value
            }
        }

        func lookup(_ head: Term, _ path: [Term.RefStep]) throws(Unsupported) -> Expression {
            let base: Expression
            switch head.kind {
            case .variable(let name):
                if let slot = scope[name] {
                    base = { _, slots in slots[slot] }
                } else if name == "input" {
                    base = { evaluation, _ in evaluation.input }
                } else if name == "data", case .field(let root)? = path.first, !catalog.ruleRoots.contains(root) {
                    base = { evaluation, _ in evaluation.data }
                } else {
                    throw Unsupported()
                }
            case .data(let located):
                base = try document(located)
            default:
                throw Unsupported()
            }
            enum Key { case name(Value), term(Expression) }
            let keys = try path.map { (step: Term.RefStep) throws(Unsupported) -> Key in
                switch step {
                case .field(let name): return .name(.string(name))
                case .index(let index): return .term(try expression(index))
                }
            }
            if keys.allSatisfy({ if case .name = $0 { true } else { false } }) {
                let names = keys.map { if case .name(let name) = $0 { name } else { Value.null } }
                // Most references are a name or three after their head: those are unrolled.
                switch names.count {
                case 1:
                    let first = names[0]
                    return { evaluation, slots in
                        guard let root = try base(evaluation, slots) else { return nil }
                        return Evaluation.member(root, first)
                    }
                case 2:
                    let first = names[0], second = names[1]
                    return { evaluation, slots in
                        guard let root = try base(evaluation, slots), let middle = Evaluation.member(root, first) else { return nil }
                        return Evaluation.member(middle, second)
                    }
                case 3:
                    let first = names[0], second = names[1], third = names[2]
                    return { evaluation, slots in
                        guard let root = try base(evaluation, slots), let a = Evaluation.member(root, first),
                            let b = Evaluation.member(a, second)
                        else { return nil }
                        return Evaluation.member(b, third)
                    }
                default:
                    break
                }
                return { evaluation, slots in
                    guard var current = try base(evaluation, slots) else { return nil }
                    for name in names {
                        guard let next = Evaluation.member(current, name) else { return nil }
                        current = next
                    }
                    return current
                }
            }
            return { evaluation, slots in
                guard var current = try base(evaluation, slots) else { return nil }
                for key in keys {
                    let value: Value
                    switch key {
                    case .name(let name): value = name
                    case .term(let index):
                        guard let computed = try index(evaluation, slots) else { return nil }
                        value = computed
                    }
                    guard let next = Evaluation.member(current, value) else { return nil }
                    current = next
                }
                return current
            }
        }

        func call(_ function: Term, _ arguments: [Term], _ term: Term) throws(Unsupported) -> Expression {
            guard case .resolved(let target) = function.kind else { throw Unsupported() }
            switch target {
            case .function(let key):
                guard let callee = catalog.functions[key], callee.arity == arguments.count else { throw Unsupported() }
                let operands = try operands(arguments)
                let node = callee.node
                return { evaluation, slots in
                    try evaluation.checkStack(at: term)
                    if let callee = evaluation.policy.functionPrograms[node] {
                        return try callee.call(evaluation, operands, slots, at: term)
                    }
                    guard let values = try Self.values(operands, evaluation, slots) else { return nil }
                    return try evaluation.functionValue(evaluation.policy.nodeList[node].definitions, values, term: term)
                }
            case .builtin(let name):
                guard let builtin = Builtins.registry[name], !builtin.isRelation, !builtin.isRemembered,
                    arguments.count == builtin.arity
                else { throw Unsupported() }
                let operands = try operands(arguments)
                return { evaluation, slots in
                    guard let values = try Self.values(operands, evaluation, slots) else { return nil }
                    return try evaluation.run(builtin, named: name, values, term: term)
                }
            }
        }

        /// `x in xs` and `k, x in xs`, operands in the interpreter's order: element, collection, key.
        func membership(_ key: Term?, _ element: Term, _ collection: Term) throws(Unsupported) -> Expression {
            let x = try expression(element), xs = try expression(collection)
            guard let key else {
                return { evaluation, slots in
                    guard let member = try x(evaluation, slots), let container = try xs(evaluation, slots) else { return nil }
                    switch container {
                    case .array(let items): return .bool(items.contains(member))
                    case .set(let items): return .bool(items.contains(member))
                    case .object(let fields): return .bool(fields.values.contains(member))
                    default: return .bool(false)
                    }
                }
            }
            let k = try expression(key)
            return { evaluation, slots in
                guard let member = try x(evaluation, slots), let container = try xs(evaluation, slots),
                    let wanted = try k(evaluation, slots)
                else { return nil }
                var found = false
                try evaluation.forEachMember(of: container) { (memberKey: Value, value: Value) throws(RegoError) in
                    if !found, value == member, memberKey == wanted { found = true }
                }
                return .bool(found)
            }
        }
    }
}
