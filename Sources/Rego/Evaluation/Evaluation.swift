import Foundation
import NovaCore

/// One evaluation of a query against a compiled policy: top-down, with backtracking through
/// continuation closures (each literal calls the rest of the body once per way it can hold).
///
/// Not shared between tasks: each query evaluation makes its own. Rule values are cached for
/// the evaluation (cleared while a `with` replaces the input).
final class Evaluation {
    let policy: CompiledPolicy
    var input: Value?
    /// `data`'s base documents, as `with data… as` may have replaced parts of them.
    var data: Value
    /// Paths of `data` a `with` replaced: rules below them are hidden by the replacement.
    var shadowed: Set<[String]> = []
    /// Functions a `with` replaced, by built-in name or full rule path.
    var mocks: [String: Mock] = [:]
    /// Rule values computed in this evaluation, by rule path number (`CompiledPolicy.nodes`).
    var cache: RuleCache
    /// The rules being computed, by the same number (a rule met again is recursion). Not part
    /// of what `with` sets aside: a rule in progress outside it is still in progress inside.
    let inProgress: UnsafeMutablePointer<Bool>
    /// The evaluation's time in nanoseconds since the epoch (`time.now_ns()`): read when a
    /// built-in first asks for it, then the same for the rest of the evaluation.
    lazy var now = Int(Date().timeIntervalSince1970 * 1_000_000_000)
    /// The rule being evaluated: its package is the one plain names refer to, with its import
    /// aliases and global names (nil in a query: no package). Also `rego.metadata.*`'s rule.
    var currentRule: CompiledPolicy.Definition?
    /// Answers of random built-ins, so one evaluation sees one value per argument list.
    var remembered: [String: Value] = [:]
    /// When evaluation must stop (`eval_cancel_error`), checked every few thousand steps
    /// together with the calling task's cancellation.
    var deadline: ContinuousClock.Instant?
    var steps = 0
    /// Steps allowed in all (`PreparedQuery.Limits.steps`).
    var stepLimit = PreparedQuery.Limits.defaultSteps
    /// Bytes built-ins may still make (`PreparedQuery.Limits.memoryBytes`).
    var memoryLeft = PreparedQuery.Limits.defaultMemoryBytes
    /// Where `print` writes: standard error unless the caller says otherwise.
    var printer: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    /// How far down the stack evaluation may go on this thread (see `StackGuard`).
    let stackFloor = StackGuard.floor()
    /// The package whose rules plain names refer to, and its import aliases (the current rule's).
    var package: [String] { currentRule?.package ?? [] }
    var aliases: [String: Term] { currentRule?.aliases ?? [:] }
    /// Whether a built-in's error stops evaluation (OPA's strict mode) or makes the call undefined.
    var strictBuiltinErrors = false

    /// Variable slots of the programs running (`withSlots`), as a stack: a call
    /// takes its slots above its caller's and gives them back when it returns. Uninitialised
    /// but for the slots in use.
    let slotStack = UnsafeMutablePointer<Value?>.allocate(capacity: Evaluation.slotStackCapacity)
    var slotTop = 0
    /// As many slots as fit in a kilobyte: enough for most policies, and small enough for the
    /// allocator's per-thread cache (a larger block per evaluation showed in profiles).
    static let slotStackCapacity = 1024 / MemoryLayout<Value?>.stride

    init(policy: CompiledPolicy, input: Value?) {
        self.policy = policy
        self.input = input
        self.data = policy.data
        cache = RuleCache(count: policy.nodes.count)
        inProgress = .allocate(capacity: max(1, policy.nodes.count))
        inProgress.initialize(repeating: false, count: max(1, policy.nodes.count))
    }

    /// Runs `body` with `count` fresh (nil) slots from the slot stack, or allocated when it
    /// has no room left.
    func withSlots<T>(_ count: Int, _ body: (UnsafeMutablePointer<Value?>) throws(RegoError) -> T) throws(RegoError) -> T {
        let top = slotTop
        let fits = top + count <= Self.slotStackCapacity
        let slots = fits ? slotStack + top : .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
        if fits { slotTop = top + count }
        defer {
            slots.deinitialize(count: count)
            if fits { slotTop = top } else { slots.deallocate() }
        }
        return try body(slots)
    }

    deinit {
        slotStack.deallocate()
        inProgress.deallocate()
    }

