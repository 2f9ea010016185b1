import NovaCore
import Rego

/// A policy compiled once: its `deny` and `warn` queries, ready for many decisions.
/// A class: a struct this size with a throwing initializer crashed when copied out of its
/// initializer in debug builds (Swift 6.3.1), reproducibly, after the compiled policy grew.
public final class RegoPolicy: Sendable {
    /// One message a policy answered: a string, or an object with `msg` and optional `details`.
    public struct Message: Sendable, Hashable {
        public var message: String
        public var details: Value?

        public init(_ value: Value) {
            if case .object = value, let text = value["msg"]?.stringValue {
                message = text
                details = value["details"]
            } else {
                message = value.stringValue ?? value.canonicalJSON
                details = nil
            }
        }

        public var value: Value {
            var fields: [Value: Value] = ["msg": .string(message)]
            if let details { fields["details"] = details }
            return .object(fields)
        }
    }

    public let name: String
    public let spec: PolicySpec
    let deny: PreparedRule?
    let warn: PreparedRule?
    /// Whether the same input always gets the same answer: no built-in reading the clock, the
    /// network or randomness is called (from the compiled policy, not its text).
    public let isDeterministic: Bool

    public init(_ spec: PolicySpec, name: String) throws(RegoError) {
        self.name = name
        self.spec = spec
        let module = try Parser.parseModule(spec.rego, file: "\(name).rego", version: spec.regoVersion)
        let compiled = try CompiledPolicy(modules: [module])
        isDeterministic = compiled.isDeterministic
        let rules = Set(module.rules.map { rule in Self.firstName(rule.ref) })
        guard rules.contains("deny") || rules.contains("warn") else {
            throw RegoError(.compile, "the policy defines neither deny nor warn (the contract: `deny contains msg if …`)", at: module.package.span)
        }
        deny = rules.contains("deny") ? try PreparedRule(module.packagePath + ["deny"], policy: compiled) : nil
        warn = rules.contains("warn") ? try PreparedRule(module.packagePath + ["warn"], policy: compiled) : nil
    }

    /// Evaluates the policy on a minimal create of each kind it watches; the error, if one
    /// is a budget, time or recursion error (which no input can avoid: the probe is as small
    /// as inputs get).
    func budgetFailureOnProbe() -> RegoError? {
        for kind in spec.kinds.isEmpty ? ["VM"] : spec.kinds {
            let input: Value = [
                "operation": "create", "actor": ["name": "probe", "roles": []], "time": "2026-01-01T00:00:00Z",
                "resource": ["apiVersion": "novacron.io/v1", "kind": .string(kind), "metadata": ["name": "probe"], "spec": [:]],
            ]
            do throws(RegoError) { _ = try evaluate(input) } catch {
                if [.budget, .cancelled, .recursion].contains(error.code) { return error }
            }
        }
        return nil
    }

    static func firstName(_ ref: Term) -> String {
        if case .ref(let head, _) = ref.kind { return head.variableName ?? "" }
        return ref.variableName ?? ""
    }

    /// The policy's answers for one input: deny and warn messages, sorted.
    /// What one decision may take at the door: 100 ms, 64 MiB of values built, ten million steps.
    public static var admissionLimits: PreparedQuery.Limits {
        PreparedQuery.Limits(deadline: .now + .milliseconds(100), memoryBytes: 64 << 20, steps: 10_000_000)
    }

    public func evaluate(_ input: Value, limits: PreparedQuery.Limits = RegoPolicy.admissionLimits) throws(RegoError) -> (deny: [Message], warn: [Message]) {
        func messages(_ value: Value?) -> [Message] {
            switch value {
            case nil, .bool(false)?, .null?: return []
            case .set(let items)?: return items.sorted().map(Message.init)
            case .array(let items)?: return items.map(Message.init)
            case .object(let fields)?: return fields.sorted { $0.key < $1.key }.map { Message($0.value) }
            case let value?: return [Message(value)]
            }
        }
        switch (deny, warn) {
        case (let deny?, let warn?):
            // Both documents in one evaluation: helper rules they share are computed once.
            let values = try PreparedRule.evaluate([deny, warn], input: input, limits: limits)
            return (messages(values[0]), messages(values[1]))
        case (let deny?, nil): return (messages(try deny.evaluate(input: input, limits: limits)), [])
        case (nil, let warn?): return ([], messages(try warn.evaluate(input: input, limits: limits)))
        case (nil, nil): return ([], [])
        }
    }
}
