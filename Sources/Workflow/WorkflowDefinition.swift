import NovaCore

/// A workflow: a DAG of steps with inputs, outputs and limits. Definitions are versioned by the
/// store; a run keeps the version it started with.
public struct WorkflowDefinition: Sendable, Hashable {
    /// A declared input: required, or with a default.
    public struct Input: Sendable, Hashable {
        public var isRequired: Bool
        public var defaultValue: Value?
        public var description: String

        public init(isRequired: Bool = false, defaultValue: Value? = nil, description: String = "") {
            self.isRequired = isRequired
            self.defaultValue = defaultValue
            self.description = description
        }
    }

    public var name: String
    /// Assigned by the store when the definition is saved; 0 before.
    public var version: Int
    public var description: String
    public var inputs: [String: Input]
    public var steps: [StepDefinition]
    /// The run's result, with references to step outputs.
    public var outputs: Value
    /// The most attempts of this run's steps in flight at once.
    public var concurrency: Int?
    /// Seconds from start after which the run fails with `deadline_exceeded`.
    public var deadline: Double?
    /// Seconds from start after which the run is reported at risk of missing its SLA.
    public var sla: Double?
    /// A webhook told when a run is at risk of (80 %) or past its SLA.
    public var slaNotify: String?
    /// The document the definition was read from (the store keeps it; the API returns it).
    public var source: Value

    public init(
        name: String, version: Int = 0, description: String = "", inputs: [String: Input] = [:], steps: [StepDefinition],
        outputs: Value = .emptyObject, concurrency: Int? = nil, deadline: Double? = nil, sla: Double? = nil, source: Value = .null
    ) {
        self.source = source
        self.name = name
        self.version = version
        self.description = description
        self.inputs = inputs
        self.steps = steps
        self.outputs = outputs
        self.concurrency = concurrency
        self.deadline = deadline
        self.sla = sla
    }

    /// The step named `name`.
    public func step(named name: String) -> StepDefinition? { steps.first { $0.name == name } }

    /// The inputs a run starts with: `given` checked against the declarations, defaults filled in.
    public func runInputs(_ given: Value) throws(NovaError) -> Value {
        var fields: [String: Value] = [:]
        var diagnostics: [Diagnostic] = []
        if let object = given.objectValue {
            for (key, value) in object { fields[key.stringValue ?? key.canonicalJSON] = value }
        } else if !given.isNull {
            diagnostics.append(Diagnostic(code: "invalid_type", message: "inputs must be an object, got \(given.typeName)", path: "inputs"))
        }
        for (name, input) in inputs.sorted(by: { $0.key < $1.key }) where fields[name] == nil {
            if let value = input.defaultValue {
                fields[name] = value
            } else if input.isRequired {
                diagnostics.append(Diagnostic(code: "required_field", message: "is required", path: "inputs.\(name)"))
            }
        }
        if !inputs.isEmpty {
            for name in fields.keys.sorted() where inputs[name] == nil {
                diagnostics.append(Diagnostic(code: "unknown_field", message: "is not an input of \(self.name)", path: "inputs.\(name)"))
            }
        }
        if !diagnostics.isEmpty { throw NovaError.validation(diagnostics, subject: "the inputs of workflow \(name)") }
        return .object(fields)
    }
}
