/// OPA's safety check: every variable must be bound before it is read. Bodies are reordered so
/// each literal comes after the literals that bind its inputs (a stable sort: a literal moves
/// only when it must), unifications are turned so the side to evaluate is on the right, array
/// unifications are split element by element, and a variable nothing can bind is a
/// `rego_unsafe_var_error` at compile time. Nested bodies (comprehensions, `every`) are ordered
/// with the variables of the enclosing body they capture.
struct SafetyPass {
    let scope: NameScope

    func local(_ term: Term) -> String? {
        if case .variable(let name) = term.kind, !scope.isGlobal(name) { name } else { nil }
    }

    // MARK: - Rules and bodies

    func check(_ rule: Rule) throws(RegoError) -> Rule {
        var rule = rule
        var parameters: Set<String> = []
        for argument in rule.arguments { _ = pattern(argument, &parameters, []) }
        let head = [rule.key, rule.value].compactMap { $0 } + refIndexes(rule.ref)
        var bodies: [Body] = []
        var boundAtEnd = parameters
        for body in rule.bodies.isEmpty && !head.isEmpty ? [[]] : rule.bodies {
            let (ordered, bound) = try order(body, bound: parameters, captured: [])
            for term in head { try requireEvaluable(term, bound, in: body) }
            bodies.append(ordered)
            boundAtEnd = bound
        }
        if !rule.bodies.isEmpty { rule.bodies = bodies }
        rule.key = try rule.key.map { (t: Term) throws(RegoError) in try rewrite(t, boundAtEnd, []) }
        rule.value = try rule.value.map { (t: Term) throws(RegoError) in try rewrite(t, boundAtEnd, []) }
        for (i, clause) in rule.elses.enumerated() {
            let (ordered, bound) = try order(clause.body, bound: parameters, captured: [])
            if let value = clause.value {
                try requireEvaluable(value, bound, in: clause.body)
                rule.elses[i].value = try rewrite(value, bound, [])
            }
            rule.elses[i].body = ordered
        }
        return rule
    }

    func refIndexes(_ ref: Term) -> [Term] {
        guard case .ref(_, let path) = ref.kind else { return [] }
        return path.compactMap { if case .index(let t) = $0, !Self.isScalar(t) { t } else { nil } }
    }

    static func isScalar(_ t: Term) -> Bool {
        switch t.kind {
        case .null, .boolean, .number, .string: true
        default: false
        }
    }

    func requireEvaluable(_ term: Term, _ bound: Set<String>, in body: Body) throws(RegoError) {
        var b = bound
        guard evaluable(term, &b, []) else { throw unsafe([Literal(kind: .expression(term), with: [], span: term.span)], bound) }
    }

    /// The body in an order where every literal's inputs are bound, and the variables bound
    /// at its end.
    func order(_ body: Body, bound initial: Set<String>, captured outer: Set<String>) throws(RegoError) -> (Body, Set<String>) {
        var lifted = 0
        var remaining = body.flatMap(split).flatMap { lift($0, &lifted) }
        // A variable declared with `:=` or `some` belongs to the literals from its declaration
        // on; a comprehension before it has a variable of its own by that name.
        var declaredAt: [String: Int] = [:]
        for (i, literal) in remaining.enumerated() {
            for name in declarations(literal) where declaredAt[name] == nil { declaredAt[name] = i }
        }
        var everywhere = outer
        for literal in remaining { everywhere.formUnion(topLevelVariables(literal)) }
        var position = Array(remaining.indices)
        var bound = initial
        var ordered: Body = []
        while !remaining.isEmpty {
            var chosen: Int?
            var after = bound
            var visible = everywhere
            for i in remaining.indices {
                after = bound
                visible = everywhere.filter { name in declaredAt[name].map { $0 <= position[i] } ?? true }
                if ready(remaining[i], &after, visible) { chosen = i; break }
            }
            guard let chosen else { throw unsafe(remaining, bound) }
            ordered.append(try rewrite(remaining.remove(at: chosen), before: bound, after: after, visible))
            position.remove(at: chosen)
            bound = after
        }
        return (ordered, bound)
    }

