import NovaCore

/// Arrays and sets.
extension Builtins {
    static let collections: [String: Builtin] = [
        "array.concat": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in .array(try a.array(0) + a.array(1)) },
        "array.flatten": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            .array(try a.array(0).flatMap { item -> [Value] in if case .array(let inner) = item { inner } else { [item] } })
        },
        "array.reverse": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .array(try a.array(0).reversed()) },
        "array.slice": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            let items = try a.array(0)
            let start = max(0, try a.integer(1)), stop = min(items.count, try a.integer(2))
            guard start < stop else { return .array([]) }
            return .array(Array(items[start..<stop]))
        },
        "intersection": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var result: Set<Value>?
            for item in try a.set(0) {
                guard case .set(let s) = item else { throw a.typeError(0, "set[set[any]]") }
                result = result.map { $0.intersection(s) } ?? s
            }
            return .set(result ?? [])
        },
        "union": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var result: Set<Value> = []
            for item in try a.set(0) {
                guard case .set(let s) = item else { throw a.typeError(0, "set[set[any]]") }
                result.formUnion(s)
            }
            return .set(result)
        },
    ]
}
