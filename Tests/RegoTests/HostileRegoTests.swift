import Foundation
import NovaCore
import Testing

@testable import Rego

/// Policies and queries written to crash, hang or exhaust the engine: each must end in an
/// error value, quickly, on an ordinary thread's stack.
@Suite struct HostileRegoTests {
    static let empty = try! CompiledPolicy(modules: [])

    static func evaluate(_ query: String, limits: PreparedQuery.Limits = .init()) throws(RegoError) -> [[String: Value]] {
        try PreparedQuery(query, policy: empty).evaluate(limits: limits)
    }

    /// `1 + 1 + … + 1` parses without recursion but makes a term one level deeper per operator,
    /// which every compiler pass then walked recursively (a stack overflow at ~850 operators).
    @Test(arguments: ["+", "*", "-", "|", "&", "==", "in"])
    func longOperatorChainsAreRefusedByTheParser(_ op: String) throws {
        let chain = Array(repeating: "1", count: 5_000).joined(separator: " \(op) ")
        let error = #expect(throws: RegoError.self) { try Self.evaluate("x := \(chain)") }
        #expect(error?.code == .parse)
        let module = "package p\nallow if { \(chain) }\n"
        let moduleError = #expect(throws: RegoError.self) { try Parser.parseModule(module, file: "chain.rego") }
        #expect(moduleError?.message.contains("nested deeper") == true)
    }

    @Test func chainsOfAFewHundredOperatorsStillWork() throws {
        let chain = Array(repeating: "1", count: 150).joined(separator: " + ")
        #expect(try Self.evaluate("x := \(chain)").first?["x"] == 150)
    }

    /// Found: the widest bounds overflowed the element count (a trap, SIGILL).
    @Test(arguments: [
        "numbers.range(-9223372036854775808, 9223372036854775807)",
        "numbers.range(9223372036854775807, -9223372036854775808)",
        "numbers.range_step(-9223372036854775808, 9223372036854775807, 1)",
        "numbers.range(0, 9223372036854775807)",
    ])
    func extremeRangesAreBudgetErrors(_ call: String) {
        let error = #expect(throws: RegoError.self) { try Self.evaluate("x := \(call)") }
        #expect(error?.code == .budget)
    }

    /// Found: one comprehension over a billion numbers took a write 60 s and 3 GB.
    @Test func aComprehensionOverAHugeRangeStopsAtTheMemoryBudget() {
        let started = ContinuousClock.now
        let error = #expect(throws: RegoError.self) {
            try Self.evaluate("x := {y | some y in numbers.range(1, 1000000000)}", limits: .init(memoryBytes: 16 << 20))
        }
        #expect(error?.code == .budget)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// Each step doubles the array: 40 steps would be a trillion elements.
    @Test func repeatedDoublingStopsAtTheMemoryBudget() {
        var lines = ["a0 := [1]"]
        for i in 1...40 { lines.append("a\(i) := array.concat(a\(i - 1), a\(i - 1))") }
        let error = #expect(throws: RegoError.self) { try Self.evaluate(lines.joined(separator: "; "), limits: .init(memoryBytes: 64 << 20)) }
        #expect(error?.code == .budget)
    }

    @Test func sprintfWidthsPastGosBoundAreMarkedNotPadded() throws {
        #expect(try Self.evaluate(#"x := sprintf("%999999999999d", [1])"#).first?["x"] == "%!(BADWIDTH)1")
        let error = #expect(throws: RegoError.self) {
            try Self.evaluate(#"x := sprintf("%900000d%900000d%900000d", [1, 2, 3])"#, limits: .init(memoryBytes: 1 << 20))
        }
        #expect(error?.code == .budget)
    }

