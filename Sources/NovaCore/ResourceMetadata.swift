import Foundation

/// Identity and bookkeeping of a resource.
public struct ResourceMetadata: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// Increases by one on every change to the desired state; 0 for a resource not yet stored.
    public var resourceVersion: Int
    /// Stable identifier given at creation.
    public var uid: String?
    public var createdAt: Date?
    public var updatedAt: Date?
    /// Who manages the resource (`cli`, `terraform`, `gitops:app`…): a hint for other writers.
    public var managedBy: String?

    public init(
        name: String, labels: [String: String] = [:], annotations: [String: String] = [:], resourceVersion: Int = 0,
        uid: String? = nil, createdAt: Date? = nil, updatedAt: Date? = nil, managedBy: String? = nil
    ) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
        self.resourceVersion = resourceVersion
        self.uid = uid
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.managedBy = managedBy
    }

    var value: Value {
        // Built as `[Value: Value]` directly: documents are made on every write and decision.
        // Sized once: a literal followed by `reserveCapacity` allocated the table twice.
        var fields = [Value: Value](minimumCapacity: 8)
        fields["name"] = .string(name)
        if !labels.isEmpty { fields["labels"] = .strings(labels) }
        if !annotations.isEmpty { fields["annotations"] = .strings(annotations) }
        if resourceVersion > 0 { fields["resourceVersion"] = .string(String(resourceVersion)) }
        if let uid { fields["uid"] = .string(uid) }
        if let createdAt { fields["createdAt"] = .string(Timestamp.format(createdAt)) }
        if let updatedAt { fields["updatedAt"] = .string(Timestamp.format(updatedAt)) }
        if let managedBy { fields["managedBy"] = .string(managedBy) }
        return .object(fields)
    }

    /// Reads metadata a client sent. Server-owned fields (uid, times) are accepted and ignored,
    /// so a document read from the API can be sent back unchanged.
    static func read(_ reader: inout ObjectReader) -> ResourceMetadata {
        let name = reader.string("name", required: true) ?? ""
        if !name.isEmpty, let problem = ResourceName.problem(with: name) {
            reader.report("name", code: "invalid_name", problem)
        }
        let labels = reader.stringMap("labels")
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            if let problem = LabelRules.keyProblem(key) { reader.report("labels.\(LabelRules.excerpt(key))", code: "invalid_label", problem) }
            if let problem = LabelRules.valueProblem(value) { reader.report("labels.\(LabelRules.excerpt(key))", code: "invalid_label", problem) }
        }
        if labels.count > LabelRules.maximumLabels {
            reader.report("labels", code: "too_large", "at most \(LabelRules.maximumLabels) labels, got \(labels.count)")
        }
        let annotations = reader.stringMap("annotations")
        for key in annotations.keys.sorted() {
            if let problem = LabelRules.keyProblem(key) { reader.report("annotations.\(LabelRules.excerpt(key))", code: "invalid_annotation", problem) }
        }
        let annotationBytes = annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if annotationBytes > LabelRules.maximumAnnotationBytes {
            reader.report(
                "annotations", code: "too_large",
                "at most \(LabelRules.maximumAnnotationBytes / 1024) KiB of keys and values in all, got \(annotationBytes) bytes")
        }
        var version = 0
        if let raw = reader.raw("resourceVersion") {
            if let i = raw.intValue ?? raw.stringValue.flatMap({ Int($0) }), i >= 0 {
                version = i
            } else {
                reader.report("resourceVersion", code: "invalid_value", "must be a non-negative integer")
            }
        }
        let managedBy = reader.string("managedBy")
        for ignored in ["uid", "createdAt", "updatedAt"] { _ = reader.raw(ignored) }
        return ResourceMetadata(name: name, labels: labels, annotations: annotations, resourceVersion: version, managedBy: managedBy)
    }
}

/// Rules for resource names: lower-case DNS labels, so a name is safe in URLs, hostnames and files.
public enum ResourceName {
    public static func problem(with name: String) -> String? {
        if name.count > 63 { return "must be at most 63 characters" }
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard allowed, let first = name.first, let last = name.last, first.isLetter || first.isNumber, last != "-" else {
            return "must be lower-case letters, digits and '-', starting with a letter or digit and not ending with '-' (got \"\(LabelRules.excerpt(name))\")"
        }
        return nil
    }
}

/// Label keys and values, as Kubernetes limits them.
public enum LabelRules {
    static let maximumLabels = 64
    /// Kubernetes' bound on a resource's annotations, keys and values together.
    static let maximumAnnotationBytes = 256 * 1024

    public static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard key.utf8.count <= 317, parts.count <= 2, let name = parts.last, !name.isEmpty, name.count <= 63, isLabelText(name),
            parts.count == 1 || (1...253).contains(parts[0].count)
        else {
            return "key \"\(excerpt(key))\" must be an optional prefix of at most 253 characters and '/' then 1–63 letters, digits, '-', '_' or '.'"
        }
        return nil
    }

    public static func valueProblem(_ value: String) -> String? {
        value.count <= 63 && (value.isEmpty || isLabelText(value[...]))
            ? nil : "label value \"\(excerpt(value))\" must be at most 63 letters, digits, '-', '_' or '.'"
    }

    /// A client's text quoted back in an error, cut so that a huge value is not echoed whole.
    static func excerpt(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "…"
    }

    private static func isLabelText(_ text: Substring) -> Bool {
        text.unicodeScalars.allSatisfy {
            ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
            && text.first.map { $0.isLetter || $0.isNumber } == true && text.last.map { $0.isLetter || $0.isNumber } == true
    }
}