    /// Stops a runaway evaluation: past the deadline, or when the calling task was cancelled.
    func checkLimits(_ term: Term) throws(RegoError) {
        steps &+= 1
        guard steps & 4095 == 0 else { return }
        if steps > stepLimit { throw fail(.budget, "evaluation exceeded its budget of \(stepLimit) steps", at: term) }
        if let deadline, ContinuousClock.now > deadline { throw fail(.cancelled, "evaluation exceeded its time budget", at: term) }
        if withUnsafeCurrentTask(body: { $0?.isCancelled ?? false }) { throw fail(.cancelled, "evaluation cancelled", at: term) }
    }

    func apply(_ limits: PreparedQuery.Limits) {
        deadline = limits.deadline
        stepLimit = limits.steps
        memoryLeft = limits.memoryBytes
    }

    /// Takes `bytes` from the memory budget, or stops the evaluation.
    func charge(_ bytes: Int, at term: Term) throws(RegoError) {
        memoryLeft -= bytes
        if memoryLeft < 0 { throw fail(.budget, "evaluation exceeded its memory budget", at: term) }
    }

    func fail(_ code: RegoError.Code, _ message: String, at term: Term? = nil) -> RegoError {
        RegoError(code, message, at: term?.span)
    }

    // MARK: - Bodies

    func eval(_ body: Body, from start: Int = 0, _ b: Bindings, _ k: (Bindings) throws(RegoError) -> Void) throws(RegoError) {
        // Literals that hold at most one way are decided in a loop (see `directLiteral`); the
        // first that may hold several ways continues through continuations.
        var index = start
        var b = b
        decided: while index < body.count, body[index].with.isEmpty {
            switch try directLiteral(body[index].kind, b) {
            case .holds(let next): b = next; index += 1
            case .fails: return
            case .general:
                if case .some(let terms, let collection?) = body[index].kind,
                    try iterate(terms, in: collection, b, then: { (next: Bindings) throws(RegoError) in try eval(body, from: index + 1, next, k) })
                {
                    return
                }
                break decided
            }
        }
        guard index < body.count else { return try k(b) }
        let literal = body[index]
        guard !literal.with.isEmpty else {
            return try evalLiteral(literal, b) { (next: Bindings) throws(RegoError) in try eval(body, from: index + 1, next, k) }
        }
        try withModifiers(literal.with, b) { (rest: (Bindings) throws(RegoError) -> Void) throws(RegoError) in
            try evalLiteral(literal, b, rest)
        } then: { (next: Bindings) throws(RegoError) in
            try eval(body, from: index + 1, next, k)
        }
    }

    func evalLiteral(_ literal: Literal, _ b: Bindings, _ k: (Bindings) throws(RegoError) -> Void) throws(RegoError) {
        switch literal.kind {
        case .expression(let term):
            try evalExpression(term, b, k)
        case .not(let term):
            var holds = false
            try evalExpression(term, b) { (_: Bindings) throws(RegoError) in holds = true }
            if !holds { try k(b) }
        case .some(let terms, nil):
            try k(b.removing(terms.compactMap(\.variableName)))
        case .some(let terms, let collection?):
            let fresh = b.removing(terms.flatMap { variables(in: $0) })
            try evalTerm(collection, fresh) { (value: Value, b: Bindings) throws(RegoError) in
                try forEachMember(of: value) { (key: Value, member: Value) throws(RegoError) in
                    try unifyEach(terms.last!, member, b) { (next: Bindings) throws(RegoError) in
                        if terms.count == 2 { try unifyEach(terms[0], key, next, k) } else { try k(next) }
                    }
                }
            }
        case .every(let key, let value, let domain, let body):
            // An undefined domain, or one that is not a collection, makes `every` false.
            try evalTerm(domain, b) { (collection: Value, b: Bindings) throws(RegoError) in
                switch collection {
                case .array, .set, .object: break
                default: return
                }
                var holds = true
                try forEachMember(of: collection) { (k: Value, v: Value) throws(RegoError) in
                    guard holds else { return }
                    var scoped = b.binding(value.variableName ?? "_", to: v)
                    if let key { scoped = scoped.binding(key.variableName ?? "_", to: k) }
                    var found = false
                    try eval(body, scoped) { (_: Bindings) throws(RegoError) in found = true }
                    if !found { holds = false }
                }
                if holds { try k(b) }
            }
        }
    }

    /// An expression literal: assignment and unification bind; anything else must not be false.
    func evalExpression(_ term: Term, _ b: Bindings, _ k: (Bindings) throws(RegoError) -> Void) throws(RegoError) {
        if case .binary(let op, let left, let right) = term.kind, op == .assign || op == .unify {
            // The safety pass turned unifications so the right side is the one to evaluate.
            try evalTerm(right, b) { (value: Value, b2: Bindings) throws(RegoError) in
                try unifyEach(left, value, b2, k)
            }
            return
        }
        try evalTerm(term, b) { (value: Value, b2: Bindings) throws(RegoError) in
            if value != .bool(false) { try k(b2) }
        }
    }

