import NovaCore

/// `novacron_policy`: a Rego admission policy. The server compiles it on write, so a policy
/// that does not compile fails `apply` with Rego's own file:line:col.
struct PolicyMapping: KindMapping {
    static let typeName = "novacron_policy"
    static let kindName = "Policy"
    static let plural = "policies"
    static let summary = "A Rego admission policy enforced on every write to NovaCron (block, warn or audit)."
    static let waitsForReconcile = false

    static let attributes: [Attribute] = [
        .required("rego", .string, "The policy's Rego source; it answers in deny / warn sets of messages."),
        .optional("rego_version", .string, "v1 (default) or v0.", default: .string("v1")),
        .optional("kinds", .list(.string), "Kinds the policy checks (VM, Network, …); unset means all but policies."),
        .optional(
            "operations", .list(.string), "Operations it checks: create, update, delete.",
            default: .list([.string("create"), .string("update"), .string("delete")])),
        .optional("enforcement", .string, "block, warn or audit.", default: .string("block")),
        .optional("description", .string, "What the policy is for."),
    ]

    static let fieldAttributes = [
        "spec.rego": "rego", "spec.regoVersion": "rego_version", "spec.kinds": "kinds", "spec.operations": "operations",
        "spec.enforcement": "enforcement", "spec.description": "description",
    ]

    static func spec(from value: TerraformValue) -> Value {
        var spec: [String: Value] = [:]
        spec.put("rego", value["rego"])
        spec.put("regoVersion", value["rego_version"])
        spec.put("kinds", value["kinds"])
        spec.put("operations", value["operations"])
        spec.put("enforcement", value["enforcement"])
        spec.put("description", value["description"])
        return .object(spec)
    }

    static func attributes(spec: Value, status: Value) -> [String: TerraformValue] {
        [
            "rego": TerraformValue(spec["rego"]), "rego_version": TerraformValue(spec["regoVersion"]),
            "kinds": TerraformValue(spec["kinds"]), "operations": TerraformValue(spec["operations"]),
            "enforcement": TerraformValue(spec["enforcement"]), "description": TerraformValue(spec["description"]),
        ]
    }
}
