import Foundation
import NovaCore
import Testing

@testable import TerraformProvider

/// Builds values the way Terraform does before it asks the provider to plan.
enum TerraformSide {
    /// A configuration: every attribute present (null when unset), list blocks empty when absent.
    static func config(_ schema: Schema, _ fields: [String: TerraformValue]) -> TerraformValue {
        var all: [String: TerraformValue] = [:]
        for attribute in schema.block.attributes { all[attribute.name] = .null }
        for nested in schema.block.blocks { all[nested.name] = nested.nesting == .single ? .null : .list([]) }
        for (key, value) in fields { all[key] = value }
        return .object(all)
    }

    /// Terraform's proposed new state: the configuration, with computed attributes the
    /// configuration leaves null taken from the prior state.
    static func proposed(_ schema: Schema, prior: TerraformValue, config: TerraformValue) -> TerraformValue {
        guard case .object(var fields) = config else { return config }
        for attribute in schema.block.attributes where attribute.isComputed && config[attribute.name].isNull {
            fields[attribute.name] = prior[attribute.name]
        }
        for nested in schema.block.blocks where nested.nesting == .list {
            let priors = prior[nested.name].elements ?? []
            fields[nested.name] = .list(
                (config[nested.name].elements ?? []).enumerated().map { index, item in
                    guard case .object(var element) = item else { return item }
                    for attribute in nested.block.attributes where attribute.isComputed && item[attribute.name].isNull {
                        element[attribute.name] = index < priors.count ? priors[index][attribute.name] : .null
                    }
                    return .object(element)
                })
        }
        return .object(fields)
    }

    static func plan(_ resource: any ManagedResource, prior: TerraformValue, config: TerraformValue) -> PlannedChange {
        ResourcePlanner.plan(
            schema: resource.schema, prior: prior, proposed: proposed(resource.schema, prior: prior, config: config),
            config: config)
    }
}

@Suite struct PlannerTests {
    let provider = NovaCronProvider(environment: [:])
    var vm: any ManagedResource { provider.resources["novacron_vm"]! }

    func vmConfig(_ extra: [String: TerraformValue] = [:]) -> TerraformValue {
        var fields: [String: TerraformValue] = [
            "name": .string("web-1"), "vcpus": .number(2), "memory_mib": .number(2048),
            "image": .string("ubuntu-24.04"),
            "open_port": .list([.object(["port": .number(443), "protocol": .null, "source": .null])]),
        ]
        for (key, value) in extra { fields[key] = value }
        return TerraformSide.config(vm.schema, fields)
    }

    /// What the server would answer after creating `config`: defaults filled, computed known.
    func applied(_ planned: TerraformValue) -> TerraformValue {
        var state = planned
        for (name, value) in ["id": "web-1", "uid": "u-1", "phase": "running", "placed_host": "host-1"] {
            state = state.setting(name, to: .string(value))
        }
        return state
    }

    @Test func createFillsDefaultsAndLeavesComputedUnknown() {
        let change = TerraformSide.plan(vm, prior: .null, config: vmConfig())
        #expect(change.requiresReplace.isEmpty)
        #expect(change.planned["disk_gib"] == .number(20))
        #expect(change.planned["power_state"] == .string("running"))
        #expect(change.planned["disk_encryption"] == .bool(false))
        #expect(change.planned["id"] == .unknown && change.planned["uid"] == .unknown && change.planned["phase"] == .unknown)
        #expect(change.planned["template"] == .null)
        let port = change.planned["open_port"].elements?.first
        #expect(port?["protocol"] == .string("tcp") && port?["source"] == .string("0.0.0.0/0"))
    }

