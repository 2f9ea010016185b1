import ArgumentParser
import Foundation
import NovaCore
import Rego

struct RegoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rego",
        abstract: "Throughput on fixtures dumped by the Rego peers' benchmark (bench.py --dump-fixtures DIR); a benchmark, not a test.")
    @Argument(help: "The directory bench.py --dump-fixtures wrote.") var directory: String
    @Option(help: "Evaluations per policy.") var evals = 10_000
    @Option(help: "Comma-separated policies.") var policies = "rbac,k8s"
    @Option(help: "Runs per policy, alternating between the policies; the run with the median evals/CPU-s is reported.")
    var reps = 1
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let names = policies.split(separator: ",").map(String.init)
        let directory = directory, evals = evals, reps = max(1, reps)
        let outcome: Result<[[RegoBenchmark.Result]], any Error> = await LargeStackExecutor.shared.run {
            Result {
                let fixtures = try names.map { try RegoBenchmark.Fixture(directory: directory, name: $0) }
                var runs = [[RegoBenchmark.Result]](repeating: [], count: fixtures.count)
                for _ in 0..<reps {
                    for (i, fixture) in fixtures.enumerated() { runs[i].append(try RegoBenchmark.run(fixture, evaluations: evals)) }
                }
                return runs
            }
        }
        let runs = try outcome.get()
        let results = runs.map { $0.sorted { $0.evaluationsPerCPUSecond < $1.evaluationsPerCPUSecond }[$0.count / 2] }
        if json {
            let rows: [Value] = zip(results, runs).map { r, all in
                [
                    "policy": .string(r.name), "evals": .int(r.evaluations), "evals_per_s": .double(r.evaluationsPerSecond.rounded()),
                    "evals_per_cpu_s": .double(r.evaluationsPerCPUSecond.rounded()), "p50_us": .double(r.p50Microseconds),
                    "p99_us": .double(r.p99Microseconds), "prepare_ms": .double(r.prepareMilliseconds),
                    "runs": .array(all.map { ["evals_per_cpu_s": .double($0.evaluationsPerCPUSecond.rounded()), "p99_us": .double($0.p99Microseconds)] }),
                ]
            }
            print(Value.array(rows).canonicalJSON)
            return
        }
        print("policy  evals/s    evals/CPU-s  p50 µs  p99 µs  prepare ms  decisions (first pool round)")
        if reps > 1 {
            for (name, policyRuns) in zip(names, runs) {
                let rates = policyRuns.map { String(format: "%.0f", $0.evaluationsPerCPUSecond) }.joined(separator: ", ")
                print("\(name): evals/CPU-s of the \(reps) runs: \(rates) (the median run below)")
            }
        }
        for r in results {
            let decisions = r.decisions.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
            print(
                String(
                    format: "%-6@  %9.0f  %11.0f  %6.1f  %6.1f  %10.1f  ", r.name, r.evaluationsPerSecond, r.evaluationsPerCPUSecond,
                    r.p50Microseconds, r.p99Microseconds, r.prepareMilliseconds) + decisions)
        }
    }
}

/// The engine contract of the Rego conformance runner and the peers' benchmark: one JSON
/// request per line on standard input, one answer per line on standard output.
struct RegoEngine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rego-engine", abstract: "Answer one JSON evaluation request per line (the harnesses' engine contract).")

    func run() async throws {
        // Deep policies recurse deeply: evaluate on a thread with a large stack.
        await LargeStackExecutor.shared.run {
            while let line = readLine(strippingNewline: true) {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                let answer: Value
                do { answer = EngineRequest.answer(try Value(json: line)) } catch { answer = ["error": .string("bad request: \(error)")] }
                // Written straight to the descriptor: print() is block-buffered on a pipe, and the harness waits for each line.
                FileHandle.standardOutput.write(Data((answer.canonicalJSON + "\n").utf8))
            }
        }
    }
}
