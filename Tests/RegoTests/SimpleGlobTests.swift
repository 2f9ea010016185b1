import NovaCore
import Testing

@testable import Rego

/// The direct glob matcher must answer what the regular expression it stands in for answers.
@Suite struct SimpleGlobTests {
    static let arguments = Builtins.Arguments(name: "glob.match", values: [])

    func viaRegex(_ glob: String, _ delimiters: [String]?, _ text: String) throws -> Bool {
        try Pattern.glob(glob, delimiters: delimiters ?? [], Self.arguments).matches(text)
    }

    @Test func agreesWithTheRegularExpressionOnRandomGlobs() throws {
        var random = SeededRandom(seed: 42)
        let globPieces = ["a", "b", ".", "/", ":", "*", "**", "?", "\\*", "\\?", "é", "日", ",", "}", "ab"]
        let textPieces = ["a", "b", ".", "/", ":", "*", "?", "é", "日", ",", "}", "e\u{301}", ""]
        let delimiterChoices: [[String]?] = [nil, ["."], ["/"], [".", "/"], [":"], ["ab"]]
        var compared = 0
        for _ in 0..<4_000 {
            let glob = (0..<Int(random.next() % 6)).map { _ in globPieces[Int(random.next() % UInt64(globPieces.count))] }.joined()
            let text = (0..<Int(random.next() % 7)).map { _ in textPieces[Int(random.next() % UInt64(textPieces.count))] }.joined()
            let delimiters = delimiterChoices[Int(random.next() % UInt64(delimiterChoices.count))]
            guard let simple = SimpleGlob(glob, delimiters: delimiters) else { continue }
            #expect(simple.matches(text) == (try viaRegex(glob, delimiters, text)), "glob \(glob) delimiters \(String(describing: delimiters)) text \(text)")
            compared += 1
        }
        #expect(compared > 3_000)
    }

    @Test func leavesClassesAlternativesAndLineBreaksToTheRegularExpression() {
        #expect(SimpleGlob("[ab]*", delimiters: nil) == nil)
        #expect(SimpleGlob("{a,b}", delimiters: ["."]) == nil)
        #expect(SimpleGlob("a\\", delimiters: nil) == nil)
        #expect(SimpleGlob("a*", delimiters: ["a-z"]) == nil)  // a range inside [^…]
        #expect(!SimpleGlob.canMatch("a\nb"))
        #expect(SimpleGlob.canMatch("a b"))
    }

    @Test func commonGlobs() throws {
        let cases: [(String, [String]?, String, Bool)] = [
            ("/api/*", ["/"], "/api/users", true), ("/api/*", ["/"], "/api/users/1", false), ("/api/**", ["/"], "/api/users/1", true),
            ("*.example.com", ["."], "api.example.com", true), ("*.example.com", ["."], "a.b.example.com", false),
            ("?at", nil, "cat", true), ("?at", nil, "at", false), ("", nil, "", true), ("*", ["."], "", true), ("a\\*b", nil, "a*b", true),
        ]
        for (glob, delimiters, text, expected) in cases {
            #expect(SimpleGlob(glob, delimiters: delimiters)?.matches(text) == expected, "\(glob) on \(text)")
        }
    }
}