    /// Variables a literal declares: the left of `:=`, or `some`'s.
    func declarations(_ literal: Literal) -> [String] {
        switch literal.kind {
        case .expression(let term):
            guard case .binary(.assign, let l, _) = term.kind else { return [] }
            var terms: [Term] = []
            collect(l, into: &terms, descend: false)
            return terms.compactMap(\.variableName)
        case .some(let terms, _): return terms.flatMap { variables(of: $0) }
        default: return []
        }
    }

    /// `foo == input.foos[foo]`: references that iterate inside a comparison or call are
    /// evaluated first, into a variable of their own, as OPA's compiler does, so that either
    /// argument may bind what the other reads.
    func lift(_ literal: Literal, _ counter: inout Int) -> [Literal] {
        guard case .expression(let term) = literal.kind else { return [literal] }
        if case .binary(let op, _, _) = term.kind, op == .assign || op == .unify { return [literal] }
        var before: [Literal] = []
        func visit(_ t: Term, top: Bool) -> Term {
            switch t.kind {
            case .ref(_, let path) where !top:
                let iterates = path.contains { step in
                    if case .index(let i) = step { return !variables(of: i).isEmpty }
                    return false
                }
                guard iterates else { return t }
                let name = Term(.variable("__lift\(counter)__"), span: t.span)
                counter += 1
                before.append(Literal(kind: .expression(Term(.binary(.unify, name, t), span: t.span)), with: literal.with, span: literal.span))
                return name
            case .call(let function, let arguments):
                var copy = t
                copy.kind = .call(function: function, arguments: arguments.map { visit($0, top: false) })
                return copy
            case .binary(let op, let l, let r) where op != .assign && op != .unify:
                var copy = t
                copy.kind = .binary(op, visit(l, top: false), visit(r, top: false))
                return copy
            default:
                return t
            }
        }
        let rewritten = visit(term, top: true)
        guard !before.isEmpty else { return [literal] }
        var last = literal
        last.kind = .expression(rewritten)
        return before + [last]
    }

    /// `[a, b] = [c, d]` becomes `a = c` and `b = d`, so each pair is ordered on its own.
    func split(_ literal: Literal) -> [Literal] {
        guard case .expression(let term) = literal.kind, case .binary(.unify, let l, let r) = term.kind else { return [literal] }
        var pairs: [(Term, Term)] = []
        switch (l.kind, r.kind) {
        case (.array(let left), .array(let right)) where left.count == right.count && !left.isEmpty:
            pairs = Array(zip(left, right))
        case (.object(let left), .object(let right)) where left.count == right.count && !left.isEmpty:
            let keys = left.map(\.key.kind)
            guard left.allSatisfy({ Self.isScalar($0.key) }), Set(keys) == Set(right.map(\.key.kind)), Set(keys).count == keys.count,
                right.allSatisfy({ Self.isScalar($0.key) })
            else { return [literal] }
            pairs = left.map { pair in (pair.value, right.first { $0.key.kind == pair.key.kind }!.value) }
        default:
            return [literal]
        }
        return pairs.flatMap { a, b in
            split(Literal(kind: .expression(Term(.binary(.unify, a, b), span: term.span)), with: literal.with, span: literal.span))
        }
    }

    func unsafe(_ remaining: Body, _ bound: Set<String>) -> RegoError {
        var candidates: [Term] = []
        for literal in remaining {
            collectVariables(literal, into: &candidates)
        }
        let culprit =
            candidates.first { t in t.variableName.map { $0 != "_" && !bound.contains($0) } ?? false }
            ?? candidates.first { $0.variableName.map { !bound.contains($0) } ?? false }
        let name = culprit?.variableName ?? "?"
        return RegoError(.unsafeVariable, "var \(name) is unsafe", at: culprit?.span ?? remaining.first?.span)
    }

