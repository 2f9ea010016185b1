import NovaCore

/// What programs (`RuleProgram`) ask of the evaluation they run in.
extension Evaluation {
    /// Whether compiled rules may run: not while a `with` replaces data or functions (their
    /// programs resolved names and calls against the policy as written).
    var runsPrograms: Bool { mocks.isEmpty && shadowed.isEmpty }

    /// A plain rule's value for a program, by node number (see `RuleProgram.Catalog`).
    func ruleValue(node index: Int, _ path: [String]) throws(RegoError) -> Value? {
        if let cached = cache[index] { return cached }
        try checkStack()
        return try ruleValue(path, policy.nodeList[index])
    }

    /// Stops before evaluation runs out of this thread's stack.
    func checkStack(at term: Term? = nil) throws(RegoError) {
        if StackGuard.here() < stackFloor { throw fail(.recursion, "evaluation nested too deeply for this thread's stack", at: term) }
    }

    /// A rule's members in iteration order (as `members(of:rule:)`), for a program's
    /// `some x in rule`; nil when the rule is undefined.
    ///
    /// A partial set all of whose definitions compiled is collected as an array, sorted, and
    /// rid of duplicates, without building the set: hashing every member (objects, often, such
    /// as a pod's containers) cost more than the sort, and most such helper sets are only
    /// iterated. `ruleValue` builds the set when something asks for the rule's value.
    func ruleMembers(node index: Int, _ path: [String]) throws(RegoError) -> [(key: Value, value: Value)]? {
        if let known = cache.members[index] { return known }
        guard cache[index] == nil, let programs = policy.setPrograms[index] else {
            guard let value = try ruleValue(node: index, path) else { return nil }
            return members(of: value, rule: index)
        }
        try checkStack()
        guard !inProgress[index] else { throw fail(.recursion, "rule \(path.joined(separator: ".")) is recursive") }
        inProgress[index] = true
        defer { inProgress[index] = false }
        var items: [Value] = []
        for program in programs {
            try program.forEachMember(self) { items.append($0) }
        }
        items.sort { Value.compare($0, $1) < 0 }
        var members: [(key: Value, value: Value)] = []
        members.reserveCapacity(items.count)
        for item in items where members.last.map({ Value.compare($0.value, item) != 0 }) ?? true {
            members.append((item, item))
        }
        cache.members[index] = members
        return members
    }
}
