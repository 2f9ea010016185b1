import NovaCore

/// Policy documents the policy tests share.
enum PolicyDocuments {
    /// Blocks VMs over `limit` vCPUs and VMs without an owner label.
    static func limits(_ name: String, _ enforcement: String, limit: Int, kinds: [String] = ["VM"]) -> Value {
        [
            "kind": "Policy", "metadata": ["name": .string(name)],
            "spec": [
                "enforcement": .string(enforcement), "kinds": .array(kinds.map(Value.string)),
                "rego": .string(
                    """
                    package limits
                    deny contains msg if {
                      input.resource.spec.vcpus > \(limit)
                      msg := sprintf("%d vCPUs is over the limit of \(limit)", [input.resource.spec.vcpus])
                    }
                    deny contains {"msg": "VMs need an owner label", "details": {"label": "owner"}} if not input.resource.metadata.labels.owner
                    """),
            ],
        ]
    }

    static let owned = ["owner": "team-a"]

    /// A blocking policy with the given Rego body lines (package `p`).
    static func rego(_ name: String, _ rego: String) -> Value {
        [
            "kind": "Policy", "metadata": ["name": .string(name)],
            "spec": ["enforcement": "block", "kinds": ["VM"], "rego": .string("package p\n" + rego)],
        ]
    }
}
