import NovaCore

extension Evaluation {
    /// Every value `term` can take under `b` (a reference with unbound variables iterates,
    /// binding them); nothing when it is undefined.
    func evalTerm(_ term: Term, _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        try checkStack(at: term)
        try checkLimits(term)
        switch term.kind {
        case .ref, .call, .binary, .array, .data:
            // A term with at most one value is computed without continuations (see `direct`).
            switch try direct(term, b) {
            case .value(let value): return try k(value, b)
            case .undefined: return
            case .iterates: break
            }
        default: break
        }
        switch term.kind {
        case .null: try k(.null, b)
        case .resolved: throw fail(.type, "a function is not a value", at: term)
        case .data(let path): try walkData(path, [], b, k)
        case .boolean(let v): try k(.bool(v), b)
        case .string(let s): try k(.string(s), b)
        case .number(let text):
            if let i = Int(text) { try k(.int(i), b) } else if let d = Double(text) { try k(.double(d), b) }
        case .variable(let name):
            try evalRef(head: name, path: [], term: term, b, k)
        case .ref(let head, let path):
            if let name = head.variableName {
                try evalRef(head: name, path: path, term: term, b, k)
            } else if case .data(let located) = head.kind {
                try walkData(located, path[...], b, k)
            } else {
                try evalTerm(head, b) { (value: Value, b2: Bindings) throws(RegoError) in try walk(value, path[...], b2, k) }
            }
        case .array(let items):
            try evalAll(items, b) { (values: [Value], b2: Bindings) throws(RegoError) in try k(.array(values), b2) }
        case .set(let items):
            try evalAll(items, b) { (values: [Value], b2: Bindings) throws(RegoError) in try k(.set(Set(values)), b2) }
        case .object(let pairs):
            try evalAll(pairs.flatMap { [$0.key, $0.value] }, b) { (values: [Value], b2: Bindings) throws(RegoError) in
                var fields: [Value: Value] = [:]
                for i in stride(from: 0, to: values.count, by: 2) { fields[values[i]] = values[i + 1] }
                try k(.object(fields), b2)
            }
        case .arrayComprehension(let head, let body):
            var items: [Value] = []
            try eval(body, b) { (b2: Bindings) throws(RegoError) in try evalTerm(head, b2) { (v: Value, _: Bindings) throws(RegoError) in items.append(v) } }
            try k(.array(items), b)
        case .setComprehension(let head, let body):
            var items: Set<Value> = []
            try eval(body, b) { (b2: Bindings) throws(RegoError) in try evalTerm(head, b2) { (v: Value, _: Bindings) throws(RegoError) in items.insert(v) } }
            try k(.set(items), b)
        case .objectComprehension(let key, let value, let body):
            var fields: [Value: Value] = [:]
            try eval(body, b) { (b2: Bindings) throws(RegoError) in
                try evalAll([key, value], b2) { (kv: [Value], _: Bindings) throws(RegoError) in
                    if let existing = fields[kv[0]], existing != kv[1] {
                        throw fail(.conflict, "object keys must be unique", at: term)
                    }
                    fields[kv[0]] = kv[1]
                }
            }
            try k(.object(fields), b)
        case .call(let function, let arguments):
            try evalCall(function, arguments, term: term, b, k)
        case .binary(let op, let left, let right):
            if op == .assign || op == .unify {
                try evalExpression(term, b) { (b2: Bindings) throws(RegoError) in try k(.bool(true), b2) }
                return
            }
            try evalTerm(left, b) { (x: Value, b1: Bindings) throws(RegoError) in
                try evalTerm(right, b1) { (y: Value, b2: Bindings) throws(RegoError) in
                    if let result = try Operators.apply(op, x, y, at: term) { try k(result, b2) }
                }
            }
        case .membership(let key, let value, let collection):
            try evalAll([value, collection] + (key.map { [$0] } ?? []), b) { (values: [Value], b2: Bindings) throws(RegoError) in
                var found = false
                try forEachMember(of: values[1]) { (memberKey: Value, member: Value) throws(RegoError) in
                    if member == values[0], values.count == 2 || memberKey == values[2] { found = true }
                }
                try k(.bool(found), b2)
            }
        case .negative(let operand):
            try evalTerm(operand, b) { (v: Value, b2: Bindings) throws(RegoError) in
                guard let n = v.numberValue else { throw fail(.evalType, "operand must be a number, got \(v.typeName)", at: term) }
                try k(n.exactInt.map { .int(-$0) } ?? .double(-n.doubleValue), b2)
            }
        case .template(let parts):
            var pieces: [[String]] = []
            for part in parts {
                switch part {
                case .text(let text): pieces.append([text])
                case .expression(let expression):
                    var values: [String] = []
                    try evalTerm(expression, b) { (v: Value, _: Bindings) throws(RegoError) in values.append(v.stringValue ?? v.regoText) }
                    pieces.append(values.isEmpty ? ["<undefined>"] : [values[0]])
                }
            }
            try k(.string(pieces.map { $0[0] }.joined()), b)
        }
    }

