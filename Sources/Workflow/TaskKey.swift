/// Names one unit of work in a run: a step, one element of a `forEach` step (`vms[2]`), or a
/// compensation (`undo:vms[2]`).
public struct TaskKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var step: String
    public var index: Int?
    public var isCompensation: Bool

    public init(step: String, index: Int? = nil, isCompensation: Bool = false) {
        self.step = step
        self.index = index
        self.isCompensation = isCompensation
    }

    public var description: String {
        (isCompensation ? "undo:" : "") + step + (index.map { "[\($0)]" } ?? "")
    }

    /// Reads the text form back.
    public init?(_ text: String) {
        var rest = Substring(text)
        isCompensation = rest.hasPrefix("undo:")
        if isCompensation { rest = rest.dropFirst(5) }
        if rest.hasSuffix("]"), let open = rest.lastIndex(of: "[") {
            guard let index = Int(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]) else { return nil }
            self.index = index
            rest = rest[..<open]
        } else {
            index = nil
        }
        guard !rest.isEmpty else { return nil }
        step = String(rest)
    }

    /// This task's compensation.
    public var compensation: TaskKey { TaskKey(step: step, index: index, isCompensation: true) }

    public static func < (lhs: TaskKey, rhs: TaskKey) -> Bool { lhs.description < rhs.description }
}
