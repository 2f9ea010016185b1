import Foundation
import NovaCore
import Testing

@testable import TerraformProvider

@Suite struct ResourceMappingTests {
    let resource = KindResource<VMMapping>()

    @Test func specFromAttributesIsAValidVMSpec() {
        let config = TerraformSide.config(
            resource.schema,
            [
                "name": .string("web-1"), "vcpus": .number(2), "memory_mib": .number(2048), "image": .string("ubuntu"),
                "disk_gib": .number(40), "power_state": .string("stopped"), "disk_encryption": .bool(true), "ssh_root_login": .bool(false),
                "zone": .string("z1"),
                "network": .list([.object(["name": .string("app"), "ip_address": .string("10.0.0.5")])]),
                "volume": .list([.object(["name": .string("data"), "device": .string("vdb")])]),
                "open_port": .list([.object(["port": .number(443), "protocol": .string("tcp"), "source": .string("10.0.0.0/8")])]),
            ])
        let spec = VMMapping.spec(from: config)
        let (normalized, diagnostics) = ResourceKind.vm.normalizeSpec(spec)
        #expect(diagnostics.isEmpty)
        #expect(normalized == spec)
        #expect(spec["placement"]?["zone"] == "z1")
        #expect(spec["networks"]?.arrayValue?.first?["ipAddress"] == "10.0.0.5")
    }

    @Test func stateFromADocumentKeepsNullsTheConfigurationLeftNull() throws {
        let document = try Value(
            json: """
                {"kind":"VM","metadata":{"name":"web-1","uid":"u-1","resourceVersion":"3"},
                 "spec":{"vcpus":2,"memoryMiB":2048,"diskGiB":20,"image":"ubuntu","powerState":"running","networks":[],"volumes":[],
                         "security":{"diskEncryption":false,"sshRootLogin":false,"openPorts":[]}},
                 "status":{"phase":"running","host":"host-2","observedVersion":3}}
                """)
        let reference = TerraformSide.config(resource.schema, ["name": .string("web-1"), "labels": .map([:])])
        let state = resource.state(from: document, reference: reference)
        #expect(state["labels"] == .map([:]))
        #expect(state["network"] == .list([]))
        #expect(state["template"] == .null)
        #expect(state["placed_host"] == .string("host-2"))
        #expect(state["id"] == .string("web-1") && state["uid"] == .string("u-1"))
        let type = resource.schema.type
        #expect(try TerraformValue(msgpack: try state.msgpack(as: type), as: type) == state)
    }

    @Test func importStartsFromTheName() throws {
        let state = try resource.importState(id: "web-9")
        #expect(state["name"] == .string("web-9") && state["id"] == .string("web-9"))
        #expect(throws: DiagnosticsError.self) { try resource.importState(id: "") }
    }

    @Test func versionZeroStatesAreUpgraded() throws {
        let old = try Value(json: #"{"id":"web-1","name":"web-1","vcpus":2,"memory_mb":1024,"image":"ubuntu"}"#)
        let upgraded = try resource.upgradeState(from: 0, json: old)
        #expect(upgraded["memory_mib"] == 1024)
        #expect(upgraded["memory_mb"] == nil)
        let value = try TerraformValue(json: upgraded, as: resource.schema.type)
        #expect(value["memory_mib"] == .number(1024) && value["disk_gib"] == .null)
    }

    @Test func policyRefusalsNameThePolicyAndRule() {
        let error = NovaError(
            .admissionDenied, "admission denied",
            diagnostics: [
                Diagnostic(code: "policy_denied", message: "VM bad needs a cost-center label (policy require-cost-center v2)")
            ])
        let diagnostics = NovaCronAPI.diagnostics(for: error, action: "create VM \"bad\"")
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].summary.contains("require-cost-center v2"))
        #expect(diagnostics[0].summary.contains("cost-center label"))
    }

    @Test func validationErrorsPointAtTheAttribute() {
        let error = NovaError(
            .validationFailed, "invalid",
            diagnostics: [
                Diagnostic(code: "out_of_range", message: "must be between 1 and 256", path: "spec.vcpus")
            ])
        let diagnostics = NovaCronAPI.diagnostics(for: error, action: "create", fields: VMMapping.fieldAttributes)
        #expect(diagnostics.first?.attribute == "vcpus")
    }

    @Test func timeoutsAreValidated() {
        let config = TerraformSide.config(
            resource.schema,
            [
                "name": .string("web-1"), "vcpus": .number(1), "memory_mib": .number(512), "image": .string("a"),
                "timeouts": .object(["create": .string("soon"), "update": .null, "delete": .null]),
            ])
        let problems = resource.validate(config: config)
        #expect(problems.map(\.attribute?.description) == ["timeouts.create"])
    }
}

