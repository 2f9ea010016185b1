import NovaCore

/// Built-in functions by name. Each area lives in its own file (`Builtins+Aggregates.swift`, …)
/// and adds its entries here. A built-in returns nil for undefined and throws `RegoError` for a
/// bad argument (an `eval_builtin_error` or `eval_type_error`).
enum Builtins {
    /// A built-in: how many arguments it takes (a call with one more binds the result to the
    /// last, as in `count(xs, n)`) and what it computes. Every built-in has one calling
    /// convention, `Arguments` (typed accessors, the clock, the memory budget), and its arity is
    /// checked here, once, for all of them.
    struct Builtin: Sendable {
        let arity: Int
        let run: @Sendable (Arguments) throws(RegoError) -> Value?
        /// A relation (like `walk`) answers an array of results, each one solution of the call.
        var isRelation = false
        /// A random built-in: its answer is remembered for the rest of the evaluation, so the
        /// same arguments give the same answer everywhere in a query.
        var isRemembered = false
        /// Reads the evaluation's clock (`time.now_ns`): the clock is read for these only.
        var readsClock = false
        init(
            _ arity: Int, relation: Bool = false, remembered: Bool = false, readsClock: Bool = false,
            _ run: @escaping @Sendable (Arguments) throws(RegoError) -> Value?
        ) {
            self.arity = arity
            self.run = { (a: Arguments) throws(RegoError) -> Value? in
                guard a.values.count == arity else { throw RegoError(.type, "\(a.name): expects \(arity) arguments, got \(a.values.count)") }
                return try run(a)
            }
            self.isRelation = relation
            self.isRemembered = remembered
            self.readsClock = readsClock
        }
    }

    /// Every area's table, one per file.
    static let areas: [[String: Builtin]] = [
        aggregates, strings, text, types, numbers, collections, objects, encoding, units, regex, graphs, versions, crypto, jwt, time, net, graphql, jsonSchema,
        x509, random,
    ]

    static let registry: [String: Builtin] = areas.reduce(into: [:]) { all, area in all.merge(area) { first, _ in first } }

    static func typeError(_ name: String, _ position: Int, _ expected: String, _ got: Value) -> RegoError {
        RegoError(.evalType, "\(name): operand \(position) must be \(expected) but got \(got.typeName)")
    }

    static func string(_ name: String, _ values: [Value], _ i: Int) throws(RegoError) -> String {
        guard let s = values[i].stringValue else { throw typeError(name, i + 1, "string", values[i]) }
        return s
    }

    /// The elements of an array or set.
    static func collection(_ name: String, _ values: [Value], _ i: Int) throws(RegoError) -> [Value] {
        switch values[i] {
        case .array(let items): return items
        case .set(let items): return items.sorted()
        case .object(let fields) where name == "count": return Array(fields.values)
        default: throw typeError(name, i + 1, "any<array, set>", values[i])
        }
    }
}
