/// The desired state of a block-storage volume. Volumes are attached from the VM side
/// (`VM.spec.volumes`); the volume's status reports which VM holds it.
public struct VolumeSpec: ResourceSpec, Hashable {
    public static let classes = ["standard", "ssd", "nvme", "archive"]

    public var sizeGiB: Int
    public var storageClass: String
    public var encrypted: Bool

    public static func read(_ r: inout ObjectReader) -> VolumeSpec? {
        let size = r.int("sizeGiB", required: true, in: 1...65_536)
        let storageClass = r.choice("class", classes) ?? "standard"
        let encrypted = r.bool("encrypted") ?? false
        guard let size else { return nil }
        return VolumeSpec(sizeGiB: size, storageClass: storageClass, encrypted: encrypted)
    }

    public var value: Value {
        ["sizeGiB": .int(sizeGiB), "class": .string(storageClass), "encrypted": .bool(encrypted)]
    }
}
