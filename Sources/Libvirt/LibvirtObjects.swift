import CLibvirt
import Foundation

/// Reads a libvirt-allocated C string and frees it.
func takeString(_ pointer: UnsafeMutablePointer<CChar>?, _ operation: @autoclosure () -> String) throws -> String {
    guard let pointer else { throw LibvirtError.last(operation()) }
    defer { free(pointer) }
    return String(cString: pointer)
}

/// The text in a NUL-terminated C buffer.
func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Checks a libvirt status code (negative is failure).
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    if status < 0 { throw LibvirtError.last(operation()) }
}

/// A domain handle; freed when released. Confined to the driver's queue.
final class LibvirtDomain {
    let pointer: virDomainPtr

    init(_ pointer: virDomainPtr) { self.pointer = pointer }
    deinit { virDomainFree(pointer) }

    var name: String { virDomainGetName(pointer).map { String(cString: $0) } ?? "" }

    var uuid: String {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        return virDomainGetUUIDString(pointer, &buffer) == 0 ? text(of: buffer) : ""
    }

    func xml(inactive: Bool = false) throws -> String {
        try takeString(virDomainGetXMLDesc(pointer, inactive ? UInt32(VIR_DOMAIN_XML_INACTIVE.rawValue) : 0), "read domain \(name) XML")
    }

    struct Info {
        var state: Int32
        var maxMemoryKiB: UInt
        var memoryKiB: UInt
        var vcpus: Int
        var cpuTimeNanoseconds: UInt64
    }

    func info() throws -> Info {
        var raw = virDomainInfo()
        try check(virDomainGetInfo(pointer, &raw), "read domain \(name) info")
        return Info(
            state: Int32(raw.state), maxMemoryKiB: raw.maxMem, memoryKiB: raw.memory, vcpus: Int(raw.nrVirtCpu),
            cpuTimeNanoseconds: raw.cpuTime)
    }

    var isActive: Bool { virDomainIsActive(pointer) == 1 }

    func start() throws { try check(virDomainCreate(pointer), "start domain \(name)") }

    /// Stops at once (power off); a graceful ACPI shutdown may never finish on a stuck guest.
    func destroy() throws { try check(virDomainDestroy(pointer), "stop domain \(name)") }

    func undefine() throws { try check(virDomainUndefineFlags(pointer, 0), "undefine domain \(name)") }

    func setVCPUs(_ count: Int) throws {
        try check(virDomainSetVcpusFlags(pointer, UInt32(count), UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)), "set vCPUs of \(name)")
    }

    func setMemory(kibibytes: UInt) throws {
        try check(virDomainSetMemoryFlags(pointer, kibibytes, UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)), "set memory of \(name)")
    }

    func setAutostart(_ on: Bool) throws { try check(virDomainSetAutostart(pointer, on ? 1 : 0), "set autostart of \(name)") }
}

/// A virtual network handle; freed when released.
final class LibvirtNetwork {
    let pointer: virNetworkPtr

    init(_ pointer: virNetworkPtr) { self.pointer = pointer }
    deinit { virNetworkFree(pointer) }

    var name: String { virNetworkGetName(pointer).map { String(cString: $0) } ?? "" }
    var isActive: Bool { virNetworkIsActive(pointer) == 1 }

    var uuid: String {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        return virNetworkGetUUIDString(pointer, &buffer) == 0 ? text(of: buffer) : ""
    }

    func xml() throws -> String { try takeString(virNetworkGetXMLDesc(pointer, 0), "read network \(name) XML") }
    func start() throws { try check(virNetworkCreate(pointer), "start network \(name)") }
    func destroy() throws { try check(virNetworkDestroy(pointer), "stop network \(name)") }
    func undefine() throws { try check(virNetworkUndefine(pointer), "undefine network \(name)") }
}

/// A storage pool handle; freed when released.
final class LibvirtStoragePool {
    let pointer: virStoragePoolPtr

    init(_ pointer: virStoragePoolPtr) { self.pointer = pointer }
    deinit { virStoragePoolFree(pointer) }

    var name: String { virStoragePoolGetName(pointer).map { String(cString: $0) } ?? "" }

    func volume(named name: String) throws -> LibvirtStorageVolume? {
        try LibvirtError.lookup(virStorageVolLookupByName(pointer, name), "look up volume \(name)", wrap: LibvirtStorageVolume.init)
    }

    func createVolume(xml: String) throws -> LibvirtStorageVolume {
        guard let pointer = virStorageVolCreateXML(pointer, xml, 0) else { throw LibvirtError.last("create volume in \(name)") }
        return LibvirtStorageVolume(pointer)
    }

    /// A new volume whose content is copied from `source` (a template's base image).
    func cloneVolume(xml: String, from source: LibvirtStorageVolume) throws -> LibvirtStorageVolume {
        guard let pointer = virStorageVolCreateXMLFrom(pointer, xml, source.pointer, 0) else {
            throw LibvirtError.last("clone volume \(source.name) in \(name)")
        }
        return LibvirtStorageVolume(pointer)
    }

    func allVolumes() throws -> [LibvirtStorageVolume] {
        var list: UnsafeMutablePointer<virStorageVolPtr?>?
        let count = virStoragePoolListAllVolumes(pointer, &list, 0)
        guard count >= 0, let list else { throw LibvirtError.last("list volumes of \(name)") }
        defer { free(list) }
        return (0..<Int(count)).compactMap { list[$0].map(LibvirtStorageVolume.init) }
    }
}

/// A storage volume handle; freed when released.
final class LibvirtStorageVolume {
    let pointer: virStorageVolPtr

    init(_ pointer: virStorageVolPtr) { self.pointer = pointer }
    deinit { virStorageVolFree(pointer) }

    var name: String { virStorageVolGetName(pointer).map { String(cString: $0) } ?? "" }

    var capacityBytes: UInt64 {
        var info = virStorageVolInfo()
        return virStorageVolGetInfo(pointer, &info) == 0 ? UInt64(info.capacity) : 0
    }

    func resize(toBytes bytes: UInt64) throws { try check(virStorageVolResize(pointer, bytes, 0), "resize volume \(name)") }
    func delete() throws { try check(virStorageVolDelete(pointer, 0), "delete volume \(name)") }
}
