import NovaCore

/// Returns its input: for tests, benchmarks and joins that only gather outputs.
public struct NoopAction: WorkflowAction {
    public init() {}
    public var name: String { "noop" }
    public var isLongRunning: Bool { false }
    public func run(_ input: Value, context: ActionContext) async throws -> Value { input }
}
