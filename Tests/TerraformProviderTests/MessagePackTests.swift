import Foundation
import Testing

@testable import TerraformProvider

@Suite struct MessagePackTests {
    static let vmType: CtyType = .object([
        "name": .string, "vcpus": .number, "ratio": .number, "enabled": .bool, "labels": .map(.string),
        "ports": .list(.number), "tags": .set(.string), "nested": .list(.object(["a": .string, "b": .number])),
    ])

    @Test func objectRoundTripsWithNullsAndUnknowns() throws {
        let value: TerraformValue = .object([
            "name": .string("web-1"), "vcpus": .number(4), "ratio": .number(0.25), "enabled": .unknown,
            "labels": .map(["env": .string("prod")]), "ports": .list([.number(22), .number(-7), .number(70_000)]),
            "tags": .set([.string("b"), .string("a")]), "nested": .null,
        ])
        let bytes = try value.msgpack(as: Self.vmType)
        #expect(try TerraformValue(msgpack: bytes, as: Self.vmType) == value)
    }

    @Test func unknownIsExtensionZero() throws {
        #expect(try TerraformValue.unknown.msgpack(as: .string) == [0xd4, 0x00, 0x00])
        #expect(try TerraformValue(msgpack: [0xd4, 0x00, 0x00], as: .number) == .unknown)
    }

    @Test func refinedUnknownReadsAsUnknown() throws {
        // Terraform's refined unknown: extension 12 carrying a map of hints ({1: true} = "not null",
        // {2: "web-"} = known prefix).
        let hints = MessagePack.map([(.uint(1), .bool(true)), (.uint(2), .string("web-"))]).encoded
        let bytes = MessagePack.ext(type: 12, data: hints).encoded
        #expect(try TerraformValue(msgpack: bytes, as: .string) == .unknown)
        let inObject = MessagePack.map([(.string("name"), .ext(type: 12, data: hints))]).encoded
        #expect(
            try TerraformValue(msgpack: inObject, as: .object(["name": .string, "id": .string]))
                == .object(["name": .unknown, "id": .null]))
    }

    @Test func nilIsNullForEveryType() throws {
        for type in [CtyType.string, .number, .bool, .list(.string), .map(.number), Self.vmType] {
            #expect(try TerraformValue(msgpack: [0xc0], as: type) == .null)
        }
    }

    @Test(arguments: [0.0, 1, -1, 127, 128, -32, -33, 255, 256, 65_535, 65_536, -129, -32_769, 4_294_967_296, -4_294_967_296, 1.5, -2.75, 1e300])
    func numbersRoundTrip(_ number: Double) throws {
        let bytes = try TerraformValue.number(number).msgpack(as: .number)
        #expect(try TerraformValue(msgpack: bytes, as: .number) == .number(number))
    }

    @Test func longStringsAndCollectionsUseWiderHeaders() throws {
        let text = String(repeating: "x", count: 70_000)
        let items = (0..<20).map { TerraformValue.string("item-\($0)") }
        let value: TerraformValue = .object(["s": .string(text), "l": .list(items)])
        let type: CtyType = .object(["s": .string, "l": .list(.string)])
        #expect(try TerraformValue(msgpack: try value.msgpack(as: type), as: type) == value)
    }

    @Test func numbersMayArriveAsText() throws {
        // cty writes numbers that do not fit a float64 exactly as strings.
        #expect(try TerraformValue(msgpack: MessagePack.string("12.5").encoded, as: .number) == .number(12.5))
    }

    @Test func dynamicValuesCarryTheirType() throws {
        let value: TerraformValue = .object(["a": .string("x")])
        let bytes = try value.msgpack(as: .dynamic)
        #expect(try TerraformValue(msgpack: bytes, as: .dynamic) == value)
    }

    @Test func malformedInputIsAClearError() {
        #expect(throws: MessagePackError.self) { try TerraformValue(msgpack: [0xa5, 0x61], as: .string) }
        #expect(throws: MessagePackError.self) { try TerraformValue(msgpack: [0xc0, 0xc0], as: .string) }
        #expect(throws: TerraformValue.ValueError.self) { try TerraformValue(msgpack: [0xc3], as: .string) }
        #expect(throws: TerraformValue.ValueError.self) {
            try TerraformValue(msgpack: MessagePack.map([(.string("nope"), .nil)]).encoded, as: .object(["name": .string]))
        }
    }

    @Test func deepNestingIsRefused() {
        let bytes = [UInt8](repeating: 0x91, count: 300) + [0xc0]
        #expect(throws: MessagePackError.self) { try MessagePack.decode(bytes) }
    }

    @Test func objectAttributesAreWrittenInNameOrder() throws {
        let type: CtyType = .object(["b": .string, "a": .string])
        let bytes = try TerraformValue.object(["b": .string("2"), "a": .string("1")]).msgpack(as: type)
        #expect(bytes == [0x82, 0xa1, 0x61, 0xa1, 0x31, 0xa1, 0x62, 0xa1, 0x32])
    }
}
