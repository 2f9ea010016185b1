import Foundation
import Yams

/// One YAML document of a stream, with where it starts.
public struct YAMLDocument: Sendable {
    public var value: Value
    /// 1-based line where the document's content starts.
    public var line: Int
}

extension Value {
    /// Parses every document of a YAML stream. Errors carry file, line and column.
    ///
    /// Plain scalars are typed by YAML 1.2's core schema (see `YAMLReader`); mapping keys must
    /// be strings; anchors and aliases are expanded, within a bound.
    public static func parseYAMLDocuments(_ text: String, file: String? = nil) throws(NovaError) -> [YAMLDocument] {
        try YAMLReader(file: file).documents(text)
    }

    /// Parses a single YAML document (an empty text is null).
    public init(yaml text: String, file: String? = nil) throws(NovaError) {
        let documents = try Value.parseYAMLDocuments(text, file: file)
        guard documents.count <= 1 else {
            throw NovaError(.invalidYAML, "expected one YAML document\(file.map { " in \($0)" } ?? ""), found \(documents.count)")
        }
        self = documents.first?.value ?? .null
    }

    /// The value as a YAML document. Object keys are sorted, except that `preferredKeyOrder`
    /// keys come first in that order (so a resource reads kind, metadata, spec, status).
    public func yamlText(preferredKeyOrder: [String] = Value.resourceKeyOrder) -> String {
        let node = yamlNode(preferredKeyOrder: preferredKeyOrder, depth: 0)
        return (try? Yams.serialize(node: node, width: -1, allowUnicode: true, sortKeys: false)) ?? canonicalJSON
    }

    /// The order in which a resource document's top-level keys read best.
    public static let resourceKeyOrder = ["apiVersion", "kind", "metadata", "spec", "status", "name"]

    private func yamlNode(preferredKeyOrder: [String], depth: Int) -> Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .number(let n): return Node(n.description, Tag(n.isInteger ? .int : .float))
        case .string(let s):
            // Quote strings that would otherwise read back as another type.
            let plain = Node(s, Tag(.str))
            let resolved = Resolver.default.resolveTag(of: Node(s))
            return resolved == .str && !s.isEmpty ? plain : Node(s, Tag(.str), .doubleQuoted)
        case .array(let items):
            return Node(items.map { $0.yamlNode(preferredKeyOrder: preferredKeyOrder, depth: depth + 1) })
        case .set(let members):
            return Node(members.sorted().map { $0.yamlNode(preferredKeyOrder: preferredKeyOrder, depth: depth + 1) })
        case .object(let fields):
            // The preferred order applies to the top level only; below it keys are sorted.
            let rank = depth == 0 ? Dictionary(uniqueKeysWithValues: preferredKeyOrder.enumerated().map { ($1, $0) }) : [:]
            let keys = fields.keys.sorted { a, b in
                let ra = a.stringValue.flatMap { rank[$0] } ?? Int.max
                let rb = b.stringValue.flatMap { rank[$0] } ?? Int.max
                return ra != rb ? ra < rb : a < b
            }
            return Node(
                keys.map { key in
                    (Node(key.stringValue ?? key.canonicalJSON), fields[key]!.yamlNode(preferredKeyOrder: preferredKeyOrder, depth: depth + 1))
                })
        }
    }
}
