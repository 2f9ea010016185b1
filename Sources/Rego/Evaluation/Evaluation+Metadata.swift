import Foundation
import NovaCore

extension Evaluation {
    /// Annotations as OPA reports them: `scope` filled in, authors as `{name, email}` objects.
    static func normalized(_ annotations: Value?, scope: String) -> Value? {
        guard case .object(var fields)? = annotations else { return nil }
        if fields["scope"] == nil { fields["scope"] = .string(scope) }
        if let authors = fields["authors"] {
            fields["authors"] = .array(
                (authors.arrayValue ?? [authors]).map { author in
                    guard case .string(let text) = author else { return author }
                    if let open = text.firstIndex(of: "<"), text.hasSuffix(">") {
                        let name = text[..<open].trimmingCharacters(in: .whitespaces)
                        let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
                        return name.isEmpty ? ["email": .string(email)] : ["name": .string(name), "email": .string(email)]
                    }
                    return ["name": .string(text)]
                })
        }
        return .object(fields)
    }

    /// `rego.metadata.rule()`: the annotations of the rule being evaluated.
    func metadataRule() -> Value {
        Self.normalized(currentRule?.rule.annotations, scope: "rule") ?? .emptyObject
    }

    /// `rego.metadata.chain()`: the rule's annotations, then the document-scoped annotations of
    /// the other rules at its path, then its package's — each with the path it applies to.
    func metadataChain() -> Value {
        guard let current = currentRule else { return .array([]) }
        let packagePath = Array(current.package.dropFirst())
        let rulePath = packagePath + Parser.names(of: current.rule.ref).prefix(1)
        var chain: [Value] = []
        var first: [Value: Value] = ["path": .array(rulePath.map(Value.string))]
        if let annotations = Self.normalized(current.rule.annotations, scope: "rule"), annotations["scope"] != .string("document") {
            first["annotations"] = annotations
        }
        chain.append(.object(first))
        let fullPath = ["data"] + rulePath
        for other in policy.definitions[fullPath] ?? [] {
            if let annotations = Self.normalized(other.rule.annotations, scope: "rule"), annotations["scope"] == .string("document") {
                chain.append(["path": .array(rulePath.map(Value.string)), "annotations": annotations])
            }
        }
        if let annotations = Self.normalized(policy.packageAnnotations[current.package], scope: "package") {
            chain.append(["path": .array(packagePath.map(Value.string)), "annotations": annotations])
        }
        return .array(chain)
    }
}
