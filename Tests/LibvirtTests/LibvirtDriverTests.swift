import ControlPlane
import Foundation
import Infrastructure
import NovaCore
import NovaCronTesting
import Testing

@testable import Libvirt

@Suite struct LibvirtDriverTests {
    @Test func vmLifecycleWithObservationAfterEachStep() async throws {
        let driver = try LibvirtTestHost.makeDriver()
        _ = try await driver.create(Fixtures.resource(Fixtures.networkDocument("lan", cidr: "10.5.0.0/24")))
        let vm = Fixtures.resource(
            Fixtures.vmDocument(
                "app", vcpus: 2, memoryMiB: 1024, networks: ["lan"],
                extra: ["security": ["diskEncryption": true]]))
        var observed = try await driver.create(vm)
        #expect(observed.phase == "running")
        #expect(observed.observed["vcpus"] == 2)
        #expect(observed.observed["memoryMiB"] == 1024)
        #expect(observed.observed["diskGiB"] == 20)
        #expect(observed.observed["networks"] == [["network": "lan"]])
        #expect(observed.observed["security"]?["diskEncryption"] == true)
        observed = try await driver.perform(.stop, onVM: "app")
        #expect(observed.phase == "stopped")
        var resized = vm
        resized.spec = resized.spec.setting("vcpus", to: 4).setting("memoryMiB", to: 4096)
        observed = try await driver.update(resized)
        #expect(observed.observed["vcpus"] == 4)
        #expect(observed.observed["memoryMiB"] == 4096)
        // libvirt's test driver cannot grow volumes: the refusal is libvirt's own, clearly labelled.
        await #expect {
            _ = try await driver.update(Fixtures.resource(resized.document.merging(patch: ["spec": ["diskGiB": 30]])))
        } throws: { error in
            guard let error = error as? NovaError else { return false }
            return error.code == .unsupported && error.diagnostics.first?.code == "libvirt_error_3" && error.message.contains("not supported")
        }
        observed = try await driver.perform(.start, onVM: "app")
        #expect(observed.phase == "running")
        #expect(try await driver.observe(.vm, name: "app")?.observed["vcpus"] == 4)
        try await driver.delete(.vm, name: "app")
        #expect(try await driver.observe(.vm, name: "app") == nil)
        #expect(try await driver.onQueue { try $0.pool(named: "default-pool").volume(named: "novacron-root-app") == nil })
    }

    @Test func networksAndVolumesMapBothWays() async throws {
        let driver = try LibvirtTestHost.makeDriver()
        let network = Fixtures.resource([
            "kind": "Network", "metadata": ["name": "dmz"],
            "spec": [
                "cidr": "192.168.50.0/24", "vlan": 50,
                "dhcp": ["rangeStart": "192.168.50.10", "rangeEnd": "192.168.50.20"],
            ],
        ])
        let net = try await driver.create(network)
        #expect(net.phase == "ready")
        #expect(net.observed["cidr"] == "192.168.50.0/24")
        #expect(net.observed["gateway"] == "192.168.50.1")
        #expect(net.observed["dhcp"] == ["enabled": true, "rangeStart": "192.168.50.10", "rangeEnd": "192.168.50.20"])
        #expect(net.observed["vlan"] == 50)
        let volume = try await driver.create(Fixtures.resource(Fixtures.volumeDocument("logs", sizeGiB: 8)))
        #expect(volume.phase == "available")
        #expect(volume.observed["sizeGiB"] == 8)
        await #expect {
            _ = try await driver.update(Fixtures.resource(Fixtures.volumeDocument("logs", sizeGiB: 2)))
        } throws: { "\($0)".contains("cannot shrink") }
        _ = try await driver.create(Fixtures.resource(Fixtures.vmDocument("db", extra: ["volumes": [["volume": "logs", "device": "vdc"]]])))
        let attached = try #require(try await driver.observe(.volume, name: "logs"))
        #expect(attached.phase == "attached")
        #expect(attached.observed["attachedTo"] == "db")
        #expect(try await driver.observe(.vm, name: "db")?.observed["volumes"] == [["volume": "logs", "device": "vdc"]])
        await #expect {
            try await driver.delete(.volume, name: "logs")
        } throws: { ($0 as? NovaError)?.code == .conflict }
        let all = try await driver.observeAll()
        #expect(Set(all.map { "\($0.kind.name)/\($0.name)" }) == ["Network/dmz", "Volume/logs", "VM/db"])
    }

    @Test func templatesAreClonedIntoRootDisks() async throws {
        let driver = try LibvirtTestHost.makeDriver()
        let template = Fixtures.resource([
            "kind": "Template", "metadata": ["name": "debian"],
            "spec": ["image": "debian-12.qcow2", "os": ["family": "linux"], "defaults": ["diskGiB": 10]],
        ])
        #expect(try await driver.create(template).observed["baseVolume"] == "novacron-tpl-debian")
        var document = Fixtures.vmDocument("from-template", extra: ["diskGiB": 25])
        document = document.setting("spec", to: document["spec"]!.setting("image", to: nil).setting("template", to: "debian"))
        let vm = try await driver.create(Fixtures.resource(document))
        #expect(vm.observed["template"] == "debian")
        #expect(vm.observed["diskGiB"] == 25)
    }

    @Test func errorsComeBackAsClearNovaCronErrors() async throws {
        let driver = try LibvirtTestHost.makeDriver()
        let vm = Fixtures.resource(Fixtures.vmDocument("dup"))
        _ = try await driver.create(vm)
        await #expect {
            _ = try await driver.create(vm)
        } throws: { ($0 as? NovaError)?.code == .alreadyExists }
        await #expect {
            _ = try await driver.create(Fixtures.resource(Fixtures.vmDocument("lonely", networks: ["missing-net"])))
        } throws: { error in
            guard let error = error as? NovaError else { return false }
            return error.isRetryable && error.message.contains("Network/missing-net")
        }
        // A libvirt error keeps libvirt's own code and message.
        let badPool = LibvirtDriver(uri: driver.uri, storagePool: "no-such-pool", clock: ManualClock())
        await #expect {
            _ = try await badPool.create(Fixtures.resource(Fixtures.volumeDocument("v")))
        } throws: { error in
            guard let error = error as? NovaError else { return false }
            return error.code == .notFound && error.diagnostics.first?.code == "libvirt_error_49" && error.message.contains("no-such-pool")
        }
    }

    @Test func unreachableHostsBackOffAndReconnect() async throws {
        let clock = ManualClock()
        let broken = LibvirtDriver(uri: "test:///nonexistent/node.xml", storagePool: "default-pool", clock: clock)
        await #expect {
            _ = try await broken.observeAll()
        } throws: { ($0 as? NovaError)?.code == .unavailable && ($0 as? NovaError)?.isRetryable == true }
        await #expect {
            _ = try await broken.observeAll()
        } throws: { "\($0)".contains("reconnecting in") }
        // A working host whose connection drops is reopened on the next call. (A file-backed
        // test host keeps its state only while a connection is open, so the check is that the
        // call succeeds, not what it sees.)
        let driver = try LibvirtTestHost.makeDriver(clock: clock)
        _ = try await driver.create(Fixtures.resource(Fixtures.networkDocument("n1")))
        #expect(try await driver.observeAll().map(\.name) == ["n1"])
        await driver.dropConnection()
        #expect(try await driver.observeAll().isEmpty)
    }

    @Test func userTextIsEscapedInXML() throws {
        let hostile = "evil</nc:resource><script>&amp;\"'"
        let resource = Fixtures.resource(Fixtures.vmDocument("x").setting("spec", to: Fixtures.vmDocument("x")["spec"]!.setting("image", to: .string(hostile))))
        let spec = try #require(resource.typedSpec(VMSpec.self))
        let xml = LibvirtXML.domain(name: "x", spec: resource.spec, typed: spec, domainType: "test", pool: "p")
        let parsed = try LibvirtXML.parseDomain(xml)
        #expect(parsed.metadata?["image"] == .string(hostile))
        #expect(parsed.vcpus == 2)
        #expect(parsed.memoryKiB == 2048 * 1024)
        #expect(!xml.contains("<script>"))
    }

    @Test func telemetryRatesFromCumulativeCounters() throws {
        let old: [String: Double] = [
            "cpu.time": 10e9, "vcpu.current": 2, "balloon.current": 1_048_576, "balloon.maximum": 2_097_152,
            "block.count": 1, "block.0.rd.reqs": 100, "block.0.wr.reqs": 50,
            "net.count": 1, "net.0.rx.bytes": 0, "net.0.tx.bytes": 0,
        ]
        var new = old
        new["cpu.time"] = 10e9 + 60e9  // one full vCPU of two for 60 s
        new["block.0.rd.reqs"] = 100 + 600
        new["block.0.wr.reqs"] = 50 + 600
        new["net.0.rx.bytes"] = 75_000_000  // 10 Mbit/s over 60 s
        new["net.0.tx.bytes"] = 150_000_000
        let sample = try #require(TelemetryRecorder.sample(from: old, to: new, seconds: 60, at: Date()))
        #expect(abs(sample.cpuPercent - 50) < 1e-9)
        #expect(abs(sample.memoryPercent - 50) < 1e-9)
        #expect(abs(sample.diskIOPS - 20) < 1e-9)
        #expect(abs(sample.networkInMbps - 10) < 1e-9)
        #expect(abs(sample.networkOutMbps - 20) < 1e-9)
        var recorder = TelemetryRecorder()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        recorder.record(["vm": old], at: t0)
        recorder.record(["vm": new], at: t0.addingTimeInterval(60))
        #expect(recorder.samples(for: "vm", from: t0, to: t0.addingTimeInterval(120)).count == 1)
    }
}