    // MARK: - Readiness

    /// Whether the literal can run once `bound` holds; if so, adds the variables it binds.
    func ready(_ literal: Literal, _ bound: inout Set<String>, _ scopeVariables: Set<String>) -> Bool {
        var b = bound
        for modifier in literal.with where !namesFunction(modifier.value) && !evaluable(modifier.value, &b, scopeVariables) { return false }
        switch literal.kind {
        case .expression(let term):
            guard expressionReady(term, &b, scopeVariables) else { return false }
        case .not(let term):
            var inner = b
            guard evaluable(term, &inner, scopeVariables) else { return false }
            let free = Set(topLevelVariables(Literal(kind: .expression(term), with: [], span: term.span))).subtracting(b)
            guard free.allSatisfy({ $0 == "_" }) else { return false }
        case .some(_, nil):
            break
        case .some(let terms, let collection?):
            guard evaluable(collection, &b, scopeVariables) else { return false }
            for term in terms.reversed() where !pattern(term, &b, scopeVariables) { return false }
        case .every(let key, let value, let domain, let body):
            guard evaluable(domain, &b, scopeVariables) else { return false }
            var declared = Set([key, value].compactMap { $0?.variableName })
            declared.insert("_")
            let captured = Set(body.flatMap(allVariables)).subtracting(declared).intersection(scopeVariables)
            guard captured.isSubset(of: b) else { return false }
        }
        bound = b
        return true
    }

    /// `with count as mock_count`: a replacement naming a function is not a value to evaluate.
    func namesFunction(_ t: Term) -> Bool {
        switch t.kind {
        case .variable, .ref: scope.arity(of: t) != nil
        default: false
        }
    }

    func expressionReady(_ term: Term, _ b: inout Set<String>, _ scopeVariables: Set<String>) -> Bool {
        if case .binary(let op, let l, let r) = term.kind, op == .assign || op == .unify {
            var attempt = b
            if evaluable(r, &attempt, scopeVariables), pattern(l, &attempt, scopeVariables) { b = attempt; return true }
            guard op == .unify else { return false }
            attempt = b
            if evaluable(l, &attempt, scopeVariables), pattern(r, &attempt, scopeVariables) { b = attempt; return true }
            return false
        }
        return evaluable(term, &b, scopeVariables)
    }

    /// Whether evaluating `t` as a value is possible with `b` bound; adds what it binds
    /// (variables indexing a reference iterate, an extra call argument receives the result).
    func evaluable(_ t: Term, _ b: inout Set<String>, _ scopeVariables: Set<String>) -> Bool {
        switch t.kind {
        case .null, .boolean, .number, .string, .resolved, .data:
            return true
        case .variable:
            guard let name = local(t) else { return true }
            return b.contains(name)
        case .ref(let head, let path):
            if local(head) != nil || head.variableName == nil {
                guard evaluable(head, &b, scopeVariables) else { return false }
            }
            for step in path {
                guard case .index(let index) = step else { continue }
                var attempt = b
                if evaluable(index, &attempt, scopeVariables) { b = attempt; continue }
                guard pattern(index, &b, scopeVariables) else { return false }
            }
            return true
        case .array(let items), .set(let items):
            return items.allSatisfy { evaluable($0, &b, scopeVariables) }
        case .object(let pairs):
            return pairs.allSatisfy { evaluable($0.key, &b, scopeVariables) && evaluable($0.value, &b, scopeVariables) }
        case .arrayComprehension, .setComprehension, .objectComprehension:
            return capturedReady(t, b, scopeVariables)
        case .call(let function, let arguments):
            if let arity = scope.arity(of: function), arguments.count == arity + 1 {
                return arguments.dropLast().allSatisfy { evaluable($0, &b, scopeVariables) } && pattern(arguments.last!, &b, scopeVariables)
            }
            return arguments.allSatisfy { evaluable($0, &b, scopeVariables) }
        case .binary(let op, let l, let r):
            if op == .assign || op == .unify { return expressionReady(t, &b, scopeVariables) }
            return evaluable(l, &b, scopeVariables) && evaluable(r, &b, scopeVariables)
        case .membership(let key, let value, let collection):
            return evaluable(value, &b, scopeVariables) && evaluable(collection, &b, scopeVariables)
                && (key.map { evaluable($0, &b, scopeVariables) } ?? true)
        case .negative(let operand):
            return evaluable(operand, &b, scopeVariables)
        case .template(let parts):
            for case .expression(let e) in parts where !evaluable(e, &b, scopeVariables) { return false }
            return true
        }
    }

