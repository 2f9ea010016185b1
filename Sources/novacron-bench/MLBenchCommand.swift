import ArgumentParser
import CommandSupport
import Foundation
import Learning
import NovaCore

/// GBDT benchmark on the infra dataset: first 80 % of rows train, last 20 % test, as
/// the Python peers' benchmark (bench_gbm.py) does for their libraries.
struct MLBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ml", abstract: "Measure GBDT accuracy, training time and prediction latency on a CSV.")
    @Option(help: "The infra dataset CSV.") var csv: String
    @Option(help: "Comma-separated targets.") var targets = "cpu_need_vcpu,mem_need_gb,net_need_mbps,hourly_cost_usd"
    @Option(help: "Single-row prediction calls to time.") var calls = 10_000
    @Option(help: "JSON written by the Python peers' benchmark (bench_gbm.py) in the same run: print ratios against those peers.") var peers: String?
    @OptionGroup var boosting: BoostingOptions

    func run() async throws {
        try await reportingErrors {
            let table = try load(csv)
            let targetNames = targets.split(separator: ",").map(String.init)
            let featureNames = Array(
                table.columns.filter { !targetNames.contains($0) && !["cpu_need_vcpu", "mem_need_gb", "net_need_mbps", "hourly_cost_usd"].contains($0) })
            let x = try table.matrix(featureNames)
            let train = table.rowCount * 8 / 10, width = featureNames.count
            let xTrain = Array(x[0..<(train * width)]), xTest = Array(x[(train * width)...])
            let parameters = try boosting.parameters()
            print(
                "rows \(table.rowCount) (train \(train), test \(table.rowCount - train)), features \(width), threads \(parameters.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : parameters.threads), bins \(parameters.maxBins), leaves \(parameters.maxLeaves)"
            )
            let peerResults = try peers.map(PeerFigures.load) ?? []
            print("target                 R2        fit s   fit cpu-s   batch k rows/s   1-row p50 us   p90 us")
            var lines: [String] = []
            for target in targetNames {
                guard let y = table.column(target) else { throw NovaError(.invalidRequest, "no column \(target)") }
                let cpuBefore = cpuSeconds()
                let start = ContinuousClock.now
                let model = GradientBoostedRegressor.fit(features: xTrain, columns: width, targets: Array(y[0..<train]), parameters: parameters)
                let fit = (ContinuousClock.now - start).seconds
                let fitCPU = cpuSeconds() - cpuBefore
                let batchStart = ContinuousClock.now
                let predictions = model.predict(rows: xTest)
                let batch = (ContinuousClock.now - batchStart).seconds
                let r2 = rSquared(Array(y[train...]), predictions)
                var latencies: [Double] = []
                var sink = 0.0
                xTest.withUnsafeBufferPointer { p in
                    let n = min(calls, table.rowCount - train)
                    for r in 0..<min(200, n) { sink += model.predict(UnsafeBufferPointer(rebasing: p[(r * width)..<((r + 1) * width)])) }
                    for r in 0..<n {
                        let row = UnsafeBufferPointer(rebasing: p[(r * width)..<((r + 1) * width)])
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        sink += model.predict(row)
                        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
                    }
                }
                latencies.sort()
                let p50 = latencies[latencies.count / 2], p90 = latencies[latencies.count * 9 / 10]
                print(
                    String(
                        format: "%-20@ %8.4f %9.2f %10.2f %15.0f %14.2f %8.2f", target as NSString, r2, fit, fitCPU,
                        Double(predictions.count) / batch / 1000, p50, p90) + (sink.isNaN ? " " : ""))
                for peer in peerResults where peer.target == target {
                    lines.append(
                        String(
                            format: "%-16@ %-4@ t%d  R2 %.4f (ours %+.4f)   fit %.3f s (ours %.2fx as fast)   1-row %.1f us (ours %.1fx as fast)",
                            target as NSString, peer.model as NSString, peer.threads, peer.r2, r2 - peer.r2, peer.fit,
                            peer.fit / fit, peer.singleMicroseconds, peer.singleMicroseconds / p50))
                }
            }
            if !lines.isEmpty {
                print("\nagainst the peers measured in the same run (ours at \(parameters.threads == 0 ? "all" : String(parameters.threads)) thread(s)):")
                lines.forEach { print($0) }
            }
        }
    }
}

/// One peer library's figures for one target, as bench_gbm.py writes them (medians over reps).
struct PeerFigures {
    var model: String
    var threads: Int
    var target: String
    var r2: Double
    var fit: Double
    /// The fastest single-row call the peer offers (native booster call where there is one).
    var singleMicroseconds: Double

    static func load(_ path: String) throws -> [PeerFigures] {
        guard let data = FileManager.default.contents(atPath: path) else { throw NovaError(.notFound, "cannot read \(path)") }
        let json = try Value(json: String(decoding: data, as: UTF8.self), file: path)
        return (json["results"]?.arrayValue ?? []).compactMap { result in
            guard let median = result["median"], let r2 = median["r2"]?.doubleValue, let fit = median["fit_s"]?.doubleValue else { return nil }
            let latencies = ["lat_booster_p50_us", "lat_inplace_p50_us", "lat_predict_p50_us"].compactMap { median[$0]?.doubleValue }
            return PeerFigures(
                model: result["model"]?.stringValue ?? "?", threads: result["threads"]?.intValue ?? 1,
                target: result["target"]?.stringValue ?? "", r2: r2, fit: fit, singleMicroseconds: latencies.min() ?? .nan)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
