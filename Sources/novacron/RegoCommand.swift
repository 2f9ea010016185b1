import ArgumentParser
import Foundation
import NovaCore
import Rego

struct RegoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rego", abstract: "Parse and evaluate Rego policies (an early evaluator: see Sources/Rego/README.md).",
                                                    subcommands: [Check.self, Eval.self, Bench.self])

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a query: with --jsonl, speak the engine contract of ../shared/rego/engines/_common.py on stdin/stdout.")
        @Option(name: .shortAndLong, help: "A Rego file; repeatable.") var data: [String] = []
        @Option(name: .shortAndLong, help: "A JSON input document.") var input: String?
        @Flag(help: "Read modules as Rego v0.") var v0 = false
        @Flag(help: "One JSON request per line on stdin, one answer per line on stdout.") var jsonl = false
        @Argument(help: "The query, e.g. data.authz.allow.") var query: String?

        func run() async throws {
            if jsonl {
                // Deep policies recurse deeply: evaluate on a thread with a large stack.
                StackGuard.onLargeStack {
                    while let line = readLine(strippingNewline: true) {
                        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                        let answer: Value
                        do { answer = EngineRequest.answer(try Value(json: line)) } catch { answer = ["error": .string("bad request: \(error)")] }
                        // Written straight to the descriptor: print() is block-buffered on a pipe, and the harness waits for each line.
                        FileHandle.standardOutput.write(Data((answer.canonicalJSON + "\n").utf8))
                    }
                }
                return
            }
            try await reportingErrors {
                guard let query else { throw NovaError(.invalidRequest, "give a query, or --jsonl") }
                var modules: [Value] = []
                for path in data {
                    guard let contents = FileManager.default.contents(atPath: path) else { throw NovaError(.notFound, "cannot read \(path)") }
                    modules.append(.string(String(decoding: contents, as: UTF8.self)))
                }
                var request: [String: Value] = ["modules": .array(modules), "query": .string(query), "rego_version": .string(v0 ? "v0" : "v1")]
                if let input {
                    guard let contents = FileManager.default.contents(atPath: input) else { throw NovaError(.notFound, "cannot read \(input)") }
                    request["input"] = try Value(json: String(decoding: contents, as: UTF8.self), file: input)
                }
                let finished = request
                let answer = StackGuard.onLargeStack { EngineRequest.answer(.object(finished)) }
                print(answer.prettyJSON)
                if answer["error"] != nil { throw ExitCode(1) }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse Rego files and report every syntax error with file:line:col.")
        @Argument(help: "Rego files.") var files: [String]
        @Flag(help: "Read the files as Rego v0 (rules without if, p[x] { … }, chained bodies).") var v0 = false

        func run() async throws {
            var failed = 0
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    standardError("\(path): cannot read")
                    failed += 1
                    continue
                }
                do {
                    _ = try Parser.parseModule(String(decoding: data, as: UTF8.self), file: path, version: v0 ? .v0 : .v1)
                } catch {
                    standardError(error.description)
                    failed += 1
                }
            }
            if failed > 0 {
                standardError("\(failed) of \(files.count) file(s) have errors")
                throw ExitCode(1)
            }
            print("\(files.count) file(s) parsed")
        }
    }

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Throughput on the fixtures of ../shared/rego/bench.py --dump-fixtures DIR (a benchmark, not a test).")
        @Argument(help: "The directory bench.py --dump-fixtures wrote.") var directory: String
        @Option(help: "Evaluations per policy.") var evals = 10_000
        @Option(help: "Comma-separated policies.") var policies = "rbac,k8s"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let names = policies.split(separator: ",").map(String.init)
            let directory = directory, evals = evals
            let outcome: Result<[RegoBenchmark.Result], Error> = StackGuard.onLargeStack {
                Result { try names.map { try RegoBenchmark.run(try RegoBenchmark.Fixture(directory: directory, name: $0), evaluations: evals) } }
            }
            let results = try outcome.get()
            if json {
                let rows: [Value] = results.map { r in
                    ["policy": .string(r.name), "evals": .int(r.evaluations), "evals_per_s": .double(r.evaluationsPerSecond.rounded()),
                     "evals_per_cpu_s": .double(r.evaluationsPerCPUSecond.rounded()), "p50_us": .double(r.p50Microseconds),
                     "p99_us": .double(r.p99Microseconds), "prepare_ms": .double(r.prepareMilliseconds)]
                }
                print(Value.array(rows).canonicalJSON)
                return
            }
            print("policy  evals/s    evals/CPU-s  p50 µs  p99 µs  prepare ms  decisions (first pool round)")
            for r in results {
                let decisions = r.decisions.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
                print(String(format: "%-6@  %9.0f  %11.0f  %6.1f  %6.1f  %10.1f  ", r.name, r.evaluationsPerSecond, r.evaluationsPerCPUSecond,
                             r.p50Microseconds, r.p99Microseconds, r.prepareMilliseconds) + decisions)
            }
        }
    }
}
