import NovaCore

/// Who is acting: a person or program behind an API key, or NovaCron itself.
public struct Principal: Sendable, Hashable {
    public var name: String
    public var role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// NovaCron's own components (the reconciler, the first-start bootstrap).
    public static func system(_ component: String) -> Principal { Principal(name: "system:\(component)", role: .admin) }

    /// The one writer of observed state (`update status`).
    public static let reconciler = Principal.system("reconciler")

    public func isAllowed(_ verb: Verb, on resource: String) -> Bool { role.allows(verb, on: resource) }
}

/// What can be done: read verbs and write verbs, as in Kubernetes RBAC.
public enum Verb: String, Sendable, CaseIterable, Codable {
    case get, list, watch, create, update, delete
}

/// A named set of permissions: each rule grants verbs on resources (`vms`, `audit`, `apikeys`,
/// `roles`, `events`, or `*`).
public struct Role: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        public var verbs: Set<String>
        public var resources: Set<String>

        public init(verbs: Set<String>, resources: Set<String>) {
            self.verbs = verbs
            self.resources = resources
        }
    }

    public var name: String
    public var rules: [Rule]

    public init(name: String, rules: [Rule]) {
        self.name = name
        self.rules = rules
    }

    public func allows(_ verb: Verb, on resource: String) -> Bool {
        rules.contains { ($0.verbs.contains("*") || $0.verbs.contains(verb.rawValue)) && ($0.resources.contains("*") || $0.resources.contains(resource)) }
    }

    /// The grants of this role that `holder` does not have itself, as `verb resource` (empty:
    /// the role is within the holder's rights). A `*` verb or resource stands for every one,
    /// including those added later, so only a holder with the same `*` covers it.
    public func grants(beyond holder: Role) -> [String] {
        var missing: [String] = []
        for rule in rules {
            let verbs = rule.verbs.contains("*") ? ["*"] : rule.verbs.sorted()
            for verb in verbs {
                for resource in rule.resources.sorted()
                where !holder.rules.contains(where: { grant in
                    (grant.verbs.contains("*") || grant.verbs.contains(verb)) && (grant.resources.contains("*") || grant.resources.contains(resource))
                }) {
                    missing.append("\(verb) \(resource)")
                }
            }
        }
        return missing
    }

    /// Every other resource a rule may name besides the resource kinds' plurals.
    /// `rego` is evaluating Rego a caller wrote (`create rego`: policy dry runs and previews),
    /// a permission of its own since it costs the server CPU and memory.
    /// `status` is writing observed state: the reconciler's, under its system principal.
    public static let nonKindResources = ["events", "audit", "apikeys", "roles", "history", "violations", "rego", "status"] + workflowResources

    /// The workflow engine's resources: definitions, runs (approving is `update runs`), schedules.
    public static let workflowResources = ["workflows", "runs", "schedules"]

    public static let admin = Role(name: "admin", rules: [Rule(verbs: ["*"], resources: ["*"])])

    /// Reads and writes resources and reads events; no keys, roles or audit log.
    public static let `operator` = Role(
        name: "operator",
        rules: [
            Rule(verbs: Set(Verb.allCases.map(\.rawValue)), resources: Set(ResourceKind.builtIn.map(\.plural))),
            Rule(verbs: ["get", "list", "watch"], resources: Set(["events", "history"] + policyResources)),
            Rule(verbs: Set(Verb.allCases.map(\.rawValue)), resources: Set(workflowResources)),
        ])

    /// Reads resources and events.
    public static let viewer = Role(
        name: "viewer",
        rules: [
            Rule(
                verbs: ["get", "list", "watch"],
                resources: Set(ResourceKind.builtIn.map(\.plural) + ["events", "history"] + workflowResources + policyResources))
        ])

    /// Policies and what they decided: operators and viewers read them; only admins write policies.
    public static let policyResources = ["policies", "violations"]

    public static let builtIn: [Role] = [.admin, .operator, .viewer]

    /// The role as a document.
    public var value: Value {
        [
            "name": .string(name), "builtIn": .bool(Role.builtIn.contains { $0.name == name }),
            "rules": .array(
                rules.map { ["verbs": .array($0.verbs.sorted().map(Value.string)), "resources": .array($0.resources.sorted().map(Value.string))] }),
        ]
    }

    /// Reads a custom role document, checking every verb and resource name.
    public static func read(_ document: Value, knownResources: [String]) throws(NovaError) -> Role {
        var reader = ObjectReader(document, at: "")
        let name = reader.string("name", required: true) ?? ""
        if !name.isEmpty, let problem = ResourceName.problem(with: name) { reader.report("name", code: "invalid_name", problem) }
        if builtIn.contains(where: { $0.name == name }) { reader.report("name", code: "invalid_name", "\(name) is a built-in role") }
        let rules = reader.array("rules") { value, path, diags -> Rule? in
            var r = ObjectReader(value, at: path)
            let verbs = r.array("verbs") { v, p, d -> String? in
                guard let s = v.stringValue, s == "*" || Verb(rawValue: s) != nil else {
                    d.append(
                        Diagnostic(code: "invalid_value", message: "must be one of \(Verb.allCases.map(\.rawValue).joined(separator: ", ")) or *", path: p.text)
                    )
                    return nil
                }
                return s
            }
            let resources = r.array("resources") { v, p, d -> String? in
                guard let s = v.stringValue, s == "*" || knownResources.contains(s) else {
                    d.append(Diagnostic(code: "invalid_value", message: "must be one of \(knownResources.joined(separator: ", ")) or *", path: p.text))
                    return nil
                }
                return s
            }
            if value["verbs"]?.arrayValue?.isEmpty ?? true, verbs.isEmpty { r.report("verbs", code: "required_field", "needs at least one verb") }
            if value["resources"]?.arrayValue?.isEmpty ?? true, resources.isEmpty {
                r.report("resources", code: "required_field", "needs at least one resource")
            }
            diags += r.finish()
            return Rule(verbs: Set(verbs), resources: Set(resources))
        }
        if rules.isEmpty { reader.report("rules", code: "required_field", "needs at least one rule") }
        let diagnostics = reader.finish()
        if !diagnostics.isEmpty { throw NovaError.validation(diagnostics, subject: "role") }
        return Role(name: name, rules: rules)
    }
}

extension Role {
    /// Rebuilds a role the store kept (it was validated when saved).
    public init?(storedValue value: Value) {
        guard let name = value["name"]?.stringValue, let rules = value["rules"]?.arrayValue else { return nil }
        self.name = name
        self.rules = rules.map { rule in
            Rule(
                verbs: Set(rule["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? []),
                resources: Set(rule["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
    }
}
