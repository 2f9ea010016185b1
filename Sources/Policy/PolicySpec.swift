import NovaCore
import Rego

/// A policy as a resource (`kind: Policy`): Rego source that answers `deny` (and optionally
/// `warn`) for writes of the kinds and operations it names, and how it is enforced.
public struct PolicySpec: ResourceSpec, Hashable {
    public enum Enforcement: String, Sendable, CaseIterable {
        /// The write is refused (403) with each violated rule's message.
        case block
        /// The write is accepted; the messages travel back as warnings.
        case warn
        /// The write is accepted; the violation is only recorded.
        case audit
    }

    public static let operations = ["create", "update", "delete"]

    public var rego: String
    public var regoVersion: Module.Version
    /// Kinds the policy applies to (`VM`, `networks`…); empty means every kind but policies.
    public var kinds: [String]
    public var operations: [String]
    public var enforcement: Enforcement
    public var description: String?

    public static func read(_ r: inout ObjectReader) -> PolicySpec? { read(&r, probing: true) }

    /// - Parameter probing: whether to refuse a policy that cannot decide a minimal write within
    ///   its budget (when it is written; a stored policy is loaded as it was accepted).
    public static func read(_ r: inout ObjectReader, probing: Bool) -> PolicySpec? {
        let rego = r.string("rego", required: true)
        let version = r.choice("regoVersion", ["v1", "v0"]) ?? "v1"
        let kinds = r.array("kinds") { value, path, diagnostics -> String? in
            guard let text = value.stringValue, !text.isEmpty else {
                diagnostics.append(Diagnostic(code: "invalid_type", message: "must be a kind name", path: path.description))
                return nil
            }
            return text
        }
        let operations = r.array("operations") { value, path, diagnostics -> String? in
            guard let text = value.stringValue, PolicySpec.operations.contains(text) else {
                diagnostics.append(Diagnostic(code: "invalid_value", message: "must be one of create, update, delete", path: path.description))
                return nil
            }
            return text
        }
        let enforcement = r.choice("enforcement", Enforcement.allCases.map(\.rawValue)).flatMap(Enforcement.init(rawValue:)) ?? .block
        let description = r.string("description")
        guard let rego else { return nil }
        let spec = PolicySpec(
            rego: rego, regoVersion: version == "v0" ? .v0 : .v1, kinds: kinds,
            operations: operations.isEmpty ? PolicySpec.operations : operations, enforcement: enforcement, description: description)
        if rego.utf8.count > PolicySpec.maximumRegoBytes {
            r.report("rego", code: "too_large", "a policy's Rego may be at most \(PolicySpec.maximumRegoBytes / 1024) KiB, got \(rego.utf8.count) bytes")
            return nil
        }
        // A policy that does not compile is refused here, with Rego's own file:line:col.
        let policy: RegoPolicy
        do throws(RegoError) { policy = try RegoPolicy(spec, name: "policy") } catch {
            r.report("rego", code: error.code.rawValue, error.description)
            return nil
        }
        // One that cannot finish even on the plainest write (unbounded recursion, `walk(data)`,
        // a comprehension over a billion numbers) would fail every decision: refused now.
        if probing, let problem = policy.budgetFailureOnProbe() {
            r.report("rego", code: problem.code.rawValue, "the policy cannot decide even a minimal write within its budget: \(problem.description)")
            return nil
        }
        return spec
    }

    /// Rego source past this is refused (compiling it holds a request for seconds).
    public static let maximumRegoBytes = 256 * 1024

    public var value: Value {
        var fields: [String: Value] = [
            "rego": .string(rego), "regoVersion": .string(regoVersion == .v0 ? "v0" : "v1"), "kinds": .array(kinds.map(Value.string)),
            "operations": .array(operations.map(Value.string)), "enforcement": .string(enforcement.rawValue),
        ]
        if let description { fields["description"] = .string(description) }
        return .object(Dictionary(uniqueKeysWithValues: fields.map { (Value.string($0.key), $0.value) }))
    }

    /// Whether the policy looks at a write of this kind and operation.
    public func applies(to kind: ResourceKind, _ operation: String) -> Bool {
        guard operations.contains(operation) else { return false }
        if kinds.isEmpty { return kind != .policy }
        return kinds.contains { kind.isNamed($0) }
    }
}

extension ResourceKind {
    /// Rego policies enforced at admission.
    public static let policy = ResourceKind(name: "Policy", plural: "policies", specType: PolicySpec.self)
}
