import NovaCore

/// A parsed Rego file: its package, imports and rules.
public struct Module: Sendable, Hashable {
    /// `import data.x.y as z`, `import future.keywords.in`, `import rego.v1`.
    public struct Import: Sendable, Hashable {
        public var path: Term
        public var alias: String?
        public var span: SourceSpan
    }

    public enum Version: Sendable, Hashable { case v0, v1 }

    public var file: String
    public var package: Term
    public var imports: [Import]
    public var rules: [Rule]
    public var version: Version
    /// The `# METADATA` block right above `package`, as YAML read it.
    public var annotations: Value? = nil

    /// The package as a path of names: `package a.b["c"]` is `["a", "b", "c"]`.
    public var packagePath: [String] {
        guard case .ref(let head, let path) = package.kind, let first = head.variableName else { return package.variableName.map { [$0] } ?? [] }
        return [first]
            + path.compactMap { step in
                switch step {
                case .field(let name): name
                case .index(let term): if case .string(let s) = term.kind { s } else { nil }
                }
            }
    }
}