@Suite struct HandshakeTests {
    @Test func refusesToStartWithoutTerraform() {
        #expect(throws: PluginServer.StartError.self) { try PluginServer.checkEnvironment([:]) }
        do {
            try PluginServer.checkEnvironment(["TF_PLUGIN_MAGIC_COOKIE": "wrong"])
            Issue.record("started without the cookie")
        } catch {
            #expect(error.description.contains("Terraform plugin"))
        }
    }

    @Test func needsProtocolSix() {
        let cookie = ["TF_PLUGIN_MAGIC_COOKIE": PluginServer.magicCookieValue]
        #expect(throws: Never.self) { try PluginServer.checkEnvironment(cookie.merging(["PLUGIN_PROTOCOL_VERSIONS": "5,6"]) { $1 }) }
        #expect(throws: PluginServer.StartError.self) { try PluginServer.checkEnvironment(cookie.merging(["PLUGIN_PROTOCOL_VERSIONS": "4,5"]) { $1 }) }
    }

    @Test func certificateIsForLocalhostAndUnpadded() throws {
        let identity = try PluginCertificate.make()
        #expect(!identity.handshakeText.hasSuffix("="))
        #expect(
            Data(base64Encoded: identity.handshakeText + String(repeating: "=", count: (4 - identity.handshakeText.count % 4) % 4))
                == Data(identity.certificateDER))
        #expect(identity.privateKeyPEM.contains("PRIVATE KEY"))
    }
}

@Suite struct PlanTimeValidationTests {
    let vm = KindResource<VMMapping>()

    @Test func specRulesAreCheckedAtPlanTimeWithTheAttribute() {
        let config = TerraformSide.config(
            vm.schema,
            [
                "name": .string("web-1"), "vcpus": .number(0), "memory_mib": .number(2048), "image": .string("ubuntu"),
                "network": .list([.object(["name": .string("app"), "ip_address": .string("not-an-ip")])]),
            ])
        let problems = vm.validate(config: config)
        #expect(problems.contains { $0.attribute == "vcpus" && $0.detail.contains("between 1 and 256") })
        #expect(problems.contains { $0.attribute == AttributePath([.attribute("network"), .index(0)]) })
    }

    /// Found: a bad name or label key was only refused by the server, at apply.
    @Test func namesAndLabelsAreCheckedAtPlanTime() {
        let config = TerraformSide.config(
            vm.schema,
            [
                "name": .string("Web_1"), "vcpus": .number(1), "memory_mib": .number(512), "image": .string("a"),
                "labels": .map(["ok": .string("fine"), "bad key!": .string("v"), "tier": .string("has space")]),
            ])
        let problems = vm.validate(config: config)
        #expect(problems.contains { $0.attribute == "name" && $0.summary == "Invalid name" })
        #expect(problems.contains { $0.attribute == AttributePath([.attribute("labels"), .key("bad key!")]) })
        #expect(problems.contains { $0.attribute == AttributePath([.attribute("labels"), .key("tier")]) })
        #expect(!problems.contains { $0.attribute == AttributePath([.attribute("labels"), .key("ok")]) })
        let unknownName = TerraformSide.config(vm.schema, ["name": .unknown, "vcpus": .number(1), "memory_mib": .number(512), "image": .string("a")])
        #expect(vm.validate(config: unknownName).isEmpty)
    }

    @Test func templateAndImageTogetherAreRefused() {
        let config = TerraformSide.config(
            vm.schema,
            [
                "name": .string("web-1"), "vcpus": .number(1), "memory_mib": .number(512), "image": .string("a"), "template": .string("b"),
            ])
        #expect(vm.validate(config: config).contains { $0.attribute == "image" })
    }

    @Test func unknownValuesWaitForApply() {
        let config = TerraformSide.config(
            vm.schema,
            [
                "name": .string("web-1"), "vcpus": .unknown, "memory_mib": .number(512),
                "image": .string("a"),
            ])
        #expect(vm.validate(config: config).isEmpty)
    }
}