    /// Whether `t` can be unified with a value: its variables are bound by the unification.
    func pattern(_ t: Term, _ b: inout Set<String>, _ scopeVariables: Set<String>) -> Bool {
        switch t.kind {
        case .variable:
            if let name = local(t) { if name != "_" { b.insert(name) }; return true }
            return true
        case .array(let items):
            return items.allSatisfy { pattern($0, &b, scopeVariables) }
        case .object(let pairs):
            return pairs.allSatisfy { evaluable($0.key, &b, scopeVariables) && pattern($0.value, &b, scopeVariables) }
        default:
            return evaluable(t, &b, scopeVariables)
        }
    }

    /// A comprehension may run once every variable it shares with the enclosing body is bound.
    func capturedReady(_ t: Term, _ b: Set<String>, _ scopeVariables: Set<String>) -> Bool {
        Set(variables(of: t)).intersection(scopeVariables).isSubset(of: b.union(["_"]))
    }

    // MARK: - Rewriting nested bodies

    func rewrite(_ literal: Literal, before: Set<String>, after: Set<String>, _ scopeVariables: Set<String>) throws(RegoError) -> Literal {
        var literal = literal
        let inside = after.union(before)
        for i in literal.with.indices { literal.with[i].value = try rewrite(literal.with[i].value, inside, scopeVariables) }
        switch literal.kind {
        case .expression(let term):
            var t = try rewrite(term, inside, scopeVariables)
            if case .binary(.unify, let l, let r) = t.kind {
                var attempt = before
                if !(evaluable(r, &attempt, scopeVariables) && pattern(l, &attempt, scopeVariables)) {
                    t = Term(.binary(.unify, r, l), span: t.span)
                }
            }
            literal.kind = .expression(t)
        case .not(let term):
            literal.kind = .not(try rewrite(term, inside, scopeVariables))
        case .some(let terms, let collection):
            literal.kind = .some(terms, in: try collection.map { (c: Term) throws(RegoError) in try rewrite(c, inside, scopeVariables) })
        case .every(let key, let value, let domain, let body):
            let declared = [key, value].compactMap { $0?.variableName }
            let (ordered, _) = try order(body, bound: inside.union(declared), captured: scopeVariables.subtracting(declared))
            literal.kind = .every(key: key, value: value, domain: try rewrite(domain, inside, scopeVariables), body: ordered)
        }
        return literal
    }