@Suite struct LibvirtReconcilerTests {
    @Test func convergesToRunning() async throws {
        try await ReconcilerConformance.convergesToRunning(try LibvirtTestHost.makeEnvironment(), prefix: "lv1")
    }

    @Test func appliesNewVersions() async throws {
        try await ReconcilerConformance.appliesNewVersions(try LibvirtTestHost.makeEnvironment(), prefix: "lv2")
    }

    @Test func waitsForDependencies() async throws {
        try await ReconcilerConformance.waitsForDependencies(try LibvirtTestHost.makeEnvironment(), prefix: "lv3")
    }

    @Test func deletesFromInfrastructure() async throws {
        try await ReconcilerConformance.deletesFromInfrastructure(try LibvirtTestHost.makeEnvironment(), prefix: "lv4")
    }

    /// Another connection to the same hypervisor (test:///default is shared within a process)
    /// changes the guest behind NovaCron's back.
    @Test func reportsChangesMadeThroughAnotherConnection() async throws {
        let env = TestEnvironment(makeDriver: { clock in LibvirtDriver(uri: "test:///default", storagePool: "default-pool", clock: clock) })
        let prefix = "oob-\(UUID().uuidString.prefix(8).lowercased())"
        try await ReconcilerConformance.reportsOutOfBandChanges(env, prefix: prefix) { vm in
            let other = try LibvirtConnection(uri: "test:///default")
            try #require(try other.domain(named: vm)).setVCPUs(1)
        }
        _ = try await env.controlPlane.delete(.vm, named: "\(prefix)-vm", as: Fixtures.admin)
        await env.reconciler.reconcileOnce()
    }

    @Test func unreachableDriverMarksResources() async throws {
        let env = TestEnvironment(makeDriver: { clock in LibvirtDriver(uri: "test:///nonexistent/node.xml", storagePool: "p", clock: clock) })
        try await env.apply([Fixtures.vmDocument("a")])
        await env.reconciler.reconcileOnce()
        let vm = try #require(try await env.store.resource(.vm, named: "a"))
        #expect(vm.status.condition("InfrastructureReachable")?.status == .false)
        #expect(vm.status.condition("InfrastructureReachable")?.message.contains("nonexistent") == true)
    }
}
