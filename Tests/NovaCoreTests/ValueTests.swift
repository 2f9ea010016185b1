import Foundation
import NovaCore
import Testing

@Suite struct ValueTests {
    @Test func canonicalJSONOrdersKeysByUTF8BytesAndWritesIntegersExactly() throws {
        let value: Value = .object([
            "b": 1, "a": 2, "ab": 3, "é": 4, "Z": 5, "": 6, "long-key-past-fifteen-bytes": .int(Int.min),
            "n": .array([.int(0), .int(-5), .int(1_234_567_890_123), .int(Int.max), .double(1.5)]),
        ])
        #expect(
            value.canonicalJSON
                == #"{"":6,"Z":5,"a":2,"ab":3,"b":1,"long-key-past-fifteen-bytes":-9223372036854775808,"n":[0,-5,1234567890123,9223372036854775807,1.5],"é":4}"#
        )
        #expect(try Value(json: value.canonicalJSON) == value)
    }

    @Test func typesOrderAsOPADoes() {
        let ascending: [Value] = [.null, false, true, -1, 2.5, 3, "", "a", "b", [], [1], [:], ["a": 1], .set([1])]
        #expect(ascending.shuffled().sorted() == ascending)
    }

    @Test func stringsOrderByTheirUTF8Bytes() {
        let ascending: [Value] = ["", "Z", "a", "ab", "abc", "b", "long-key-past-fifteen-bytes", "long-key-past-fifteen-bytez", "z", "é", "éa"]
        #expect(ascending.shuffled().sorted() == ascending)
        #expect(Value.compare("same-long-string-beyond-sixteen", "same-long-string-beyond-sixteen") == 0)
    }

    @Test func integralNumbersAreOneNumber() {
        #expect(Value.int(1) == Value.double(1.0))
        #expect(Set<Value>([.int(1), .double(1.0)]).count == 1)
        #expect(Value.double(1.5) != Value.int(1))
    }

    @Test func canonicalJSONSortsKeysAndSets() {
        let value: Value = ["b": [3, 1], "a": .set(["z", "y"]), "c": ["y": nil, "x": true]]
        #expect(value.canonicalJSON == #"{"a":["y","z"],"b":[3,1],"c":{"x":true,"y":null}}"#)
    }

    @Test func fingerprintIgnoresDictionaryOrderButNotContent() throws {
        let a = try Value(json: #"{"x": 1, "y": [1, 2], "z": {"k": "v"}}"#)
        let b = try Value(json: #"{"z": {"k": "v"}, "y": [1, 2], "x": 1.0}"#)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint.count == 64)
        #expect(a.fingerprint != a.setting("x", to: 2).fingerprint)
    }

    @Test func nonStringKeysAndSetsEncode() {
        let value: Value = .object([.int(2): "two", .string("a"): .set([.int(3), .int(1)])])
        // Keys sort by the value order, so the number key comes first.
        #expect(value.canonicalJSON == #"{"2":"two","a":[1,3]}"#)
    }

    @Test func jsonRoundTripsExactly() throws {
        let text = #"{"big":9007199254740993,"esc":"tab\tquote\"é\u0001","f":-0.5,"list":[true,false,null],"e":1e-7}"#
        let value = try Value(json: text)
        #expect(value["big"]?.intValue == 9_007_199_254_740_993)
        #expect(value["esc"]?.stringValue == "tab\tquote\"é\u{01}")
        #expect(try Value(json: value.canonicalJSON) == value)
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, 1, 9, "expected a string key"),
        ("{\n  \"a\": tru\n}", 2, 8, "invalid literal"),
        ("[1, 2", 1, 6, "unexpected end of input"),
        (#"{"a": 1, "a": 2}"#, 1, 10, "duplicate key"),
        ("01", 1, 2, "leading zeros"),
    ])
    func jsonErrorsPointAtTheProblem(text: String, line: Int, column: Int, message: String) {
        #expect {
            try Value(json: text, file: "f.json")
        } throws: { error in
            guard let error = error as? NovaError, let location = error.diagnostics.first?.location else { return false }
            return error.code == .invalidJSON && location.line == line && location.column == column && location.file == "f.json"
                && error.message.contains(message)
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: NovaError.self) { try Value(json: text) }
    }

    @Test func yamlScalarsAreTyped() throws {
        let value = try Value(yaml: "a: 1\nb: 2.5\nc: true\nd: null\ne: \"24.04\"\nf: hello\ng: [1, two]\n")
        #expect(value == ["a": 1, "b": 2.5, "c": true, "d": nil, "e": "24.04", "f": "hello", "g": [1, "two"]])
    }

    @Test func yamlStreamsKeepDocumentLines() throws {
        let documents = try Value.parseYAMLDocuments("a: 1\n---\nb: 2\n---\n# nothing but a comment\nc: 3\n")
        #expect(documents.map(\.value) == [["a": 1], ["b": 2], ["c": 3]])
        #expect(documents.map(\.line) == [1, 3, 6])
    }

    @Test func yamlErrorsCarryFileLineAndColumn() {
        #expect {
            try Value.parseYAMLDocuments("kind: VM\nmetadata:\n  name: x\n spec: [\n", file: "bad.yaml")
        } throws: { error in
            guard let error = error as? NovaError, let location = error.diagnostics.first?.location else { return false }
            return error.code == .invalidYAML && location.file == "bad.yaml" && location.line == 4
        }
    }

    @Test func yamlDuplicateKeysAreRefused() {
        #expect(throws: NovaError.self) { try Value(yaml: "a: 1\na: 2\n") }
    }

    @Test func yamlOutputReadsBack() throws {
        let value: Value = ["kind": "VM", "spec": ["version": "24.04", "on": "yes", "n": 3, "empty": ""], "metadata": ["name": "x"]]
        let text = value.yamlText()
        #expect(text.hasPrefix("kind: VM\nmetadata:"))
        #expect(try Value(yaml: text) == value)
    }

    @Test func mergePatchFollowsRFC7386() {
        let target: Value = ["a": "b", "c": ["d": "e", "f": "g"]]
        let patch: Value = ["a": "z", "c": ["f": nil]]
        #expect(target.merging(patch: patch) == ["a": "z", "c": ["d": "e"]])
        #expect(target.merging(patch: [1, 2]) == [1, 2])
    }
}
