import NovaCore

/// One step of a workflow: what it runs, on what, after which steps, and how it recovers.
public struct StepDefinition: Sendable, Hashable {
    /// The undo of a step, run during compensation.
    public struct Compensation: Sendable, Hashable {
        public var action: String
        public var inputs: Value

        public init(action: String, inputs: Value = .emptyObject) {
            self.action = action
            self.inputs = inputs
        }
    }

    public var name: String
    public var action: String
    /// Inputs with `${…}` references, resolved when the step starts.
    public var inputs: Value
    public var dependsOn: [String]
    public var retry: RetryPolicy
    /// Seconds one attempt may take.
    public var timeout: Double?
    /// Seconds an attempt may go without calling `heartbeat()`.
    public var heartbeatTimeout: Double?
    public var compensate: Compensation?
    public var when: StepCondition?
    /// A `${…}` reference to a list: the step runs once per element, with `item` and `index`.
    public var forEach: ReferencePath?

    public init(
        name: String, action: String, inputs: Value = .emptyObject, dependsOn: [String] = [], retry: RetryPolicy = .standard,
        timeout: Double? = nil, heartbeatTimeout: Double? = nil, compensate: Compensation? = nil, when: StepCondition? = nil,
        forEach: ReferencePath? = nil
    ) {
        self.name = name
        self.action = action
        self.inputs = inputs
        self.dependsOn = dependsOn
        self.retry = retry
        self.timeout = timeout
        self.heartbeatTimeout = heartbeatTimeout
        self.compensate = compensate
        self.when = when
        self.forEach = forEach
    }
}
