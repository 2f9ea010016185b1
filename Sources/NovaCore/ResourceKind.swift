/// A kind of resource: its name in documents (`VM`), its plural in URLs (`vms`) and the type
/// that reads and validates its spec.
///
/// Kinds are values rather than an enum so that a capability module (policies, later) can add
/// its own kind without touching this one.
public struct ResourceKind: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let plural: String
    public let specType: any ResourceSpec.Type

    public init(name: String, plural: String, specType: any ResourceSpec.Type) {
        self.name = name
        self.plural = plural
        self.specType = specType
    }

    public var description: String { name }

    public static func == (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public static let vm = ResourceKind(name: "VM", plural: "vms", specType: VMSpec.self)
    public static let network = ResourceKind(name: "Network", plural: "networks", specType: NetworkSpec.self)
    public static let volume = ResourceKind(name: "Volume", plural: "volumes", specType: VolumeSpec.self)
    public static let template = ResourceKind(name: "Template", plural: "templates", specType: TemplateSpec.self)

    /// The kinds NovaCron itself defines.
    public static let builtIn: [ResourceKind] = [.vm, .network, .volume, .template]

    /// Whether `text` names this kind: its name or plural, in any case (`vm`, `VMs`, `networks`).
    public func isNamed(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered == name.lowercased() || lowered == plural || lowered == name.lowercased() + "s"
    }

    /// Reads and validates a spec of this kind, returning it normalised (defaults filled in).
    public func normalizeSpec(_ value: Value?, at path: FieldPath = "spec") -> (spec: Value?, diagnostics: [Diagnostic]) {
        var reader = ObjectReader(value, at: path)
        if value == nil || value == .null {
            reader.report(nil, code: "required_field", "is required")
            return (nil, reader.diagnostics)
        }
        let spec = specType.read(&reader)
        let diagnostics = reader.finish()
        guard diagnostics.allSatisfy({ $0.severity != .error }), let spec else { return (nil, diagnostics) }
        return (spec.value, diagnostics)
    }
}

/// The desired state of one kind of resource, read from a document and written back to one.
public protocol ResourceSpec: Sendable {
    /// Reads the spec; problems go into the reader. Returns nil when the spec cannot be built.
    static func read(_ reader: inout ObjectReader) -> Self?
    /// The spec as a document, defaults included, so equal specs are equal values.
    var value: Value { get }
}