    /// Evaluates terms left to right, once per combination of their values.
    func evalAll(_ terms: [Term], _ b: Bindings, _ k: ([Value], Bindings) throws(RegoError) -> Void) throws(RegoError) {
        switch terms.count {
        case 0: return try k([], b)
        case 1: return try evalTerm(terms[0], b) { (v: Value, b2: Bindings) throws(RegoError) in try k([v], b2) }
        case 2:
            return try evalTerm(terms[0], b) { (v0: Value, b1: Bindings) throws(RegoError) in
                try evalTerm(terms[1], b1) { (v1: Value, b2: Bindings) throws(RegoError) in try k([v0, v1], b2) }
            }
        default:
            // Later positions are overwritten on backtracking, so one buffer serves every branch.
            var values = [Value](repeating: .null, count: terms.count)
            func step(_ i: Int, _ b: Bindings) throws(RegoError) {
                guard i < terms.count else { return try k(values, b) }
                try evalTerm(terms[i], b) { (v: Value, b2: Bindings) throws(RegoError) in
                    values[i] = v
                    try step(i + 1, b2)
                }
            }
            try step(0, b)
        }
    }

    /// A reference starting at a name: a local variable, `input`, `data`, an import alias, or a
    /// rule of the current package.
    func evalRef(head name: String, path: [Term.RefStep], term: Term, _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        if let value = b[name] { return try walk(value, path[...], b, k) }
        switch name {
        case "input":
            guard let input else { return }
            try walk(input, path[...], b, k)
        case "data":
            try walkData(["data"], path[...], b, k)
        default:
            if let alias = aliases[name] {
                let names = Parser.names(of: alias)
                let steps = names.dropFirst().map { Term.RefStep.field($0) } + path
                return try evalRef(head: names[0], path: Array(steps), term: term, b, k)
            }
            let candidate = package + [name]
            if policy.nodes[candidate] != nil {
                return try walkData(candidate, path[...], b, k)
            }
            throw fail(.unsafeVariable, "var \(name) is unsafe", at: term)
        }
    }

    /// Follows reference steps into a value; an unbound variable step iterates.
    func walk(_ value: Value, _ path: ArraySlice<Term.RefStep>, _ b: Bindings, _ k: (Value, Bindings) throws(RegoError) -> Void) throws(RegoError) {
        // Named steps (`input.resource.spec`) are followed in a loop, not a call apiece.
        var value = value
        var path = path
        while case .field(let name)? = path.first {
            guard let next = Self.member(value, .string(name)) else { return }
            value = next
            path = path.dropFirst()
        }
        guard case .index(let index)? = path.first else { return try k(value, b) }
        let rest = path.dropFirst()
        if isGround(index, b) {
            try evalTerm(index, b) { (key: Value, b2: Bindings) throws(RegoError) in
                if let next = Self.member(value, key) { try walk(next, rest, b2, k) }
            }
        } else {
            try forEachMember(of: value) { (key: Value, member: Value) throws(RegoError) in
                try unifyEach(index, key, b) { (b2: Bindings) throws(RegoError) in try walk(member, rest, b2, k) }
            }
        }
    }

    static func member(_ value: Value, _ key: Value) -> Value? {
        switch value {
        case .object(let fields): return fields[key]
        case .array(let items):
            guard let i = key.intValue, items.indices.contains(i) else { return nil }
            return items[i]
        case .set(let items): return items.contains(key) ? key : Optional<Value>.none
        default: return nil
        }
    }
}