    @Test func unchangedConfigurationPlansNoChange() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        let change = TerraformSide.plan(vm, prior: prior, config: vmConfig())
        #expect(change.planned == prior)
        #expect(change.requiresReplace.isEmpty)
    }

    @Test func inPlaceUpdateKeepsTheIdButNotVolatileStatus() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        let change = TerraformSide.plan(vm, prior: prior, config: vmConfig(["vcpus": .number(4)]))
        #expect(change.requiresReplace.isEmpty)
        #expect(change.planned["vcpus"] == .number(4))
        #expect(change.planned["id"] == .string("web-1") && change.planned["uid"] == .string("u-1"))
        #expect(change.planned["phase"] == .unknown && change.planned["placed_host"] == .unknown)
    }

    /// Found: a label change planned `placed_host` and `phase` as "(known after apply)".
    @Test func aLabelChangeKeepsStatusAttributes() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        let change = TerraformSide.plan(vm, prior: prior, config: vmConfig(["labels": .map(["team": .string("a")])]))
        #expect(change.requiresReplace.isEmpty)
        #expect(change.planned["labels"] == .map(["team": .string("a")]))
        #expect(change.planned["phase"] == .string("running") && change.planned["placed_host"] == .string("host-1"))
    }

    /// Found: shrinking a disk was planned as an in-place update.
    @Test func shrinkingTheDiskIsRefusedAtPlanTime() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig(["disk_gib": .number(40)])).planned)
        var change = TerraformSide.plan(vm, prior: prior, config: vmConfig(["disk_gib": .number(20)]))
        vm.modifyPlan(&change, prior: prior, config: vmConfig(["disk_gib": .number(20)]))
        #expect(change.diagnostics.contains { $0.attribute == "disk_gib" && $0.summary == "VM cannot shrink" })
        var growing = TerraformSide.plan(vm, prior: prior, config: vmConfig(["disk_gib": .number(80)]))
        vm.modifyPlan(&growing, prior: prior, config: vmConfig(["disk_gib": .number(80)]))
        #expect(growing.diagnostics.isEmpty)
    }

    @Test func changingTheImageReplacesTheVM() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        let change = TerraformSide.plan(vm, prior: prior, config: vmConfig(["image": .string("debian-12")]))
        #expect(change.requiresReplace == ["image"])
        #expect(change.planned["uid"] == .unknown && change.planned["id"] == .unknown)
    }

    @Test func renamingReplacesAndEncryptionCannotChangeInPlace() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        #expect(TerraformSide.plan(vm, prior: prior, config: vmConfig(["name": .string("web-2")])).requiresReplace == ["name"])
        #expect(TerraformSide.plan(vm, prior: prior, config: vmConfig(["disk_encryption": .bool(true)])).requiresReplace == ["disk_encryption"])
    }

    @Test func removingAnAttributeFromTheConfigurationRestoresItsDefault() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig(["disk_gib": .number(50)])).planned)
        let change = TerraformSide.plan(vm, prior: prior, config: vmConfig())
        #expect(change.planned["disk_gib"] == .number(20))
    }

    @Test func unknownConfigurationStaysUnknown() {
        let change = TerraformSide.plan(vm, prior: .null, config: vmConfig(["image": .unknown]))
        #expect(change.planned["image"] == .unknown)
    }

    @Test func destroyPlansNull() {
        let prior = applied(TerraformSide.plan(vm, prior: .null, config: vmConfig()).planned)
        #expect(ResourcePlanner.plan(schema: vm.schema, prior: prior, proposed: .null, config: .null).planned == .null)
    }

    @Test(arguments: ["novacron_network", "novacron_storage", "novacron_policy"])
    func otherResourcesPlanCreateUpdateAndNoOp(_ typeName: String) throws {
        let resource = try #require(provider.resources[typeName])
        let base: [String: TerraformValue] =
            switch typeName {
            case "novacron_network": ["name": .string("n"), "cidr": .string("10.0.0.0/24")]
            case "novacron_storage": ["name": .string("v"), "size_gib": .number(10)]
            default: ["name": .string("p"), "rego": .string("package p\n")]
            }
        let created = TerraformSide.plan(resource, prior: .null, config: TerraformSide.config(resource.schema, base)).planned
        #expect(created["id"] == .unknown)
        var prior = created
        for attribute in resource.schema.block.attributes where prior[attribute.name] == .unknown {
            prior = prior.setting(attribute.name, to: .string("x"))
        }
        #expect(TerraformSide.plan(resource, prior: prior, config: TerraformSide.config(resource.schema, base)).planned == prior)
        let (attribute, changed): (String, TerraformValue) =
            switch typeName {
            case "novacron_network": ("vlan", .number(12))
            case "novacron_storage": ("size_gib", .number(20))
            default: ("enforcement", .string("warn"))
            }
        var edited = base
        edited[attribute] = changed
        let update = TerraformSide.plan(resource, prior: prior, config: TerraformSide.config(resource.schema, edited))
        #expect(update.requiresReplace.isEmpty)
        #expect(update.planned[attribute] == changed)
        #expect(update.planned["id"] == .string("x"))
        var renamed = base
        renamed["name"] = .string("other")
        let replace = TerraformSide.plan(resource, prior: prior, config: TerraformSide.config(resource.schema, renamed))
        #expect(replace.requiresReplace == ["name"])
        #expect(replace.planned["id"] == .unknown)
    }

    @Test func storageClassChangeReplaces() throws {
        let storage = try #require(provider.resources["novacron_storage"])
        let base: [String: TerraformValue] = ["name": .string("v"), "size_gib": .number(10)]
        var prior = TerraformSide.plan(storage, prior: .null, config: TerraformSide.config(storage.schema, base)).planned
        for name in ["id", "uid", "phase"] { prior = prior.setting(name, to: .string("x")) }
        var edited = base
        edited["class"] = .string("ssd")
        #expect(TerraformSide.plan(storage, prior: prior, config: TerraformSide.config(storage.schema, edited)).requiresReplace == ["class"])
    }
}
