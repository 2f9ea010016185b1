import Foundation
import NovaCore
import Testing

/// Documents written to exhaust or confuse the YAML reader: each is refused with a located
/// error, quickly, and nothing is expanded.
@Suite struct HostileYAMLTests {
    /// Found: this 571-byte document grew the server past 5 GB.
    static let billionLaughs = """
        a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        a1: &a1 [*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0,*a0]
        a2: &a2 [*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1]
        a3: &a3 [*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2]
        a4: &a4 [*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3]
        a5: &a5 [*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4]
        a6: &a6 [*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5,*a5]
        a7: &a7 [*a6,*a6,*a6,*a6,*a6,*a6,*a6,*a6,*a6]
        a8: &a8 [*a7,*a7,*a7,*a7,*a7,*a7,*a7,*a7,*a7]

        """

    @Test func aliasExpansionIsBounded() {
        let started = ContinuousClock.now
        let error = #expect(throws: NovaError.self) { try Value(yaml: Self.billionLaughs, file: "laughs.yaml") }
        #expect(error?.diagnostics.first?.message.contains("aliases expand") == true)
        #expect(error?.diagnostics.first?.location?.line == 6)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    /// An alias used as a key made the old composer hash the whole expansion.
    @Test func collectionsAndAliasesOfCollectionsAreNotKeys() {
        for text in ["a: &a [1, 2]\n? *a\n: x\n", "? [1, 2]\n: x\n", "{[1]: x}\n"] {
            let error = #expect(throws: NovaError.self, "\(text)") { try Value(yaml: text) }
            #expect(error?.diagnostics.first?.message == "mapping keys must be plain strings")
        }
        #expect((try? Value(yaml: "k: &k name\n*k : v\n")) == ["k": "name", "name": "v"])
    }

    @Test func smallAliasesStillExpand() throws {
        let value = try Value(yaml: "base: &b {vcpus: 2}\nweb: *b\n")
        #expect(value["web"] == ["vcpus": 2])
    }

    @Test(arguments: ["flow sequences", "block sequences", "flow mappings"])
    func deepNestingIsRefused(_ shape: String) {
        let text =
            switch shape {
            case "flow sequences": String(repeating: "[", count: 100_000)
            case "block sequences": String(repeating: "- ", count: 20_000) + "x\n"
            default: String(repeating: "{a: ", count: 5_000) + "1" + String(repeating: "}", count: 5_000)
            }
        let error = #expect(throws: NovaError.self) { try Value(yaml: text) }
        #expect(error?.code == .invalidYAML)
    }

    /// YAML 1.1 read these as numbers (90, 16, 16); a manifest means the text.
    @Test func yaml11NumberFormsAreStrings() throws {
        let value = try Value(yaml: "a: 1:30\nb: 0x10\nc: 1_6\nd: 0o17\ne: 017\nf: 1.5e3\ng: -4\nh: .5\ni: .inf\nj: 12abc\n")
        #expect(value == ["a": "1:30", "b": "0x10", "c": "1_6", "d": "0o17", "e": 17, "f": 1500.0, "g": -4, "h": 0.5, "i": ".inf", "j": "12abc"])
    }

    @Test func tagsAreCheckedOrRefused() throws {
        #expect(try Value(yaml: "a: !!str 123\n") == ["a": "123"])
        #expect(try Value(yaml: "a: !!int 5\n") == ["a": 5])
        #expect(throws: NovaError.self) { try Value(yaml: "a: !!int five\n") }
        #expect(throws: NovaError.self) { try Value(yaml: "a: !custom x\n") }
    }
}