    @Test func stepBudgetStopsALongIteration() {
        let error = #expect(throws: RegoError.self) {
            try Self.evaluate("x := count([y | some y in numbers.range(1, 100000)])", limits: .init(steps: 10_000))
        }
        #expect(error?.code == .budget)
    }

    @Test(
        arguments: [
            ("abs(-9223372036854775808)", Value.double(9223372036854775808)),
            ("format_int(1e300, 10)", nil),
            (#"time.parse_duration_ns("99999999999999999999h")"#, nil),
        ] as [(String, Value?)])
    func integerEdgesDoNotTrap(_ call: String, _ expected: Value?) throws {
        #expect(try Self.evaluate("x := \(call)").first?["x"] == expected)
    }

    /// Every built-in, called with values chosen to break arithmetic, sizes and parsers: none may
    /// trap, and each must answer within the limits. (`net.lookup_ip_addr` is left out: it asks
    /// the resolver, and tests reach nothing beyond this machine.)
    @Test func everyBuiltinSurvivesHostileArguments() throws {
        let pool: [Value] = [
            .int(.min), .int(.max), .int(-1), .int(0), .int(1), .int(64), .double(1e308), .double(-1e308), .double(0.5),
            .string(""), .string(String(repeating: "a", count: 10_000)), .string("%999999999d%s"), .string("9223372036854775808"),
            .string("\u{0}\u{FFFF}é"), .string("[[[[[[[["), .string("0.0.0.0/0"), .string("::/0"), .string("1e400"),
            .string("{\"a\": [1, {\"b\": null}]}"), .string("a: &a [*a]"), .string("*"), .string("-1h"),
            .array([]), .array([.int(1), .string("x")]), .set([.int(1)]), .emptyObject, ["a": ["b": .int(1)]], .null, .bool(true),
        ]
        var random = SeededRandom(seed: 20)
        let limits = { PreparedQuery.Limits(deadline: .now + .seconds(2), memoryBytes: 32 << 20, steps: 1_000_000) }
        for (name, builtin) in Builtins.registry.sorted(by: { $0.key < $1.key }) where name != "net.lookup_ip_addr" {
            let tries = builtin.arity == 0 ? 1 : 60
            for _ in 0..<tries {
                let arguments = (0..<builtin.arity).map { _ in pool[Int(random.next() % UInt64(pool.count))] }
                let text = "x := \(name)(\(arguments.map(\.regoLiteral).joined(separator: ", ")))"
                guard let query = try? PreparedQuery(text, policy: Self.empty) else { continue }
                _ = try? query.evaluate(strictBuiltinErrors: true, limits: limits())
            }
        }
    }
}

extension Value {
    /// The value as Rego source text.
    var regoLiteral: String {
        switch self {
        case .set(let members): members.isEmpty ? "set()" : "{" + members.sorted().map(\.regoLiteral).joined(separator: ", ") + "}"
        case .array(let items): "[" + items.map(\.regoLiteral).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key.regoLiteral): \($0.value.regoLiteral)" }.joined(separator: ", ") + "}"
        default: canonicalJSON
        }
    }
}

/// Found by the fuzz target: nested iterations with no other literal between them never met a
/// limit check, so the deadline and step budget did not hold.
@Suite struct NestedIterationBudgetTests {
    @Test(arguments: [false, true])
    func nestedSomeMeetsTheDeadline(_ asRule: Bool) throws {
        let loops = Array(repeating: "some a in input.xs", count: 40).joined(separator: "\n\t")
        let module = try Parser.parseModule("package p\n\ndeny contains 1 if {\n\t\(loops)\n\tfalse\n}\n", file: "nested.rego")
        let policy = try CompiledPolicy(modules: [module])
        let query = try PreparedQuery(asRule ? "x := data.p.deny" : "\(loops.replacingOccurrences(of: "\n\t", with: "; ")); false", policy: policy)
        let started = ContinuousClock.now
        let error = #expect(throws: RegoError.self) {
            try query.evaluate(input: ["xs": [1, 2, 3]], limits: .init(deadline: .now + .milliseconds(200)))
        }
        #expect(error?.code == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}
