import NovaCore

/// How one NovaCron kind appears in Terraform: its attributes and blocks, and the two
/// conversions between a Terraform value and the kind's `spec`. `KindResource` and
/// `KindDataSource` do the rest (name, labels, ids, timeouts, waiting, errors), so adding a
/// kind-backed resource is one file holding one of these.
protocol KindMapping: Sendable {
    static var typeName: String { get }
    static var kindName: String { get }
    static var plural: String { get }
    static var summary: String { get }
    /// The resource schema's version; states written at older versions go through `upgrade`.
    static var schemaVersion: Int { get }
    static var attributes: [Attribute] { get }
    static var blocks: [NestedBlock] { get }
    /// Spec fields as the server names them in errors (`spec.memoryMiB`) → attributes (`memory_mib`).
    static var fieldAttributes: [String: String] { get }
    /// Whether create and update wait until the reconciler has made the infrastructure match.
    static var waitsForReconcile: Bool { get }
    /// The kind whose spec rules `validate` checks at plan time (nil: the server checks on apply).
    static var specKind: ResourceKind? { get }
    static func spec(from value: TerraformValue) -> Value
    /// Attribute values read back from the server's spec and status.
    static func attributes(spec: Value, status: Value) -> [String: TerraformValue]
    /// Rewrites a JSON state stored at `version` (< schemaVersion) into the current shape.
    static func upgrade(from version: Int, json: Value) throws -> Value
    /// Resources the spec refers to by name, as (plural, name): one that does not exist means
    /// the resource can never converge, so waiting for it stops at once.
    static func references(in spec: Value) -> [(plural: String, name: String)]
    /// Sizes that can grow in place but never shrink (a disk's, a volume's).
    static var growOnlyAttributes: [String] { get }
}

extension KindMapping {
    static var schemaVersion: Int { 0 }
    static var blocks: [NestedBlock] { [] }
    static var fieldAttributes: [String: String] { [:] }
    static var waitsForReconcile: Bool { true }
    static var specKind: ResourceKind? { nil }
    static func upgrade(from version: Int, json: Value) throws -> Value { json }
    static func references(in spec: Value) -> [(plural: String, name: String)] { [] }
    static var growOnlyAttributes: [String] { [] }
}

/// Small conversions the mappings share.
extension TerraformValue {
    /// A string, number or bool as a `Value`; nil when null or unknown (so it is left out).
    var specValue: Value? {
        switch self {
        case .string(let s): .string(s)
        case .number(let d): .double(d)
        case .bool(let b): .bool(b)
        case .list(let items), .set(let items), .tuple(let items): .array(items.compactMap(\.specValue))
        case .map(let fields), .object(let fields): .object(fields.compactMapValues(\.specValue))
        case .null, .unknown: nil
        }
    }

    /// A JSON scalar from a document as a Terraform value (null when absent).
    init(_ value: Value?) {
        switch value {
        case .string(let s)?: self = .string(s)
        case .number(let n)?: self = .number(n.doubleValue)
        case .bool(let b)?: self = .bool(b)
        case .array(let items)?: self = .list(items.map { TerraformValue($0) })
        default: self = .null
        }
    }
}

extension Dictionary where Key == String, Value == NovaCore.Value {
    /// Sets `key` only when the Terraform value is known and not null.
    mutating func put(_ key: String, _ value: TerraformValue) {
        if let converted = value.specValue { self[key] = converted }
    }
}
