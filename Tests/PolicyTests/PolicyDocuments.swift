import NovaCore

/// Policy documents the policy tests share.
enum PolicyDocuments {
    /// A blocking policy with the given Rego body lines (package `p`).
    static func rego(_ name: String, _ rego: String) -> Value {
        [
            "kind": "Policy", "metadata": ["name": .string(name)],
            "spec": ["enforcement": "block", "kinds": ["VM"], "rego": .string("package p\n" + rego)],
        ]
    }
}
