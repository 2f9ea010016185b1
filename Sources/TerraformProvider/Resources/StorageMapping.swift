import NovaCore

/// `novacron_storage`: a block-storage volume (NovaCron's `Volume` kind). VMs attach it with
/// a `volume` block.
struct StorageMapping: KindMapping {
    static let typeName = "novacron_storage"
    static let kindName = "Volume"
    static let plural = "volumes"
    static let summary = "A block-storage volume managed by NovaCron."
    static let specKind: ResourceKind? = .volume

    static let attributes: [Attribute] = [
        .required("size_gib", .number, "Size in GiB (1–65536)."),
        .optional(
            "class", .string, "standard, ssd, nvme or archive. Changing it replaces the volume.", default: .string("standard"),
            requiresReplace: true),
        .optional("encrypted", .bool, "Encrypt at rest. Changing it replaces the volume.", default: .bool(false), requiresReplace: true),
        .computed("phase", .string, "What the infrastructure reports.", keepsPriorValue: false),
    ]

    static let fieldAttributes = ["spec.sizeGiB": "size_gib", "spec.class": "class", "spec.encrypted": "encrypted"]

    static func spec(from value: TerraformValue) -> Value {
        var spec: [String: Value] = [:]
        spec.put("sizeGiB", value["size_gib"])
        spec.put("class", value["class"])
        spec.put("encrypted", value["encrypted"])
        return .object(spec)
    }

    static var growOnlyAttributes: [String] { ["size_gib"] }

    static func attributes(spec: Value, status: Value) -> [String: TerraformValue] {
        [
            "size_gib": TerraformValue(spec["sizeGiB"]), "class": TerraformValue(spec["class"]),
            "encrypted": TerraformValue(spec["encrypted"]), "phase": TerraformValue(status["phase"]),
        ]
    }
}
