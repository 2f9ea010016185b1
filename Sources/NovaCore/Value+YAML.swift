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
    /// Scalars are typed by YAML 1.1's core rules as Yams resolves them (so `yes` stays a string
    /// only when quoted); mapping keys must be strings; anchors and aliases are expanded.
    public static func parseYAMLDocuments(_ text: String, file: String? = nil) throws(NovaError) -> [YAMLDocument] {
        do {
            let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
            var documents: [YAMLDocument] = []
            while let node = try parser.nextRoot() {
                let line = node.mark?.line ?? 1
                documents.append(YAMLDocument(value: try convert(node, file: file, depth: 0), line: line))
            }
            return documents
        } catch let error as NovaError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw NovaError(.invalidYAML, "invalid YAML\(file.map { " in \($0)" } ?? ""): \(error)")
        }
    }

    /// Parses a single YAML document (an empty text is null).
    public init(yaml text: String, file: String? = nil) throws(NovaError) {
        let documents = try Value.parseYAMLDocuments(text, file: file)
        guard documents.count <= 1 else {
            throw NovaError(.invalidYAML, "expected one YAML document\(file.map { " in \($0)" } ?? ""), found \(documents.count)")
        }
        self = documents.first?.value ?? .null
    }

    private static func location(_ mark: Mark?, file: String?) -> SourceLocation? {
        mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    private static func failure(_ message: String, at mark: Mark?, file: String?) -> NovaError {
        let loc = location(mark, file: file)
        return NovaError(.invalidYAML, "\(file ?? "the text") is not valid YAML",
                         diagnostics: [Diagnostic(code: ErrorCode.invalidYAML.rawValue, message: message, location: loc)])
    }

    private static func convert(_ node: Node, file: String?, depth: Int) throws(NovaError) -> Value {
        if depth > JSONParser.maximumDepth { throw failure("nesting deeper than \(JSONParser.maximumDepth) levels", at: node.mark, file: file) }
        switch node {
        case .alias:
            throw failure("unresolved alias", at: node.mark, file: file)
        case .scalar(let scalar):
            return convertScalar(scalar)
        case .sequence(let sequence):
            var items: [Value] = []
            for child in sequence { items.append(try convert(child, file: file, depth: depth + 1)) }
            return .array(items)
        case .mapping(let mapping):
            var fields: [Value: Value] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw failure("mapping keys must be plain strings", at: key.mark, file: file)
                }
                let name = keyScalar.string
                if fields.updateValue(try convert(value, file: file, depth: depth + 1), forKey: .string(name)) != nil {
                    throw failure("duplicate key \"\(name)\"", at: key.mark, file: file)
                }
            }
            return .object(fields)
        }
    }

    private static func convertScalar(_ scalar: Node.Scalar) -> Value {
        // Quoted scalars are always strings.
        if scalar.style != .plain { return .string(scalar.string) }
        let node = Node.scalar(scalar)
        switch Resolver.default.resolveTag(of: node) {
        case .null: return .null
        case .bool: return node.bool.map(Value.bool) ?? .string(scalar.string)
        case .int:
            if let i = node.int { return .int(i) }
            return node.float.map { .double(Double($0)) } ?? .string(scalar.string)
        case .float:
            if let d = node.float, d.isFinite { return .double(d) }
            return .string(scalar.string)
        default:
            return .string(scalar.string)
        }
    }

    private static func yamlError(_ error: YamlError, file: String?) -> NovaError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return failure([context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "), at: mark, file: file)
        default:
            return NovaError(.invalidYAML, "invalid YAML\(file.map { " in \($0)" } ?? ""): \(error)")
        }
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
            return Node(keys.map { key in
                (Node(key.stringValue ?? key.canonicalJSON), fields[key]!.yamlNode(preferredKeyOrder: preferredKeyOrder, depth: depth + 1))
            })
        }
    }
}