    // MARK: - Variables and unification

    /// Names a term uses as local variables (not input, data, rules or imports).
    func variables(in term: Term) -> [String] {
        var names: [String] = []
        forEachVariable(in: term) {
            names.append($0); return true
        }
        return names
    }

    /// Calls `body` with each local variable of `term`, in order, while it answers true;
    /// false when it stopped the walk.
    @discardableResult
    func forEachVariable(in term: Term, _ body: (String) -> Bool) -> Bool {
        func visit(_ t: Term) -> Bool {
            switch t.kind {
            case .variable(let name): return isGlobal(name) || body(name)
            case .ref(let head, let path):
                guard visit(head) else { return false }
                for step in path { if case .index(let i) = step, !visit(i) { return false } }
                return true
            case .array(let items), .set(let items): return items.allSatisfy(visit)
            case .object(let pairs): return pairs.allSatisfy { visit($0.key) && visit($0.value) }
            case .binary(_, let a, let b): return visit(a) && visit(b)
            case .call(_, let arguments): return arguments.allSatisfy(visit)
            case .membership(let key, let value, let collection): return (key.map(visit) ?? true) && visit(value) && visit(collection)
            case .negative(let operand): return visit(operand)
            default: return true
            }
        }
        return visit(term)
    }

    func isGlobal(_ name: String) -> Bool {
        currentRule?.isGlobal(name) ?? (name == "input" || name == "data")
    }

    /// Whether every local variable of `term` is bound (`_` never is). It runs for every
    /// indexed reference step, so it stops at the first unbound one and collects nothing.
    func isGround(_ term: Term, _ b: Bindings) -> Bool {
        forEachVariable(in: term) { $0 != "_" && b[$0] != nil }
    }

    /// The first way `pattern`'s unbound variables can be bound so it equals `value`; nil when none.
    func unify(_ pattern: Term, _ value: Value, _ b: Bindings) throws(RegoError) -> Bindings? {
        var first: Bindings?
        try unifyEach(pattern, value, b) { (next: Bindings) throws(RegoError) in if first == nil { first = next } }
        return first
    }

    /// Calls `k` once per way `pattern` can equal `value`: variables bind, arrays and objects
    /// match element by element, and any other term (a reference that iterates, say) is
    /// evaluated and compared.
    func unifyEach(_ pattern: Term, _ value: Value, _ b: Bindings, _ k: (Bindings) throws(RegoError) -> Void) throws(RegoError) {
        switch pattern.kind {
        case .variable(let name) where !isGlobal(name):
            if name == "_" { return try k(b) }
            if let bound = b[name] { return bound == value ? try k(b) : () }
            try k(b.binding(name, to: value))
        case .array(let items):
            guard case .array(let values) = value, values.count == items.count else { return }
            func step(_ i: Int, _ b: Bindings) throws(RegoError) {
                guard i < items.count else { return try k(b) }
                try unifyEach(items[i], values[i], b) { (next: Bindings) throws(RegoError) in try step(i + 1, next) }
            }
            try step(0, b)
        case .object(let pairs):
            guard case .object(let fields) = value, fields.count == pairs.count else { return }
            func step(_ i: Int, _ b: Bindings) throws(RegoError) {
                guard i < pairs.count else { return try k(b) }
                try evalTerm(pairs[i].key, b) { (key: Value, b2: Bindings) throws(RegoError) in
                    guard let field = fields[key] else { return }
                    try unifyEach(pairs[i].value, field, b2) { (next: Bindings) throws(RegoError) in try step(i + 1, next) }
                }
            }
            try step(0, b)
        default:
            try evalTerm(pattern, b) { (v: Value, b2: Bindings) throws(RegoError) in
                if v == value { try k(b2) }
            }
        }
    }

    /// Calls `body` with each (key, value) of an array (index), object (key) or set (element, element).
    func forEachMember(of collection: Value, _ body: (Value, Value) throws(RegoError) -> Void) throws(RegoError) {
        switch collection {
        case .array(let items): for (i, item) in items.enumerated() { try body(.int(i), item) }
        case .object(let fields): for key in fields.keys.sorted() { try body(key, fields[key]!) }
        case .set(let items): for item in items.sorted() { try body(item, item) }
        default: break
        }
    }
}