    /// Orders the bodies of comprehensions inside `t`.
    func rewrite(_ t: Term, _ bound: Set<String>, _ scopeVariables: Set<String>) throws(RegoError) -> Term {
        func sub(_ x: Term) throws(RegoError) -> Term { try rewrite(x, bound, scopeVariables) }
        var t = located(t)
        switch t.kind {
        case .arrayComprehension(let head, let body):
            let (ordered, inner) = try order(body, bound: bound, captured: scopeVariables)
            let head = try rewrite(head, inner, scopeVariables)
            try requireEvaluable(head, inner, in: body)
            t.kind = .arrayComprehension(head, ordered)
        case .setComprehension(let head, let body):
            let (ordered, inner) = try order(body, bound: bound, captured: scopeVariables)
            let head = try rewrite(head, inner, scopeVariables)
            try requireEvaluable(head, inner, in: body)
            t.kind = .setComprehension(head, ordered)
        case .objectComprehension(let key, let value, let body):
            let (ordered, inner) = try order(body, bound: bound, captured: scopeVariables)
            let key = try rewrite(key, inner, scopeVariables), value = try rewrite(value, inner, scopeVariables)
            try requireEvaluable(key, inner, in: body)
            try requireEvaluable(value, inner, in: body)
            t.kind = .objectComprehension(key: key, value: value, ordered)
        case .ref(let head, let path):
            t.kind = .ref(
                head: try sub(head),
                path: try path.map { (step: Term.RefStep) throws(RegoError) -> Term.RefStep in
                    if case .index(let i) = step { return .index(try sub(i)) }
                    return step
                })
        case .array(let items): t.kind = .array(try items.map(sub))
        case .set(let items): t.kind = .set(try items.map(sub))
        case .object(let pairs):
            t.kind = .object(
                try pairs.map { (pair: (key: Term, value: Term)) throws(RegoError) -> (key: Term, value: Term) in (try sub(pair.key), try sub(pair.value)) })
        case .call(let function, let arguments):
            let name = Parser.names(of: function).joined(separator: ".")
            if name == "print", scope.arity(of: function) == nil {
                t.kind = .call(function: function, arguments: try arguments.map(sub))
                return t
            }
            guard let arity = scope.arity(of: function) else { throw RegoError(.type, "undefined function \(name)", at: t.span) }
            guard arguments.count == arity || arguments.count == arity + 1 else {
                throw RegoError(.type, "\(name): \(arguments.count < arity ? "too few" : "too many") arguments", at: t.span)
            }
            t.kind = .call(function: resolved(function), arguments: try arguments.map(sub))
        case .binary(let op, let l, let r): t.kind = .binary(op, try sub(l), try sub(r))
        case .membership(let key, let value, let collection):
            t.kind = .membership(key: try key.map(sub), value: try sub(value), collection: try sub(collection))
        case .negative(let operand): t.kind = .negative(try sub(operand))
        case .template(let parts):
            t.kind = .template(
                try parts.map { (part: Term.TemplatePart) throws(RegoError) -> Term.TemplatePart in
                    if case .expression(let e) = part { return .expression(try sub(e)) }
                    return part
                })
        default: break
        }
        return t
    }

    /// A reference to rules, located at compile time: `p` (a rule of the package) and the
    /// static start of `data.a.b[x]` become the `data` path they name, so evaluation does not
    /// resolve names or walk `data` step by step.
    func located(_ t: Term) -> Term {
        func rulePath(_ name: String) -> [String]? {
            guard name != "input", name != "data", scope.aliases[name] == nil else { return nil }
            let path = scope.package + [name]
            guard scope.definitions[path]?.first?.rule.kind != .function else { return nil }
            return scope.definitions[path] != nil || scope.prefixes.contains(path) ? path : nil
        }
        switch t.kind {
        case .variable(let name):
            guard let path = rulePath(name) else { return t }
            return Term(.data(path), span: t.span)
        case .ref(let head, let steps):
            guard case .variable(let name) = head.kind else { return t }
            if name == "data" {
                var path = ["data"]
                var used = 0
                for step in steps {
                    guard case .field(let field) = step else { break }
                    let next = path + [field]
                    guard scope.definitions[next] != nil || scope.prefixes.contains(next) else { break }
                    if scope.definitions[next]?.first?.rule.kind == .function { break }
                    path = next
                    used += 1
                    // Below rules, their value (merged with deeper rules) decides: stop there.
                    if scope.definitions[next] != nil { break }
                }
                guard used > 0 else { return t }
                return Term(.ref(head: Term(.data(path), span: head.span), path: Array(steps.dropFirst(used))), span: t.span)
            }
            guard let path = rulePath(name) else { return t }
            return Term(.ref(head: Term(.data(path), span: head.span), path: steps), span: t.span)
        default:
            return t
        }
    }

