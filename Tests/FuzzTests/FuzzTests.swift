import Foundation
import NovaCore
import Rego
import Testing

/// Mutation fuzzing of every parser a request can reach: Rego (parse, compile, evaluate), the
/// YAML and JSON readers, and the manifest validator. Each target starts from its seed corpus
/// (`corpus/TARGET/`), mutates for `NOVACRON_FUZZ_SECONDS` seconds (2 by default; CI's fuzz step
/// gives each a minute), and must never crash, hang or exceed its budgets: an input may only be
/// refused with an error value.
///
/// A crash ends the process, so before each input runs it is written to
/// `NOVACRON_FUZZ_DIR/TARGET.last` (the system's temporary directory by default); the CI step
/// prints it when the run dies, and a crasher is kept in `crashers/TARGET/`, which the
/// regression test below replays on every run.
@Suite struct FuzzTests {
    struct Target: Sendable, CustomTestStringConvertible {
        var name: String
        var run: @Sendable (String) -> Void
        var testDescription: String { name }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let seconds = Double(ProcessInfo.processInfo.environment["NOVACRON_FUZZ_SECONDS"] ?? "") ?? 2
    static let scratch = ProcessInfo.processInfo.environment["NOVACRON_FUZZ_DIR"] ?? NSTemporaryDirectory()

    static let targets: [Target] = [
        Target(name: "rego") { text in
            guard let module = try? Parser.parseModule(text, file: "fuzz.rego"), let policy = try? CompiledPolicy(modules: [module]) else { return }
            let limits = PreparedQuery.Limits(deadline: .now + .milliseconds(200), memoryBytes: 16 << 20, steps: 200_000)
            let input: Value = ["resource": ["kind": "VM", "metadata": ["name": "a", "labels": ["env": "prod"]], "spec": ["vcpus": 2]]]
            _ = try? PreparedQuery("x := data", policy: policy).evaluate(input: input, limits: limits)
            for rule in module.rules.prefix(8) {
                let path = module.packagePath.joined(separator: ".")
                if case .ref(let head, _) = rule.ref.kind, let name = head.variableName {
                    _ = try? PreparedQuery("x := data.\(path).\(name)", policy: policy).evaluate(input: input, limits: limits)
                }
            }
        },
        Target(name: "yaml") { text in
            if let documents = try? Value.parseYAMLDocuments(text, file: "fuzz.yaml") {
                for document in documents { _ = document.value.yamlText() }
            }
        },
        Target(name: "json") { text in
            if let value = try? Value(json: text, file: "fuzz.json") { _ = try? Value(json: value.canonicalJSON) }
        },
        Target(name: "manifest") { text in
            let documents = (try? Value.parseYAMLDocuments(text, file: "fuzz.yaml").map(\.value)) ?? []
            for document in documents { _ = Resource.read(document: document) }
        },
    ]

    static func corpus(_ folder: String, of target: String) -> [String] {
        let url = directory.appendingPathComponent(folder).appendingPathComponent(target)
        let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? []
        return files.sorted { $0.path < $1.path }.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    @Test(arguments: targets)
    func fuzz(_ target: Target) throws {
        let seeds = Self.corpus("corpus", of: target.name)
        try #require(!seeds.isEmpty, "corpus/\(target.name) has seeds")
        let last = URL(fileURLWithPath: Self.scratch).appendingPathComponent("\(target.name).last")
        var mutator = Mutator(seed: UInt64(truncatingIfNeeded: Date().timeIntervalSince1970.bitPattern), dictionary: Mutator.dictionary)
        let deadline = Date().addingTimeInterval(Self.seconds)
        var runs = 0
        while Date() < deadline {
            let input = mutator.mutate(seeds[mutator.below(seeds.count)], with: seeds)
            try? Data(input.utf8).write(to: last)
            let started = ContinuousClock.now
            target.run(input)
            let took = ContinuousClock.now - started
            #expect(took < .seconds(5), "input kept in \(last.path) took \(took)")
            if took >= .seconds(5) { break }
            runs += 1
        }
        #expect(runs > 0)
        print("fuzz \(target.name): \(runs) inputs in \(Self.seconds) s, none crashed")
    }

    /// Every crasher ever found stays a test.
    @Test(arguments: targets)
    func crashersStayFixed(_ target: Target) {
        for input in Self.corpus("crashers", of: target.name) { target.run(input) }
        for input in Self.corpus("corpus", of: target.name) { target.run(input) }
    }
}

/// Byte- and token-level mutations: flips, deletions, duplications of a span, splices with
/// another seed, and insertions of tokens that tend to break parsers.
struct Mutator {
    var random: SeededRandom
    let dictionary: [String]

    static let dictionary = [
        "[", "]", "{", "}", "(", ")", "&a ", "*a", "? ", ": ", "- ", "---\n", "!!str ", "!!int ", "\"", "'", "\\", "\n", "\t", "#",
        "9223372036854775807", "-9223372036854775808", "1e308", "0x10", "1:30", ".inf", "\u{0}", "\u{FFFF}", "é",
        " + 1", " * 2", " in ", " := ", " == ", "some x in ", "every x in y { ", "not ", "with input as ", "default ", "else := ",
        "numbers.range(", "sprintf(\"%999999d\", [", "walk(", "count(", "regex.match(\"(a+)+$\", ", "glob.match(\"*\", [], ",
        "[x | x := ", "{x: y | ", "data", "input", "import rego.v1\n", "package p\n",
    ]

    init(seed: UInt64, dictionary: [String]) {
        random = SeededRandom(seed: seed)
        self.dictionary = dictionary
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    mutating func mutate(_ seed: String, with seeds: [String]) -> String {
        var bytes = Array(seed.utf8)
        for _ in 0...below(4) {
            let at = below(bytes.count + 1)
            switch below(6) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(truncatingIfNeeded: 1 << below(8))
            case 1 where !bytes.isEmpty:
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(16)))
            case 2:
                let end = min(bytes.count, at + below(64))
                let span = Array(bytes[at..<end])
                for _ in 0..<(1 + below(50)) { bytes.insert(contentsOf: span, at: at) }
            case 3:
                let other = Array(seeds[below(seeds.count)].utf8)
                let from = below(other.count + 1)
                bytes.insert(contentsOf: other[from..<min(other.count, from + below(200))], at: at)
            default:
                let token = Array(dictionary[below(dictionary.count)].utf8)
                for _ in 0..<(1 + (below(10) == 0 ? below(400) : 0)) { bytes.insert(contentsOf: token, at: min(at, bytes.count)) }
            }
        }
        return String(decoding: bytes.prefix(256 * 1024), as: UTF8.self)
    }
}
