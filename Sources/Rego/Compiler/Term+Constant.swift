import NovaCore

extension Term {
    /// The term's value when it is a literal made only of literals (`{"dev": 64, "prod": 128}`,
    /// `["a", 1]`): what the evaluator would compute every time, computed once. Nil for
    /// anything with a variable, a reference, a call or a comprehension.
    var constantValue: Value? {
        switch kind {
        case .null: return .null
        case .boolean(let flag): return .bool(flag)
        case .number(let text):
            if let i = Int(text) { return .int(i) }
            return Double(text).map { .double($0) }
        case .string(let text): return .string(text)
        case .array(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items {
                guard let value = item.constantValue else { return nil }
                values.append(value)
            }
            return .array(values)
        case .set(let items):
            var values: Set<Value> = []
            for item in items {
                guard let value = item.constantValue else { return nil }
                values.insert(value)
            }
            return .set(values)
        case .object(let pairs):
            var fields: [Value: Value] = [:]
            for pair in pairs {
                guard let key = pair.key.constantValue, let value = pair.value.constantValue else { return nil }
                fields[key] = value
            }
            return .object(fields)
        default:
            return nil
        }
    }
}
