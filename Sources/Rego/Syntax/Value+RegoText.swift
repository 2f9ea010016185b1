import NovaCore

extension Value {
    /// The value as Rego writes it: `[1, "a"]`, `{"k": 1}`, `{1, 2}`, `set()`. Template strings
    /// and `sprintf`'s `%v` print composites this way.
    var regoText: String {
        switch self {
        case .array(let items): "[" + items.map(\.regoText).joined(separator: ", ") + "]"
        case .set(let items): items.isEmpty ? "set()" : "{" + items.sorted().map(\.regoText).joined(separator: ", ") + "}"
        case .object(let fields):
            "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key.regoText): \($0.value.regoText)" }.joined(separator: ", ") + "}"
        default: canonicalJSON
        }
    }
}
