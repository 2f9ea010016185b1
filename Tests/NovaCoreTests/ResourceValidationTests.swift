import NovaCore
import NovaCronTesting
import Testing

@Suite struct ResourceValidationTests {
    @Test func validVMIsNormalisedWithDefaults() throws {
        let (resource, diagnostics) = Resource.read(document: Fixtures.vmDocument("web-1", labels: ["env": "prod"]))
        #expect(diagnostics.isEmpty)
        let vm = try #require(resource)
        #expect(vm.kind == .vm)
        #expect(vm.spec["diskGiB"] == 20)
        #expect(vm.spec["powerState"] == "running")
        #expect(vm.spec["security"]?["sshRootLogin"] == false)
        #expect(vm.metadata.labels == ["env": "prod"])
    }

    @Test func everyProblemIsReportedWithItsPath() {
        let document: Value = [
            "apiVersion": "novacron.io/v2", "kind": "VM",
            "metadata": ["name": "Web_1", "labels": ["env": .array([])]],
            "spec": [
                "vcpus": 0, "memoryMiB": "big", "template": "t", "image": "i",
                "networks": [["ipAddress": "10.0.0.300"]],
                "security": ["openPorts": [["port": 70000, "source": "everywhere"]]],
                "powerState": "paused", "colour": "blue",
            ],
        ]
        let (resource, diagnostics) = Resource.read(document: document)
        #expect(resource == nil)
        let paths = Set(diagnostics.compactMap(\.path))
        let expected: Set<String> = [
            "apiVersion", "metadata.name", "metadata.labels.env", "spec.vcpus", "spec.memoryMiB", "spec.image",
            "spec.networks[0].network", "spec.networks[0].ipAddress", "spec.security.openPorts[0].port",
            "spec.security.openPorts[0].source", "spec.powerState", "spec.colour",
        ]
        #expect(paths == expected)
        #expect(diagnostics.count == expected.count)
    }

    @Test func networkChecksAddressesAgainstItsCIDR() {
        let document: Value = [
            "kind": "Network", "metadata": ["name": "n"],
            "spec": [
                "cidr": "10.0.0.0/24", "vlan": 5000, "gateway": "10.0.1.1",
                "dhcp": ["rangeStart": "10.0.0.200", "rangeEnd": "10.0.0.100"],
                "firewall": [["ports": "90-80", "protocol": "sctp"]],
            ],
        ]
        let (_, diagnostics) = Resource.read(document: document)
        #expect(
            Set(diagnostics.compactMap(\.path)) == ["spec.vlan", "spec.gateway", "spec.dhcp.rangeEnd", "spec.firewall[0].ports", "spec.firewall[0].protocol"])
    }

    @Test func cidrWithHostBitsIsRefused() {
        let (_, diagnostics) = Resource.read(document: Fixtures.networkDocument("n", cidr: "10.0.0.5/24"))
        #expect(diagnostics.map(\.path) == ["spec.cidr"])
    }

    @Test func missingPartsAndUnknownKinds() {
        var (_, diagnostics) = Resource.read(document: ["kind": "Pod", "metadata": ["name": "x"], "spec": [:]])
        #expect(diagnostics.map(\.code) == ["unknown_kind"])
        (_, diagnostics) = Resource.read(document: ["kind": "Volume"])
        #expect(Set(diagnostics.compactMap(\.path)) == ["metadata", "spec"])
        (_, diagnostics) = Resource.read(document: "just text")
        #expect(diagnostics.map(\.code) == ["invalid_type"])
    }

    @Test func documentsRoundTrip() throws {
        let resource = Fixtures.resource(Fixtures.vmDocument("a", networks: ["n1"]))
        let again = try #require(Resource(storedDocument: resource.document))
        #expect(again == resource)
        let reread = try #require(Resource.read(document: resource.document).resource)
        #expect(reread.hasSameDesiredState(as: resource))
    }

    @Test func labelSelectors() throws {
        let selector = try LabelSelector(parsing: "env=prod, tier!=db,team,!legacy")
        #expect(selector.matches(["env": "prod", "tier": "web", "team": "a"]))
        #expect(!selector.matches(["env": "prod", "tier": "db", "team": "a"]))
        #expect(!selector.matches(["env": "prod", "team": "a", "legacy": "y"]))
        #expect(throws: NovaError.self) { try LabelSelector(parsing: "bad key=1") }
    }

    @Test func cidrContainment() throws {
        let network = try #require(CIDR("192.168.4.0/22"))
        #expect(network.contains(try #require(IPAddress("192.168.7.255"))))
        #expect(!network.contains(try #require(IPAddress("192.168.8.0"))))
        #expect(try #require(CIDR("fd00::/8")).contains(try #require(IPAddress("fd12::1"))))
    }
}
