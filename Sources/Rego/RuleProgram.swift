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
/// what the interpreter's direct path (`direct`, `directLiteral`, `iterate`) does, step for step.
final class RuleProgram: Sendable {
    typealias Slots = UnsafeMutablePointer<Value?>
    /// A term's one value under the body's slots; nil when it is undefined.
    typealias Expression = @Sendable (Evaluation, Slots) throws(RegoError) -> Value?

    /// One literal of a body. Each keeps its term for errors and `checkLimits`.
    enum Step: Sendable {
        /// A term that must be defined and not false.
        case test(Expression, Term)
        /// `not term`: holds when the term is undefined or false.
        case negated(Expression, Term)
        /// `x := term` (or `x = term`) with `x` unbound here: the slot takes the value (no slot
        /// for `_`, whose value must still be defined).
        case bind(Int?, Expression, Term)
        /// `x := term` with `x` already bound: the values must be equal.
        case equal(Int, Expression, Term)
        /// `some v in xs` / `some k, v in xs`: the rest of the body once per member. `rule`
        /// names the rule whose value `xs` is, whose members are sorted once per evaluation.
        case iterate(value: Int?, key: Int?, Expression, rule: Int?, Term)
    }

    /// A body (empty: it holds once) with the value it gives (nil: `true`; for a partial set,
    /// the member), compiled in that body's scope; also an `else` clause.
    struct Clause: Sendable {
        let body: [Step]
        let value: Expression?
    }

    let rule: Rule
    let slotCount: Int
    /// Where a function's arguments go (nil for `_`), in order.
    let parameterSlots: [Int?]
    /// The rule's bodies (one, empty, for a rule written without a body).
    let bodies: [Clause]
    let elses: [Clause]

    init(rule: Rule, slotCount: Int, parameterSlots: [Int?], bodies: [Clause], elses: [Clause]) {
        self.rule = rule
        self.slotCount = max(1, slotCount)
        self.parameterSlots = parameterSlots
        self.bodies = bodies
        self.elses = elses
    }

    /// Runs `body` with a fresh slot buffer holding `arguments` in the parameters' slots.
    func withSlots<T>(_ arguments: [Value], _ body: (Slots) throws(RegoError) -> T) throws(RegoError) -> T {
        let slots = Slots.allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        defer {
            slots.deinitialize(count: slotCount)
            slots.deallocate()
        }
        for (slot, argument) in zip(parameterSlots, arguments) {
            if let slot { slots[slot] = argument }
        }
        return try body(slots)
    }

    /// The value of a complete rule or function definition (as `Evaluation.completeValue`):
    /// every solution of every body must give the same value; then the `else` clauses in order.
    func completeValue(_ evaluation: Evaluation, arguments: [Value] = []) throws(RegoError) -> Value? {
        try withSlots(arguments) { (slots: Slots) throws(RegoError) -> Value? in
            var result: Value?
            func collect(_ term: Expression?) throws(RegoError) {
                let value: Value
                if let term {
                    guard let computed = try term(evaluation, slots) else { return }
                    value = computed
                } else {
                    value = .bool(true)
                }
                if let result, result != value {
                    throw RegoError(.conflict, rule.kind == .function ? "functions must not produce multiple outputs for same inputs"
                                                                     : "complete rules must not produce multiple outputs", at: rule.span)
                }
                result = value
            }
            for clause in bodies {
                try Self.run(clause.body, from: 0, evaluation, slots) { () throws(RegoError) in try collect(clause.value) }
            }
            if result != nil { return result }
            for clause in elses {
                try Self.run(clause.body, from: 0, evaluation, slots) { () throws(RegoError) in try collect(clause.value) }
                if result != nil { return result }
            }
            return nil
        }
    }

    /// Adds each member a partial set rule's bodies produce to `items`.
    func collectMembers(_ evaluation: Evaluation, into items: inout Set<Value>) throws(RegoError) {
        try withSlots([]) { (slots: Slots) throws(RegoError) in
            for clause in bodies {
                try Self.run(clause.body, from: 0, evaluation, slots) { () throws(RegoError) in
                    if let member = try clause.value?(evaluation, slots) { items.insert(member) }
                }
            }
        }
    }

    /// Runs a body's steps from `start`, calling `k` once per way they all hold. Steps that hold
    /// at most one way run in a loop; an iteration runs the rest once per member.
    static func run(_ steps: [Step], from start: Int, _ evaluation: Evaluation, _ slots: Slots,
                    _ k: () throws(RegoError) -> Void) throws(RegoError) {
        var index = start
        while index < steps.count {
            switch steps[index] {
            case .test(let term, let source):
                try evaluation.checkLimits(source)
                guard let value = try term(evaluation, slots), !value.isFalse else { return }
            case .negated(let term, let source):
                try evaluation.checkLimits(source)
                if let value = try term(evaluation, slots), !value.isFalse { return }
            case .bind(let slot, let term, let source):
                try evaluation.checkLimits(source)
                guard let value = try term(evaluation, slots) else { return }
                if let slot { slots[slot] = value }
            case .equal(let slot, let term, let source):
                try evaluation.checkLimits(source)
                guard let value = try term(evaluation, slots), value == slots[slot] else { return }
            case .iterate(let valueSlot, let keySlot, let term, let rule, _):
                guard let collection = try term(evaluation, slots) else { return }
                let next = index + 1
                func visit(_ key: Value, _ member: Value) throws(RegoError) {
                    if let valueSlot { slots[valueSlot] = member }
                    if let keySlot { slots[keySlot] = key }
                    try run(steps, from: next, evaluation, slots, k)
                }
                if let rule {
                    for (key, member) in evaluation.members(of: collection, rule: rule) { try visit(key, member) }
                } else {
                    try evaluation.forEachMember(of: collection, visit)
                }
                return
            }
            index += 1
        }
        try k()
    }
}

extension Value {
    /// Whether this is `false` (the one value a test literal fails on).
    var isFalse: Bool { if case .bool(false) = self { true } else { false } }
}
