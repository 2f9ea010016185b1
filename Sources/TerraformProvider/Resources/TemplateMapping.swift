import NovaCore

/// `novacron_template` (data source only): a VM template's image, OS and default sizes.
struct TemplateMapping: KindMapping {
    static let typeName = "novacron_template"
    static let kindName = "Template"
    static let plural = "templates"
    static let summary = "A VM template."

    static let attributes: [Attribute] = [
        .computed("image", .string, "The base image."),
        .computed("os_family", .string, "linux, windows or bsd."),
        .computed("os_version", .string, "The OS version."),
        .computed("default_vcpus", .number, "vCPUs a VM built from it gets by default."),
        .computed("default_memory_mib", .number, "Memory in MiB by default."),
        .computed("default_disk_gib", .number, "Root disk GiB by default."),
    ]

    static func spec(from value: TerraformValue) -> Value { .emptyObject }

    static func attributes(spec: Value, status: Value) -> [String: TerraformValue] {
        let os = spec["os"] ?? .null, defaults = spec["defaults"] ?? .null
        return [
            "image": TerraformValue(spec["image"]), "os_family": TerraformValue(os["family"]),
            "os_version": TerraformValue(os["version"]), "default_vcpus": TerraformValue(defaults["vcpus"]),
            "default_memory_mib": TerraformValue(defaults["memoryMiB"]), "default_disk_gib": TerraformValue(defaults["diskGiB"]),
        ]
    }
}
