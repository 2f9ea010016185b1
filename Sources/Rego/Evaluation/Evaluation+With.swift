import NovaCore

extension Evaluation {
    /// What a `with` put in place of a function: a value every call returns, or another
    /// function (of the policy, or a built-in) called with the same arguments.
    enum Mock {
        case value(Value)
        case function(Term)
    }

    /// The state a `with` changes, saved and restored around it.
    struct Overlay {
        var input: Value?
        var data: Value
        var shadowed: Set<[String]>
        var mocks: [String: Mock]
        var cache: RuleCache
    }

    var overlay: Overlay {
        get { Overlay(input: input, data: data, shadowed: shadowed, mocks: mocks, cache: cache) }
        set { (input, data, shadowed, mocks, cache) = (newValue.input, newValue.data, newValue.shadowed, newValue.mocks, newValue.cache) }
    }

    /// Runs `literal` with its `with` modifiers in force — `input…`, `data…` or a function —
    /// and calls `then` for each solution with the modifiers lifted again, so the rest of the
    /// body sees the documents as they were.
    func withModifiers(
        _ modifiers: [Literal.With], _ b: Bindings,
        _ literal: ((Bindings) throws(RegoError) -> Void) throws(RegoError) -> Void,
        then rest: (Bindings) throws(RegoError) -> Void
    ) throws(RegoError) {
        let outer = overlay
        var inner = outer
        inner.cache = RuleCache(count: cache.count)
        for modifier in modifiers {
            var names = Parser.names(of: modifier.target)
            if let first = names.first, let alias = aliases[first] { names = Parser.names(of: alias) + names.dropFirst() }
            if names.first != "input", names.first != "data" || isFunction(modifier.target) {
                let key = functionKey(modifier.target)
                if let replacement = modifier.value.variableName ?? (Parser.names(of: modifier.value).isEmpty ? nil : "ref"),
                    b[replacement] == nil, isFunction(modifier.value)
                {
                    inner.mocks[key] = .function(modifier.value)
                } else {
                    guard let value = try firstValue(modifier.value, b) else { return }
                    inner.mocks[key] = .value(value)
                }
                continue
            }
            guard let value = try firstValue(modifier.value, b) else { return }
            if names.first == "input" {
                inner.input = names.count == 1 ? value : Self.setting(inner.input ?? .emptyObject, path: Array(names.dropFirst()), to: value)
            } else {
                inner.data = names.count == 1 ? value : Self.setting(inner.data, path: Array(names.dropFirst()), to: value)
                inner.shadowed.insert(names)
            }
        }
        overlay = inner
        defer { overlay = outer }
        try withoutActuallyEscaping(rest) { (rest: @escaping (Bindings) throws(RegoError) -> Void) throws(RegoError) in
            try literal { (next: Bindings) throws(RegoError) in
                let saved = self.overlay
                self.overlay = outer
                defer { self.overlay = saved }
                try rest(next)
            }
        }
    }

    func firstValue(_ term: Term, _ b: Bindings) throws(RegoError) -> Value? {
        var result: Value?
        try evalTerm(term, b) { (v: Value, _: Bindings) throws(RegoError) in if result == nil { result = v } }
        return result
    }

    var scope: NameScope { NameScope(package: package, aliases: aliases, definitions: policy.definitions, prefixes: policy.prefixes) }

    /// Whether a term names a function: one of the policy's, or a built-in.
    func isFunction(_ term: Term) -> Bool { scope.arity(of: term) != nil }

    /// The key a mock is filed under: the rule path of a policy function, or the built-in's name.
    func functionKey(_ term: Term) -> String {
        let path = scope.functionPath(term)
        if policy.definitions[path]?.first?.rule.kind == .function { return path.joined(separator: ".") }
        return Parser.names(of: term).joined(separator: ".")
    }

    /// A call to a function a `with` replaced. The replacement runs without that mock, so a
    /// mock may call the original.
    func callMock(
        _ mock: Mock, key: String, _ function: Term, _ arguments: [Term], term: Term, _ b: Bindings,
        _ k: (Value, Bindings) throws(RegoError) -> Void
    ) throws(RegoError) {
        let arity = scope.arity(of: function) ?? arguments.count
        switch mock {
        case .value(let value):
            try evalAll(Array(arguments.prefix(arity)), b) { (_: [Value], b2: Bindings) throws(RegoError) in
                guard arguments.count > arity else { return try k(value, b2) }
                try unifyEach(arguments[arity], value, b2) { (next: Bindings) throws(RegoError) in try k(.bool(true), next) }
            }
        case .function(let replacement):
            let saved = mocks
            mocks[key] = nil
            defer { mocks = saved }
            try evalCall(replacement, arguments, term: term, b) { (v: Value, b2: Bindings) throws(RegoError) in
                let inner = mocks
                mocks = saved
                defer { mocks = inner }
                try k(v, b2)
            }
        }
    }

    static func setting(_ value: Value, path: [String], to new: Value) -> Value {
        guard let first = path.first else { return new }
        let child = value[first] ?? .emptyObject
        return (value.objectValue == nil ? .emptyObject : value).setting(first, to: setting(child, path: Array(path.dropFirst()), to: new))
    }
}