    /// The call's target, fixed at compile time so evaluation does not look names up.
    func resolved(_ function: Term) -> Term {
        let path = scope.functionPath(function)
        if scope.definitions[path]?.first?.rule.kind == .function { return Term(.resolved(.function(path.joined(separator: "."))), span: function.span) }
        let name = Parser.names(of: function).joined(separator: ".")
        guard Builtins.registry[name] != nil else { return function }
        return Term(.resolved(.builtin(name)), span: function.span)
    }

    // MARK: - Variables

    /// Local variables of a literal outside nested bodies: the ones a comprehension shares.
    func topLevelVariables(_ literal: Literal) -> [String] {
        var terms: [Term] = []
        collectVariables(literal, into: &terms, descend: false)
        return terms.compactMap(\.variableName)
    }

    func allVariables(_ literal: Literal) -> [String] {
        var terms: [Term] = []
        collectVariables(literal, into: &terms, descend: true)
        return terms.compactMap(\.variableName)
    }

    func variables(of term: Term) -> [String] {
        var terms: [Term] = []
        collect(term, into: &terms, descend: true)
        return terms.compactMap(\.variableName)
    }

    func collectVariables(_ literal: Literal, into terms: inout [Term], descend: Bool = false) {
        for modifier in literal.with { collect(modifier.value, into: &terms, descend: descend) }
        switch literal.kind {
        case .expression(let t), .not(let t): collect(t, into: &terms, descend: descend)
        case .some(let declared, let collection):
            for t in declared { collect(t, into: &terms, descend: descend) }
            if let collection { collect(collection, into: &terms, descend: descend) }
        case .every(let key, let value, let domain, let body):
            collect(domain, into: &terms, descend: descend)
            if descend {
                if let key { collect(key, into: &terms, descend: true) }
                collect(value, into: &terms, descend: true)
                for inner in body { collectVariables(inner, into: &terms, descend: true) }
            }
        }
    }

    func collect(_ t: Term, into terms: inout [Term], descend: Bool) {
        switch t.kind {
        case .variable: if local(t) != nil { terms.append(t) }
        case .ref(let head, let path):
            collect(head, into: &terms, descend: descend)
            for case .index(let i) in path { collect(i, into: &terms, descend: descend) }
        case .array(let items), .set(let items): for item in items { collect(item, into: &terms, descend: descend) }
        case .object(let pairs): for pair in pairs { collect(pair.key, into: &terms, descend: descend); collect(pair.value, into: &terms, descend: descend) }
        case .arrayComprehension(let head, let body), .setComprehension(let head, let body):
            guard descend else { return }
            collect(head, into: &terms, descend: true)
            for literal in body { collectVariables(literal, into: &terms, descend: true) }
        case .objectComprehension(let key, let value, let body):
            guard descend else { return }
            collect(key, into: &terms, descend: true)
            collect(value, into: &terms, descend: true)
            for literal in body { collectVariables(literal, into: &terms, descend: true) }
        case .call(_, let arguments): for a in arguments { collect(a, into: &terms, descend: descend) }
        case .binary(_, let l, let r): collect(l, into: &terms, descend: descend); collect(r, into: &terms, descend: descend)
        case .membership(let key, let value, let collection):
            if let key { collect(key, into: &terms, descend: descend) }
            collect(value, into: &terms, descend: descend)
            collect(collection, into: &terms, descend: descend)
        case .negative(let operand): collect(operand, into: &terms, descend: descend)
        case .template(let parts): for case .expression(let e) in parts { collect(e, into: &terms, descend: descend) }
        default: break
        }
    }
}
