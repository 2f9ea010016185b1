import NovaCore

/// A rule definition compiled to closures over numbered variable slots: the fast tier of
/// evaluation. The interpreter (`eval`, `evalTerm`) walks terms and keeps bindings in a list
/// of named nodes; a program has resolved every name, rule and built-in once, when the policy
/// was compiled, and keeps a body's variables in one buffer, indexed.
///
/// Only definitions whose every term has at most one value compile (see
/// `RuleProgram.Compiler`); `some … in` is the one literal that iterates. Anything else — `with`,
/// `every`, comprehensions, unification of composites, references that iterate — leaves the
/// definition to the interpreter, and so does any evaluation inside a `with` that replaces data
/// or functions. Both tiers give the same values, errors and iteration order: a program does
/// what the interpreter's direct path (`direct`, `directLiteral`, `iterate`) does, step for step
/// — but for early exit within a body (`Clause.constant`), which OPA does and the interpreter
/// does not.
final class RuleProgram: Sendable {
    typealias Slots = UnsafeMutablePointer<Value?>
    /// A term's one value under the body's slots; nil when it is undefined.
    typealias Expression = @Sendable (Evaluation, Slots) throws(RegoError) -> Value?

    /// An expression kept in an array (of operands): wrapped, so the array holds the closure
    /// as it is rather than in a generic form reached through conversion thunks.
    struct Operand: Sendable {
        let compute: Expression
    }

    /// A body from some literal on: calls its continuation once per way the literals hold,
    /// and answers false as soon as a continuation asks to stop (true: go on looking).
    typealias Steps = @Sendable (Evaluation, Slots, _ k: () throws(RegoError) -> Bool) throws(RegoError) -> Bool

    /// A body (empty: it holds once) with the value it gives (nil: `true`; for a partial set,
    /// the member), compiled in that body's scope; also an `else` clause.
    struct Clause: Sendable {
        let body: Steps
        let value: Expression?
        /// The value when it is the same for every solution (a constant, or `true`): the first
        /// solution then decides the clause, and the rest are not searched (OPA's early exit).
        let constant: Value?

        var isConstant: Bool { constant != nil }
    }

    let rule: Rule
    let slotCount: Int
    /// A function's parameters are its first slots, in order (`_` has one too, unused).
    let arity: Int
    /// The rule's bodies (one, empty, for a rule written without a body).
    let bodies: [Clause]
    let elses: [Clause]

    init(rule: Rule, slotCount: Int, arity: Int, bodies: [Clause], elses: [Clause]) {
        self.rule = rule
        self.slotCount = max(1, slotCount)
        self.arity = arity
        self.bodies = bodies
        self.elses = elses
    }

    /// The value of a complete rule, or of a function for these arguments.
    func completeValue(_ evaluation: Evaluation, arguments: [Value] = []) throws(RegoError) -> Value? {
        try evaluation.withSlots(slotCount) { (slots: Slots) throws(RegoError) -> Value? in
            for (i, argument) in arguments.prefix(arity).enumerated() { slots[i] = argument }
            return try completeValue(evaluation, in: slots)
        }
    }

    /// The value of a complete rule or function definition (as `Evaluation.completeValue`) in
    /// `slots` (at least `slotCount`, arguments in the first): every solution of every body
    /// must give the same value; then the `else` clauses in order.
    func completeValue(_ evaluation: Evaluation, in slots: Slots) throws(RegoError) -> Value? {
        var result: Value?
        func collect(_ clause: Clause) throws(RegoError) -> Bool {
            let value: Value
            if let term = clause.value {
                guard let computed = try term(evaluation, slots) else { return true }
                value = computed
            } else {
                value = .bool(true)
            }
            if let result, result != value {
                throw RegoError(
                    .conflict,
                    rule.kind == .function
                        ? "functions must not produce multiple outputs for same inputs"
                        : "complete rules must not produce multiple outputs", at: rule.span)
            }
            result = value
            return !clause.isConstant
        }
        for clause in bodies {
            _ = try clause.body(evaluation, slots) { () throws(RegoError) -> Bool in try collect(clause) }
        }
        if result != nil { return result }
        for clause in elses {
            _ = try clause.body(evaluation, slots) { () throws(RegoError) -> Bool in try collect(clause) }
            if result != nil { return result }
        }
        return nil
    }

    /// Adds each member a partial set rule's bodies produce to `items`.
    func collectMembers(_ evaluation: Evaluation, into items: inout Set<Value>) throws(RegoError) {
        try forEachMember(evaluation) { items.insert($0) }
    }

    /// Calls `body` with each member a partial set rule's bodies produce (a member may come
    /// more than once).
    func forEachMember(_ evaluation: Evaluation, _ body: (Value) -> Void) throws(RegoError) {
        try evaluation.withSlots(slotCount) { (slots: Slots) throws(RegoError) in
            for clause in bodies {
                _ = try clause.body(evaluation, slots) { () throws(RegoError) -> Bool in
                    if let member = try clause.value?(evaluation, slots) { body(member) }
                    return !clause.isConstant
                }
            }
        }
    }
}

/// A policy function all of whose definitions compiled (and none is a `default`): a program
/// calls it without an argument array, writing the arguments straight into the slots its
/// definitions share (each takes its parameters from the first ones).
final class FunctionProgram: Sendable {
    let definitions: [RuleProgram]
    let slotCount: Int
    /// Whether every definition gives one and the same constant (`method_ok(p, m) if m in
    /// p.methods` beside `method_ok(p, _) if "*" in p.methods`): the first definition that
    /// holds decides the call, and the others are not evaluated (`Evaluation.stopsAtFirstValue`).
    let stopsAtFirstValue: Bool

    init?(_ definitions: [CompiledPolicy.Definition]) {
        var programs: [RuleProgram] = []
        for definition in definitions {
            guard let program = definition.program, program.arity == definitions[0].rule.arguments.count else { return nil }
            programs.append(program)
        }
        guard !programs.isEmpty else { return nil }
        self.definitions = programs
        slotCount = programs.map(\.slotCount).max()!
        stopsAtFirstValue = Evaluation.stopsAtFirstValue(definitions)
    }

    /// The function's value for the operands' values (nil: undefined, as is the call when an
    /// operand is); definitions giving different values are a conflict (as `functionValue`).
    func call(
        _ evaluation: Evaluation, _ operands: [RuleProgram.Operand], _ callerSlots: RuleProgram.Slots,
        at term: Term
    ) throws(RegoError) -> Value? {
        try evaluation.withSlots(slotCount) { (slots: RuleProgram.Slots) throws(RegoError) -> Value? in
            for (i, operand) in operands.enumerated() {
                guard let value = try operand.compute(evaluation, callerSlots) else { return nil }
                slots[i] = value
            }
            var result: Value?
            for (i, program) in definitions.enumerated() {
                // Each definition numbers its own slots above the arguments: the last one's
                // variables and memos must not be taken for this one's.
                if i > 0 { (slots + program.arity).update(repeating: nil, count: slotCount - program.arity) }
                guard let value = try program.completeValue(evaluation, in: slots) else { continue }
                if stopsAtFirstValue { return value }
                if let result, result != value {
                    throw RegoError(.conflict, "functions must not produce multiple outputs for same inputs", at: term.span)
                }
                result = value
            }
            return result
        }
    }
}

extension Value {
    /// Whether this is `false` (the one value a test literal fails on).
    var isFalse: Bool { if case .bool(false) = self { true } else { false } }
}
