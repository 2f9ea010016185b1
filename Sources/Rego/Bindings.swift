import NovaCore

/// Variable bindings of one branch of evaluation. A value type: each branch extends its own copy.
struct Bindings: Sendable {
    private(set) var values: [String: Value] = [:]

    subscript(name: String) -> Value? { values[name] }

    func binding(_ name: String, to value: Value) -> Bindings {
        guard name != "_" else { return self }
        var copy = self
        copy.values[name] = value
        return copy
    }

    func removing(_ names: [String]) -> Bindings {
        var copy = self
        for name in names { copy.values[name] = nil }
        return copy
    }
}
