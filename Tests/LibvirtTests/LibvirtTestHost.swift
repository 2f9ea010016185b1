import Foundation
import NovaCore
import NovaCronTesting

@testable import Libvirt

/// A private libvirt test-driver host: a node description in a temporary file, so every test
/// has its own hypervisor state (test:///default is shared by every connection in a process).
enum LibvirtTestHost {
    static func makeURI() throws -> String {
        let directory = try ScratchDirectory.make("libvirt")
        let node = """
            <node>
              <pool type='dir'>
                <name>default-pool</name>
                <capacity unit='GiB'>1000</capacity>
                <available unit='GiB'>1000</available>
                <target><path>/default-pool</path></target>
              </pool>
            </node>
            """
        let file = directory.appendingPathComponent("node.xml")
        try node.write(to: file, atomically: true, encoding: .utf8)
        return "test://\(file.path)"
    }

    static func makeDriver(clock: any WallClock = ManualClock(), uri: String? = nil) throws -> LibvirtDriver {
        LibvirtDriver(uri: try uri ?? makeURI(), storagePool: "default-pool", clock: clock)
    }

    static func makeEnvironment() throws -> TestEnvironment {
        let uri = try makeURI()
        return TestEnvironment(makeDriver: { clock in LibvirtDriver(uri: uri, storagePool: "default-pool", clock: clock) })
    }
}
