import ArgumentParser
import CommandSupport
import Foundation
import NovaCore
import Persistence
import Workflow

struct WorkflowBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow",
        abstract: "The three orchestration workloads (W1/W2/W3) with no-op steps, in memory and on SQLite; each cell in its own process for a true peak RSS.")
    @Option(help: "W1, W2, W3 or all.") var workload = "all"
    @Option(help: "memory, sqlite (durability process), sqlite-power (fsync per group commit) or all.") var store = "all"
    @Option(help: "Measured repetitions per cell (after one warm-up); the median is reported.") var repetitions = 3
    @Option(help: "Engine ordering: critical-path or fifo.") var ordering = "critical-path"
    @Flag(help: "Run exactly one cell in this process and print one JSON line (used by the parent).") var cell = false
    @Flag(help: "Print one JSON object per cell instead of the table.") var json = false

    func run() async throws {
        try await reportingErrors {
            let workloads = workload == "all" ? WorkflowBenchmark.Workload.allCases : [try parse(workload)]
            let stores = store == "all" ? ["memory", "sqlite", "sqlite-power"] : [store]
            if cell {
                print(try await measure(workloads[0], store: stores[0]).canonicalJSON)
                return
            }
            if !json { print("workload  store          steps   wall s (median of \(repetitions))   per step us   cpu s    peak RSS MB") }
            for store in stores {
                for workload in workloads {
                    let child = Process()
                    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
                    child.arguments = [
                        "workflow", "--cell", "--workload", workload.rawValue, "--store", store,
                        "--repetitions", "\(repetitions)", "--ordering", ordering,
                    ]
                    let pipe = Pipe()
                    child.standardOutput = pipe
                    try child.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    child.waitUntilExit()
                    let result = try Value(json: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    if json {
                        print(result.canonicalJSON)
                        continue
                    }
                    let wall = result["seconds"]?.doubleValue ?? 0
                    let figures = String(
                        format: "%5d   %10.4f                    %10.1f   %6.3f   %8.1f", result["steps"]?.intValue ?? 0, wall,
                        result["microsecondsPerStep"]?.doubleValue ?? 0, result["cpuSeconds"]?.doubleValue ?? 0,
                        result["peakRSSMB"]?.doubleValue ?? 0)
                    print(
                        workload.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + store.padding(toLength: 15, withPad: " ", startingAt: 0)
                            + figures)
                }
            }
        }
    }

    func parse(_ text: String) throws -> WorkflowBenchmark.Workload {
        guard let workload = WorkflowBenchmark.Workload(rawValue: text.uppercased()) else {
            throw NovaError(.invalidRequest, "--workload must be W1, W2, W3 or all")
        }
        return workload
    }

    func measure(_ workload: WorkflowBenchmark.Workload, store: String) async throws -> Value {
        let workflowStore: any WorkflowStore
        switch store {
        case "memory": workflowStore = InMemoryWorkflowStore()
        case "sqlite", "sqlite-power":
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("novacron-bench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            workflowStore = try SQLiteStore(path: directory + "/bench.sqlite", durability: store == "sqlite" ? .process : .power)
        default: throw NovaError(.invalidRequest, "--store must be memory, sqlite, sqlite-power or all")
        }
        let engine = WorkflowEngine(store: workflowStore, actions: [NoopAction()], ordering: ordering == "fifo" ? .fifo : .criticalPath)
        try await WorkflowBenchmark.register(on: engine)
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                try await engine.run(); return nil
            }
            _ = try await WorkflowBenchmark.run(workload, on: engine)
            let cpuBefore = cpuSeconds()
            var times: [Double] = []
            for _ in 0..<max(1, repetitions) { times.append(try await WorkflowBenchmark.run(workload, on: engine).seconds) }
            let cpu = (cpuSeconds() - cpuBefore) / Double(times.count)
            group.cancelAll()
            let median = times.sorted()[times.count / 2]
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return [
                "workload": .string(workload.rawValue), "store": .string(store), "steps": .int(workload.steps), "seconds": .double(median),
                "microsecondsPerStep": .double(median * 1e6 / Double(workload.steps)), "cpuSeconds": .double(cpu),
                "peakRSSMB": .double(Double(usage.ru_maxrss) / 1024),
            ]
        }
    }

    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

struct OrderingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow-order",
        abstract: "The optimizer's gain: a DAG on 2 workers (12 independent 60 ms steps listed first, a chain of 5 × 40 ms), FIFO against critical-path order.")

    func run() async throws {
        try await reportingErrors {
            let result = try await WorkflowBenchmark.compareOrdering(store: InMemoryWorkflowStore())
            print(
                String(
                    format: "FIFO %.3f s, critical path %.3f s (lower bound %.3f s): %.2fx faster", result.fifo, result.criticalPath,
                    result.lowerBound, result.fifo / result.criticalPath))
        }
    }
}
