import ArgumentParser
import CommandSupport
import Foundation
import Learning
import NovaCore

struct MLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml", abstract: "Train, use and measure the learning core.",
        subcommands: [TrainGBM.self, Predict.self])

    struct TrainGBM: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "train-gbm", abstract: "Train gradient-boosted trees, one model per target.")
        @Option(help: "CSV with a header line.") var csv: String
        @Option(help: "Comma-separated target columns.") var targets: String
        @Option(help: "Comma-separated feature columns (default: every other column).") var features: String?
        @Option(help: "Where to write the model file.") var out: String
        @OptionGroup var boosting: BoostingOptions

        func run() async throws {
            try await reportingErrors {
                let table = try load(csv)
                let targetNames = targets.split(separator: ",").map(String.init)
                let featureNames = features?.split(separator: ",").map(String.init) ?? table.columns.filter { !targetNames.contains($0) }
                let start = ContinuousClock.now
                let set = try ModelSet.train(table: table, features: featureNames, targets: targetNames, parameters: try boosting.parameters())
                let elapsed = ContinuousClock.now - start
                try set.encoded().write(to: URL(fileURLWithPath: out))
                print("trained \(targetNames.count) model(s) on \(table.rowCount) rows in \(elapsed); wrote \(out)")
                for (target, model) in set.models {
                    let importance = zip(featureNames, model.featureImportance).sorted { $0.1 > $1.1 }.prefix(3)
                        .map { "\($0.0) \(String(format: "%.2f", $0.1))" }.joined(separator: ", ")
                    print("  \(target): \(model.treeCount) trees; top features: \(importance)")
                }
            }
        }
    }

    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Predict every row of a CSV; prints CSV.")
        @Option(help: "A model file from train-gbm.") var model: String
        @Option(help: "CSV with the model's feature columns.") var csv: String

        func run() async throws {
            try await reportingErrors {
                guard let data = FileManager.default.contents(atPath: model) else { throw NovaError(.notFound, "cannot read \(model)") }
                let set = try ModelSet(decoding: data)
                let table = try load(csv)
                let x = try table.matrix(set.features)
                let predictions = set.models.map { $0.model.predict(rows: x) }
                print(set.models.map(\.target).joined(separator: ","))
                for r in 0..<table.rowCount { print(predictions.map { String($0[r]) }.joined(separator: ",")) }
            }
        }
    }
}
