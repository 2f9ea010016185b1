/// A VM template: a base image with its operating system and default sizes.
public struct TemplateSpec: ResourceSpec, Hashable {
    public var image: String
    public var osFamily: String
    public var osVersion: String?
    public var defaultVCPUs: Int
    public var defaultMemoryMiB: Int
    public var defaultDiskGiB: Int

    public static func read(_ r: inout ObjectReader) -> TemplateSpec? {
        let image = r.string("image", required: true)
        let os = r.object("os") { o in (o.choice("family", ["linux", "windows", "bsd"], required: true), o.string("version")) }
        if os == nil { r.report("os", code: "required_field", "is required") }
        let defaults = r.object("defaults") { d in
            (d.int("vcpus", in: VMSpec.vcpuRange), d.int("memoryMiB", in: VMSpec.memoryRange), d.int("diskGiB", in: VMSpec.diskRange))
        }
        guard let image, let family = os?.0 else { return nil }
        return TemplateSpec(
            image: image, osFamily: family, osVersion: os?.1, defaultVCPUs: defaults?.0 ?? 1,
            defaultMemoryMiB: defaults?.1 ?? 1024, defaultDiskGiB: defaults?.2 ?? 20)
    }

    public var value: Value {
        var os: [String: Value] = ["family": .string(osFamily)]
        if let osVersion { os["version"] = .string(osVersion) }
        return [
            "image": .string(image), "os": .object(os),
            "defaults": ["vcpus": .int(defaultVCPUs), "memoryMiB": .int(defaultMemoryMiB), "diskGiB": .int(defaultDiskGiB)],
        ]
    }
}
