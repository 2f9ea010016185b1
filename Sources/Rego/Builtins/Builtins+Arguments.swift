import NovaCore

extension Builtins {
    /// A built-in's arguments with typed accessors: a wrong type is OPA's
    /// `operand N must be T but got U` (an `eval_type_error`).
    struct Arguments: Sendable {
        let name: String
        let values: [Value]
        /// The evaluation's clock reading (nanoseconds since the epoch): one per evaluation, so
        /// `time.now_ns()` is the same everywhere in a query.
        var now: Int = 0
        /// The evaluation's memory budget left: built-ins that allocate by an argument check
        /// it first (`reserve`), since the evaluation can only count a result once it is made.
        var memoryLeft: Int = PreparedQuery.Limits.defaultMemoryBytes

        subscript(_ i: Int) -> Value { values[i] }

        func typeError(_ i: Int, _ expected: String) -> RegoError {
            RegoError(.evalType, "\(name): operand \(i + 1) must be \(expected) but got \(values[i].typeName)")
        }

        func failure(_ message: String) -> RegoError { RegoError(.builtin, "\(name): \(message)") }

        /// An operand that has the right type but an unusable value (OPA's operand error: an
        /// `eval_type_error`, not a built-in failure).
        func operandError(_ message: String) -> RegoError { RegoError(.evalType, "\(name): \(message)") }

        /// Throws the budget error unless `count` values of `bytesEach` fit in what is left.
        func reserve(_ count: Int, bytesEach: Int = Value.elementCost) throws(RegoError) {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
            if overflow || bytes > memoryLeft {
                throw RegoError(.budget, "\(name): \(count) values would exceed the evaluation's memory budget")
            }
        }

        func string(_ i: Int) throws(RegoError) -> String {
            guard case .string(let s) = values[i] else { throw typeError(i, "string") }
            return s
        }

        func number(_ i: Int) throws(RegoError) -> Number {
            guard case .number(let n) = values[i] else { throw typeError(i, "number") }
            return n
        }

        func integer(_ i: Int) throws(RegoError) -> Int {
            let n = try number(i)
            guard let exact = n.exactInt else { throw operandError("operand \(i + 1) must be integer number but got floating-point number") }
            return exact
        }

        func bool(_ i: Int) throws(RegoError) -> Bool {
            guard case .bool(let b) = values[i] else { throw typeError(i, "boolean") }
            return b
        }

        func array(_ i: Int) throws(RegoError) -> [Value] {
            guard case .array(let a) = values[i] else { throw typeError(i, "array") }
            return a
        }

        func object(_ i: Int) throws(RegoError) -> [Value: Value] {
            guard case .object(let o) = values[i] else { throw typeError(i, "object") }
            return o
        }

        func set(_ i: Int) throws(RegoError) -> Set<Value> {
            guard case .set(let s) = values[i] else { throw typeError(i, "set") }
            return s
        }

        /// The elements of an array or a set (sorted).
        func elements(_ i: Int) throws(RegoError) -> [Value] {
            switch values[i] {
            case .array(let a): return a
            case .set(let s): return s.sorted()
            default: throw typeError(i, "any<array, set>")
            }
        }

        /// Strings from a string, or an array or set of strings.
        func strings(_ i: Int) throws(RegoError) -> [String] {
            switch values[i] {
            case .string(let s): return [s]
            case .array, .set:
                var result: [String] = []
                for item in try elements(i) {
                    guard case .string(let s) = item else { throw typeError(i, "any<string, array[string], set[string]>") }
                    result.append(s)
                }
                return result
            default: throw typeError(i, "any<string, array[string], set[string]>")
            }
        }
    }
}
