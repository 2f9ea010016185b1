import NovaCore

extension Value {
    /// What one element of a collection takes, roughly (a `Value` and its share of the table).
    static let elementCost = 32

    /// Roughly the bytes this value adds when it is made from values that exist already: its
    /// own elements or characters, not theirs (collections share their members' storage), so
    /// counting it costs nothing and a doubling is counted as a doubling.
    var shallowCost: Int {
        switch self {
        case .string(let s): 16 + s.utf8.count
        case .array(let items): 16 + items.count * Value.elementCost
        case .set(let members): 16 + members.count * 2 * Value.elementCost
        case .object(let fields): 16 + fields.count * 3 * Value.elementCost
        default: 16
        }
    }
}
