import Foundation
import NovaCore
import Testing

@testable import Rego

/// Each built-in area against values worked out by hand (or from the RFC that defines them).
@Suite struct BuiltinTests {
    static let policy = try! CompiledPolicy(modules: [])

    static func value(_ expression: String) throws -> Value? {
        try PreparedQuery("x := \(expression)", policy: policy).evaluate(strictBuiltinErrors: true).first?["x"]
    }

    static func check(_ cases: [(String, Value)]) throws {
        for (expression, expected) in cases {
            #expect(try value(expression) == expected, "\(expression)")
        }
    }

    @Test func text() throws {
        try Self.check([
            (#"indexof("héllo", "l")"#, 2), (#"indexof_n("abab", "ab")"#, [0, 2]), (#"substring("héllo", 1, 3)"#, "éll"),
            (#"substring("abc", 1, -1)"#, "bc"), (#"trim("xxhixx", "x")"#, "hi"), (#"trim_prefix("prefix-a", "prefix-")"#, "a"),
            (#"strings.count("cheese", "e")"#, 3), (#"strings.replace_n({"a": "1", "b": "2"}, "abc")"#, "12c"),
            (#"strings.any_prefix_match(["abc", "x"], "ab")"#, true), (#"format_int(255, 16)"#, "ff"), (#"strings.reverse("abc")"#, "cba"),
            (#"sprintf("%s is %d", ["x", 5])"#, "x is 5"), (#"concat("/", ["a", "b"])"#, "a/b"),
        ])
    }

    /// As Go compares them: by UTF-8 bytes, so a decomposed "é" (e and a combining accent)
    /// starts with "e", though as a Swift Character it does not.
    @Test func containsAndAffixesCompareBytes() throws {
        try Self.check([
            (#"contains("registry.io/app:1", ":")"#, true), (#"contains("abc", "")"#, true), (#"contains("", "a")"#, false),
            (#"contains("ab", "abc")"#, false), (#"contains("xxabab", "abab")"#, true), (#"contains("e\u0301", "e")"#, true),
            (#"startswith("abc", "ab")"#, true), (#"startswith("ab", "abc")"#, false), (#"startswith("e\u0301x", "e")"#, true),
            (#"endswith("abc", "bc")"#, true), (#"endswith("abc", "")"#, true), (#"endswith("c", "bc")"#, false),
        ])
    }

    @Test func numbersAndCollections() throws {
        try Self.check([
            ("round(2.5)", 3), ("ceil(1.2)", 2), ("floor(-1.2)", -2), ("abs(-4)", 4), ("numbers.range(3, 1)", [3, 2, 1]),
            ("numbers.range_step(0, 10, 4)", [0, 4, 8]), ("bits.lsh(1, 4)", 16), ("bits.xor(6, 3)", 5),
            ("array.slice([1, 2, 3, 4], 1, 3)", [2, 3]), ("array.reverse([1, 2])", [2, 1]),
            ("intersection({{1, 2}, {2, 3}})", .set([2])), ("union({{1}, {2}})", .set([1, 2])),
        ])
    }

    @Test func objects() throws {
        try Self.check([
            (#"object.get({"a": {"b": 1}}, ["a", "b"], 0)"#, 1), (#"object.get({"a": 1}, "z", 0)"#, 0),
            (#"object.remove({"a": 1, "b": 2}, ["a"])"#, ["b": 2]), (#"object.filter({"a": 1, "b": 2}, {"a"})"#, ["a": 1]),
            (#"object.union({"a": {"b": 1}}, {"a": {"c": 2}})"#, ["a": ["b": 1, "c": 2]]),
            (#"object.subset({"a": [1, 2, 3]}, {"a": [2, 3]})"#, true),
            (#"json.filter({"a": {"b": 1, "c": 2}}, ["a/b"])"#, ["a": ["b": 1]]),
            (#"json.remove({"a": {"b": 1, "c": 2}}, ["a/b"])"#, ["a": ["c": 2]]),
            (#"json.patch({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}])"#, ["a": [1, 2]]),
            (#"[p | walk({"a": [5]}, [p, 5])]"#, [["a", 0]]),
            (#"graph.reachable({"a": ["b"], "b": ["c"], "c": [], "d": []}, ["a"])"#, .set(["a", "b", "c"])),
        ])
    }

    @Test func encodings() throws {
        try Self.check([
            (#"base64.encode("hi?")"#, "aGk/"), (#"base64url.encode_no_pad("hi?")"#, "aGk_"), (#"base64.decode("aGk/")"#, "hi?"),
            (#"hex.encode("hi")"#, "6869"), (#"json.marshal({"b": [1], "a": null})"#, #"{"a":null,"b":[1]}"#),
            (#"json.unmarshal("[1, {\"a\": true}]")"#, [1, ["a": true]]), (#"yaml.unmarshal("a: [1, 2]")"#, ["a": [1, 2]]),
            (#"urlquery.encode("a b&c")"#, "a+b%26c"), (#"urlquery.decode_object("a=1&a=2&b=x")"#, ["a": ["1", "2"], "b": ["x"]]),
        ])
    }

    @Test func unitsRegexAndGlobs() throws {
        try Self.check([
            (#"units.parse("1.5Ki")"#, 1536), (#"units.parse("500m")"#, 0.5), (#"units.parse_bytes("2MB")"#, 2_000_000),
            (#"regex.match("^a+b$", "aaab")"#, true), (#"regex.split("[,;]", "a,b;c")"#, ["a", "b", "c"]),
            (#"regex.find_n("a.", "paranormal", 2)"#, ["ar", "an"]), (##"regex.replace("a1b22", "[0-9]+", "#")"##, "a#b#"),
            (#"regex.template_match("urn:{[a-z]+}:x", "urn:foo:x", "{", "}")"#, true),
            (#"glob.match("*.example.com", ["."], "api.example.com")"#, true), (#"glob.match("*.example.com", ["."], "a.b.example.com")"#, false),
            (#"glob.match("api.**.com", ["."], "api.a.b.com")"#, true), (#"glob.match("{cat,bat}", [], "bat")"#, true),
        ])
    }

    @Test func versionsCryptoAndNetworks() throws {
        try Self.check([
            (#"semver.compare("1.2.3", "1.10.0")"#, -1), (#"semver.compare("1.0.0-alpha", "1.0.0")"#, -1), (#"semver.is_valid("01.2.3")"#, false),
            (#"crypto.sha256("abc")"#, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (#"crypto.hmac.sha256("msg", "key")"#, "2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628"),
            (#"net.cidr_contains("10.0.0.0/8", "10.1.2.3")"#, true), (#"net.cidr_intersects("10.0.0.0/24", "10.0.0.128/25")"#, true),
            (#"net.cidr_merge(["192.0.2.0/25", "192.0.2.128/25"])"#, .set(["192.0.2.0/24"])),
            (#"net.cidr_expand("10.0.0.0/31")"#, .set(["10.0.0.0", "10.0.0.1"])), (#"uuid.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8").version"#, 1),
        ])
    }

    @Test func time() throws {
        try Self.check([
            (#"time.parse_rfc3339_ns("2017-06-02T19:00:00-07:00")"#, 1_496_455_200_000_000_000),
            (#"time.parse_ns("2006-01-02", "2020-02-29")"#, 1_582_934_400_000_000_000),
            (#"time.parse_duration_ns("1h30m")"#, 5_400_000_000_000), (#"time.date(1582977600000000000)"#, [2020, 2, 29]),
            (#"time.weekday(1517832000000000000)"#, "Monday"), (#"time.clock([1517832000000000000, "America/New_York"])"#, [7, 0, 0]),
            (#"time.format([1670006453141828752, "Asia/Kolkata", "RFC1123Z"])"#, "Sat, 03 Dec 2022 00:10:53 +0530"),
            (#"time.add_date(0, 1, 1, 1)"#, 34_300_800_000_000_000),
        ])
    }

    @Test func jsonWebTokens() throws {
        // RFC 7515 appendix A.1: HS256 over the example claims with the example key.
        let key = #"{"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#
        let token = try #require(try Self.value(#"io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"iss": "joe"}, \#(key))"#)?.stringValue)
        let secret = try #require(JWTKey.base64URL("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"))
        #expect(
            JWTKey.hmac(secret).verifies(
                "HS256", Data(token.split(separator: ".").prefix(2).joined(separator: ".").utf8),
                JWTKey.base64URL(String(token.split(separator: ".")[2]))!))
        #expect(try Self.value(#"io.jwt.decode("\#(token)")[1]"#) == ["iss": "joe"])
        #expect(try Self.value(#"io.jwt.decode_verify("\#(token)", {"secret": "wrong"})[0]"#) == false)
        do {
            _ = try Self.value(#"io.jwt.decode("not a token")"#)
            Issue.record("expected a builtin error")
        } catch let error as RegoError {
            #expect(error.code == .builtin)
        }
    }

    @Test func errorsAreUndefinedUnlessStrict() throws {
        let lenient = try PreparedQuery(#"x := base64.decode("!!")"#, policy: Self.policy).evaluate()
        #expect(lenient.isEmpty)
        #expect(throws: RegoError.self) { try Self.value(#"base64.decode("!!")"#) }
    }
}
