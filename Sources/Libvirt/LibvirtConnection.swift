import CLibvirt
import Foundation
import NovaCore

/// An open libvirt connection. It closes itself when released.
///
/// `@unchecked Sendable`: libvirt connections are thread-safe in the C library, and NovaCron
/// also confines every call to the driver's serial queue.
final class LibvirtConnection: @unchecked Sendable {
    let pointer: virConnectPtr
    let uri: String

    init(uri: String) throws {
        SharedLibraries.ready
        _ = LibvirtError.silenceDefaultHandler
        guard let pointer = virConnectOpen(uri) else { throw LibvirtError.last("connect to \(uri)") }
        self.pointer = pointer
        self.uri = uri
    }

    deinit { virConnectClose(pointer) }

    var isAlive: Bool { virConnectIsAlive(pointer) == 1 }

    /// `Test`, `QEMU`, …
    var hypervisorType: String { virConnectGetType(pointer).map { String(cString: $0) } ?? "unknown" }

    var hostname: String {
        guard let name = virConnectGetHostname(pointer) else { return "unknown" }
        defer { free(name) }
        return String(cString: name)
    }

    // MARK: Domains

    func domain(named name: String) throws -> LibvirtDomain? {
        try LibvirtError.lookup(virDomainLookupByName(pointer, name), "look up domain \(name)", wrap: LibvirtDomain.init)
    }

    func defineDomain(xml: String) throws -> LibvirtDomain {
        guard let pointer = virDomainDefineXML(pointer, xml) else { throw LibvirtError.last("define domain") }
        return LibvirtDomain(pointer)
    }

    func allDomains() throws -> [LibvirtDomain] {
        var list: UnsafeMutablePointer<virDomainPtr?>?
        let count = virConnectListAllDomains(pointer, &list, 0)
        guard count >= 0, let list else { throw LibvirtError.last("list domains") }
        defer { free(list) }
        return (0..<Int(count)).compactMap { list[$0].map(LibvirtDomain.init) }
    }

    // MARK: Networks

    func network(named name: String) throws -> LibvirtNetwork? {
        try LibvirtError.lookup(virNetworkLookupByName(pointer, name), "look up network \(name)", wrap: LibvirtNetwork.init)
    }

    func defineNetwork(xml: String) throws -> LibvirtNetwork {
        guard let pointer = virNetworkDefineXML(pointer, xml) else { throw LibvirtError.last("define network") }
        return LibvirtNetwork(pointer)
    }

    func allNetworks() throws -> [LibvirtNetwork] {
        var list: UnsafeMutablePointer<virNetworkPtr?>?
        let count = virConnectListAllNetworks(pointer, &list, 0)
        guard count >= 0, let list else { throw LibvirtError.last("list networks") }
        defer { free(list) }
        return (0..<Int(count)).compactMap { list[$0].map(LibvirtNetwork.init) }
    }

    // MARK: Storage

    func pool(named name: String) throws -> LibvirtStoragePool {
        guard let pointer = virStoragePoolLookupByName(pointer, name) else { throw LibvirtError.last("look up storage pool \(name)") }
        return LibvirtStoragePool(pointer)
    }

    // MARK: Statistics

    /// Cumulative counters of every domain, as `virConnectGetAllDomainStats` reports them.
    func allDomainStats() throws -> [String: [String: Double]] {
        var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>?
        let wanted =
            VIR_DOMAIN_STATS_STATE.rawValue | VIR_DOMAIN_STATS_CPU_TOTAL.rawValue | VIR_DOMAIN_STATS_BALLOON.rawValue
            | VIR_DOMAIN_STATS_INTERFACE.rawValue | VIR_DOMAIN_STATS_BLOCK.rawValue | VIR_DOMAIN_STATS_VCPU.rawValue
        let count = virConnectGetAllDomainStats(pointer, wanted, &records, 0)
        guard count >= 0, let records else { throw LibvirtError.last("read domain statistics") }
        defer { virDomainStatsRecordListFree(records) }
        var result: [String: [String: Double]] = [:]
        for index in 0..<Int(count) {
            guard let record = records[index], let domain = record.pointee.dom, let namePointer = virDomainGetName(domain) else { continue }
            var fields: [String: Double] = [:]
            for p in 0..<Int(record.pointee.nparams) {
                var parameter = record.pointee.params[p]
                let field = withUnsafeBytes(of: &parameter.field) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                switch UInt32(bitPattern: parameter.type) {
                case VIR_TYPED_PARAM_INT.rawValue: fields[field] = Double(parameter.value.i)
                case VIR_TYPED_PARAM_UINT.rawValue: fields[field] = Double(parameter.value.ui)
                case VIR_TYPED_PARAM_LLONG.rawValue: fields[field] = Double(parameter.value.l)
                case VIR_TYPED_PARAM_ULLONG.rawValue: fields[field] = Double(parameter.value.ul)
                case VIR_TYPED_PARAM_DOUBLE.rawValue: fields[field] = parameter.value.d
                default: break
                }
            }
            result[String(cString: namePointer)] = fields
        }
        return result
    }
}
