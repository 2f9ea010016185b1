import NovaCore

/// A set of names the evaluator asks about for nearly every variable it meets (a package's
/// rules, which are not local variables). Kept as string values so lookups hash with
/// NovaCore's content hash: SipHash on a short name cost more than the rest of the check.
struct NameSet: Sendable, ExpressibleByArrayLiteral {
    private var members: Set<Value> = []

    init(arrayLiteral names: String...) {
        for name in names { members.insert(.string(name)) }
    }

    mutating func insert(_ name: String) { members.insert(.string(name)) }

    func contains(_ name: String) -> Bool { members.contains(.string(name)) }
}
