import Foundation

/// A declarative resource: desired `spec`, observed `status`, and its metadata.
///
/// The same document shape is YAML in files and JSON in the API:
/// `{apiVersion, kind, metadata: {name, labels, …}, spec: {…}, status: {…}}`.
public struct Resource: Sendable, Hashable {
    public static let apiVersion = "novacron.io/v1"

    public var kind: ResourceKind
    public var metadata: ResourceMetadata
    /// The desired state, normalised by the kind's spec type.
    public var spec: Value
    public var status: ResourceStatus

    public init(kind: ResourceKind, metadata: ResourceMetadata, spec: Value, status: ResourceStatus = ResourceStatus()) {
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var name: String { metadata.name }

    /// `VM/web-1`: how messages and the audit log name a resource.
    public var reference: String { "\(kind.name)/\(metadata.name)" }

    /// The whole resource as a document.
    public var document: Value {
        [
            "apiVersion": .string(Resource.apiVersion), "kind": .string(kind.name), "metadata": metadata.value,
            "spec": spec, "status": status.value,
        ]
    }

    /// The desired part only (kind, name, labels, annotations, spec): what a write changes and
    /// what the audit log fingerprints.
    public var desiredDocument: Value {
        var meta: [String: Value] = ["name": .string(metadata.name)]
        if !metadata.labels.isEmpty { meta["labels"] = .strings(metadata.labels) }
        if !metadata.annotations.isEmpty { meta["annotations"] = .strings(metadata.annotations) }
        return ["kind": .string(kind.name), "metadata": .object(meta), "spec": spec]
    }

    /// Whether two resources want the same thing (status and bookkeeping aside).
    public func hasSameDesiredState(as other: Resource) -> Bool {
        kind == other.kind && metadata.name == other.metadata.name && metadata.labels == other.metadata.labels
            && metadata.annotations == other.metadata.annotations && spec == other.spec
    }

    /// The spec decoded as its typed form.
    public func typedSpec<S: ResourceSpec>(_ type: S.Type) -> S? {
        var reader = ObjectReader(spec, at: "spec")
        return S.read(&reader)
    }
}

extension Resource {
    /// Reads a resource document sent by a client, validating everything it can and reporting
    /// every problem with its field path. Status sent by a client is ignored: it is the server's.
    ///
    /// - Parameter kinds: the kinds this server knows.
    /// - Parameter expectedKind: when given (the URL said which kind), a document may omit `kind`.
    public static func read(
        document: Value, kinds: [ResourceKind] = ResourceKind.builtIn,
        expectedKind: ResourceKind? = nil
    ) -> (resource: Resource?, diagnostics: [Diagnostic]) {
        var reader = ObjectReader(document, at: "")
        if document.objectValue == nil { return (nil, reader.diagnostics) }
        if let apiVersion = reader.string("apiVersion"), apiVersion != Resource.apiVersion {
            reader.report("apiVersion", code: "invalid_value", "must be \(Resource.apiVersion), got \"\(apiVersion)\"")
        }
        var kind = expectedKind
        if let kindName = reader.string("kind", required: expectedKind == nil) {
            if let named = kinds.first(where: { $0.name == kindName }) {
                if let expectedKind, expectedKind != named {
                    reader.report("kind", code: "invalid_value", "must be \(expectedKind.name) at this address, got \(kindName)")
                }
                kind = named
            } else {
                reader.report("kind", code: "unknown_kind", "must be one of \(kinds.map(\.name).joined(separator: ", ")), got \"\(kindName)\"")
                kind = nil
            }
        }
        let metadata: ResourceMetadata
        if reader.raw("metadata") == nil {
            reader.report("metadata", code: "required_field", "is required")
            metadata = ResourceMetadata(name: "")
        } else {
            metadata = reader.object("metadata") { ResourceMetadata.read(&$0) } ?? ResourceMetadata(name: "")
        }
        let specValue = reader.raw("spec")
        _ = reader.raw("status")
        var diagnostics = reader.finish()
        guard let kind else {
            if specValue == nil { diagnostics.append(Diagnostic(code: "required_field", message: "is required", path: "spec")) }
            return (nil, diagnostics)
        }
        let (spec, specDiagnostics) = kind.normalizeSpec(specValue)
        diagnostics += specDiagnostics
        guard let spec, !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        return (Resource(kind: kind, metadata: metadata, spec: spec), diagnostics)
    }

    /// Rebuilds a stored resource from its document, trusting it (it was validated when written).
    public init?(storedDocument document: Value, kinds: [ResourceKind] = ResourceKind.builtIn) {
        guard let kindName = document["kind"]?.stringValue, let kind = kinds.first(where: { $0.name == kindName }),
            let meta = document["metadata"], let name = meta["name"]?.stringValue
        else { return nil }
        func strings(_ v: Value?) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (v?.sortedStringFields ?? []).compactMap { k, v in v.stringValue.map { (k, $0) } })
        }
        self.kind = kind
        metadata = ResourceMetadata(
            name: name, labels: strings(meta["labels"]), annotations: strings(meta["annotations"]),
            resourceVersion: meta["resourceVersion"]?.stringValue.flatMap { Int($0) } ?? meta["resourceVersion"]?.intValue ?? 0,
            uid: meta["uid"]?.stringValue, createdAt: meta["createdAt"]?.stringValue.flatMap(Timestamp.parse),
            updatedAt: meta["updatedAt"]?.stringValue.flatMap(Timestamp.parse), managedBy: meta["managedBy"]?.stringValue)
        spec = document["spec"] ?? .emptyObject
        status = document["status"].map(ResourceStatus.init(value:)) ?? ResourceStatus()
    }
}
