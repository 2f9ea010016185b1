import Foundation
import NovaCore
import Testing

@testable import TerraformProvider

@Suite struct SchemaEncodingTests {
    @Test func ctyTypesEncodeAsTerraformExpects() throws {
        #expect(CtyType.string.json == #""string""#)
        #expect(CtyType.list(.string).json == #"["list","string"]"#)
        #expect(CtyType.object(["b": .bool, "a": .map(.number)]).json == #"["object",{"a":["map","number"],"b":"bool"}]"#)
        for type in [CtyType.set(.number), .tuple([.string, .bool]), .object(["x": .list(.object(["y": .string]))])] {
            #expect(try CtyType(json: try Value(json: type.json)) == type)
        }
    }

    @Test func vmSchemaDescribesRolesAndBlocks() throws {
        let provider = NovaCronProvider(environment: [:])
        let vm = try #require(provider.resources["novacron_vm"])
        let proto = vm.schema.proto
        #expect(proto.version == 1)
        let attributes = Dictionary(uniqueKeysWithValues: proto.block.attributes.map { ($0.name, $0) })
        #expect(attributes["name"]?.required == true)
        #expect(attributes["id"]?.computed == true && attributes["id"]?.optional == false)
        #expect(attributes["disk_gib"]?.optional == true && attributes["disk_gib"]?.computed == true)
        #expect(String(decoding: attributes["labels"]?.type ?? Data(), as: UTF8.self) == #"["map","string"]"#)
        #expect(proto.block.attributes.map(\.name) == proto.block.attributes.map(\.name).sorted())
        let blocks = Dictionary(uniqueKeysWithValues: proto.block.blockTypes.map { ($0.typeName, $0) })
        #expect(blocks["network"]?.nesting == .list)
        #expect(blocks["timeouts"]?.nesting == .single)
        #expect(blocks["timeouts"]?.block.attributes.map(\.name) == ["create", "delete", "update"])
    }

    @Test func apiKeyIsSensitive() {
        let attributes = NovaCronProvider(environment: [:]).schema.proto.block.attributes
        #expect(attributes.first { $0.name == "api_key" }?.sensitive == true)
        #expect(attributes.first { $0.name == "endpoint" }?.sensitive == false)
    }

    @Test func dataSourcesExposeEverythingButTheNameAsComputed() throws {
        let provider = NovaCronProvider(environment: [:])
        #expect(provider.dataSources.keys.sorted() == ["novacron_network", "novacron_template", "novacron_vm"])
        let vm = try #require(provider.dataSources["novacron_vm"]).schema.proto.block
        #expect(vm.blockTypes.isEmpty)
        for attribute in vm.attributes {
            if attribute.name == "name" { #expect(attribute.required) } else { #expect(attribute.computed && !attribute.optional) }
        }
        #expect(
            String(decoding: vm.attributes.first { $0.name == "network" }?.type ?? Data(), as: UTF8.self)
                == #"["list",["object",{"ip_address":"string","name":"string"}]]"#)
    }

    @Test func diagnosticsCarryAttributePaths() {
        let diagnostic = TerraformDiagnostic.error("Invalid", "bad", at: AttributePath([.attribute("network"), .index(1), .attribute("name")]))
        let proto = diagnostic.proto
        #expect(proto.severity == .error)
        #expect(proto.attribute.steps.count == 3)
        #expect(proto.attribute.steps[1].elementKeyInt == 1)
        #expect(AttributePath([.attribute("labels"), .key("env")]).description == #"labels["env"]"#)
    }

    @Test(arguments: [("30s", 30_000), ("10m", 600_000), ("1h30m", 5_400_000), ("1.5s", 1_500)])
    func durationsParseAsTerraformUsersWriteThem(_ text: String, _ milliseconds: Int64) {
        #expect(parseDuration(text) == .milliseconds(milliseconds))
    }

    @Test(arguments: ["", "10", "5x", "m"])
    func badDurationsAreRefused(_ text: String) {
        #expect(parseDuration(text) == nil)
    }
}
