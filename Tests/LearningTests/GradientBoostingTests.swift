import Foundation
import Testing

@testable import Learning

@Suite struct GradientBoostingTests {
    /// y = 1 below x=3, 5 between 3 and 7, -2 above: one tree with enough leaves fits it exactly.
    @Test func aTreeFitsAPiecewiseFunctionExactly() {
        let xs = (0..<300).map { Double($0) / 30 }
        let ys = xs.map { $0 < 3 ? 1.0 : ($0 < 7 ? 5.0 : -2.0) }
        var p = BoostingParameters()
        p.estimators = 1
        p.learningRate = 1
        p.maxLeaves = 3
        p.minSamplesLeaf = 1
        let model = GradientBoostedRegressor.fit(features: xs, columns: 1, targets: ys, parameters: p)
        let predictions = model.predict(rows: xs)
        #expect(zip(predictions, ys).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(abs(model.predict([2.95]) - 1) < 1e-9 && abs(model.predict([3.05]) - 5) < 1e-9 && abs(model.predict([9.5]) + 2) < 1e-9)
    }

    static func noisyData(rows: Int, seed: UInt64, noise: Double = 1) -> (x: [Double], y: [Double]) {
        var random = SplitMix64(seed: seed)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<rows {
            let a = random.nextUnit() * 4, b = random.nextUnit() * 4, c = random.nextUnit()
            x += [a, b, c]
            y.append(sin(a) * 3 + b * b + (random.nextUnit() - 0.5) * noise * (1 + b))
        }
        return (x, y)
    }

    @Test func boostingLowersTrainingLossEveryRound() {
        let (x, y) = Self.noisyData(rows: 2_000, seed: 1)
        let model = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y)
        #expect(model.trainingLoss.count == 100)
        #expect(zip(model.trainingLoss, model.trainingLoss.dropFirst()).allSatisfy { $1 <= $0 + 1e-12 })
        #expect(model.trainingLoss.last! < model.trainingLoss.first! / 10)
        // The third feature is noise: it earns the least importance.
        #expect(model.featureImportance[2] < model.featureImportance[0] && model.featureImportance[2] < model.featureImportance[1])
        #expect(abs(model.featureImportance.reduce(0, +) - 1) < 1e-9)
    }

    /// The prepared forest predicts what walking each tree on its own predicts, for values on,
    /// between and beyond the thresholds: scored by leaf masks (trees of 9 leaves), and walked
    /// (trees of up to 80 leaves: trees regrouped by depth, eight walked at once, leaves looping
    /// to themselves) for tree counts that are and are not whole groups.
    @Test(arguments: [(1, 9), (7, 9), (40, 9), (1, 80), (7, 80), (8, 80), (13, 80)])
    func theFlatForestPredictsWhatTheTreesDo(trees: Int, leaves: Int) {
        let (x, y) = Self.noisyData(rows: 1_000, seed: 4)
        var p = BoostingParameters()
        p.estimators = trees
        p.maxLeaves = leaves
        p.minSamplesLeaf = 3
        let model = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y, parameters: p)
        #expect(model.treeCount == trees)
        #expect((model.forest.masked != nil) == (leaves <= LeafMaskForest.maximumLeaves))
        #expect(Set(model.trees.map { FlatForest.depth($0, node: 0) }).count > 1 || trees == 1)
        var probes = (0..<300).map { i in Array(x[(i * 3)..<(i * 3 + 3)]) }
        let thresholds = model.trees.flatMap { tree in tree.feature.indices.filter { tree.feature[$0] >= 0 }.map { (Int(tree.feature[$0]), tree.threshold[$0]) }
        }
        for (feature, threshold) in thresholds.prefix(50) {
            var row = [2.0, 2.0, 0.5]
            row[feature] = threshold
            probes.append(row)
            row[feature] = threshold.nextUp
            probes.append(row)
        }
        probes += [
            [-1e9, -1e9, -1e9], [1e9, 1e9, 1e9], [.nan, 1, 0.5], [1, .nan, .nan], [-.infinity, -.infinity, 0.5], [.infinity, 2, .infinity],
            [-.greatestFiniteMagnitude, .greatestFiniteMagnitude, -0.0],
        ]
        for row in probes {
            let walked = row.withUnsafeBufferPointer { r in model.trees.reduce(model.baseScore) { $0 + $1.predict(r) } }
            #expect(abs(model.predict(row) - walked) <= 1e-9 * max(1, abs(walked)), "\(row)")
        }
    }

    @Test func radixSortOrdersDoublesAsComparisonDoes() {
        var random = SplitMix64(seed: 7)
        var values = (0..<5_000).map { _ in (random.nextUnit() - 0.5) * pow(10, random.nextUnit() * 20 - 10) }
        values += [0, -0.0, .infinity, -.infinity, 1, 1, -1, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, Double.leastNormalMagnitude / 4]
        #expect(RadixSort.ascending(values) == values.sorted())
        #expect(RadixSort.ascending([2, 2, 2]) == [2, 2, 2] && RadixSort.ascending([]) == [])
    }

    @Test func binsAreTheFirstEdgeAtOrAboveAValue() {
        let binner = FeatureBinner(edges: [[1, 2.5, 4, .infinity]])
        let expected: [(Double, Int)] = [(-5, 0), (1, 0), (1.5, 1), (2.5, 1), (3, 2), (4, 2), (4.1, 3), (1e300, 3), (.nan, 3)]
        for (value, bin) in expected { #expect(binner.bin(value, feature: 0) == bin, "\(value)") }
        let rows = binner.binned(values: expected.map(\.0), rows: expected.count, columns: 1, as: UInt8.self)
        #expect(rows.map(Int.init) == expected.map(\.1))
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func quantileLossCoversTheRequestedShare(alpha: Double) {
        // Noise that grows with b: the interval must widen where the data spreads.
        let train = Self.noisyData(rows: 4_000, seed: 2, noise: 4), test = Self.noisyData(rows: 2_000, seed: 3, noise: 4)
        var p = BoostingParameters()
        p.loss = .quantile(alpha: alpha)
        // Intervals want smoother trees than point predictions do: fewer, fuller leaves.
        p.maxLeaves = 8
        p.minSamplesLeaf = 50
        let model = GradientBoostedRegressor.fit(features: train.x, columns: 3, targets: train.y, parameters: p)
        let predictions = model.predict(rows: test.x)
        let covered = Double(zip(test.y, predictions).filter { $0 <= $1 }.count) / Double(test.y.count)
        #expect(abs(covered - alpha) < 0.03, "alpha \(alpha): covered \(covered)")
    }

    @Test func otherLossesFitToo() {
        let train = Self.noisyData(rows: 3_000, seed: 4), test = Self.noisyData(rows: 1_000, seed: 5)
        for loss in [BoostingLoss.absoluteError, .huber(alpha: 0.9)] {
            var p = BoostingParameters()
            p.loss = loss
            let model = GradientBoostedRegressor.fit(features: train.x, columns: 3, targets: train.y, parameters: p)
            #expect(rSquared(test.y, model.predict(rows: test.x)) > 0.9, "\(loss)")
        }
    }

    @Test func earlyStoppingKeepsTheBestRound() {
        let (x, y) = Self.noisyData(rows: 2_000, seed: 6)
        var p = BoostingParameters()
        p.estimators = 1_000
        p.learningRate = 0.3
        p.validationFraction = 0.2
        p.earlyStoppingRounds = 5
        let model = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y, parameters: p)
        #expect(model.treeCount < 1_000)
        let best = model.validationLoss.enumerated().min { $0.element < $1.element }!.offset
        #expect(model.treeCount == best + 1)
    }

    @Test func seededTrainingIsReproducible() {
        let (x, y) = Self.noisyData(rows: 1_500, seed: 7)
        var p = BoostingParameters()
        p.subsample = 0.7
        p.seed = 42
        let a = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y, parameters: p)
        let b = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y, parameters: p)
        #expect(a.predict(rows: x) == b.predict(rows: x))
        p.seed = 43
        #expect(GradientBoostedRegressor.fit(features: x, columns: 3, targets: y, parameters: p).predict(rows: x) != a.predict(rows: x))
    }

    @Test func saveAndLoadGiveIdenticalPredictions() throws {
        let (x, y) = Self.noisyData(rows: 1_000, seed: 8)
        let model = GradientBoostedRegressor.fit(features: x, columns: 3, targets: y)
        let loaded = try GradientBoostedRegressor(decoding: try model.encoded())
        #expect(loaded.predict(rows: x) == model.predict(rows: x))
        #expect(loaded.featureImportance == model.featureImportance)
    }

    @Test func corruptOrForeignFilesAreClearErrors() throws {
        let (x, y) = Self.noisyData(rows: 300, seed: 9)
        let data = try GradientBoostedRegressor.fit(features: x, columns: 3, targets: y).encoded()
        var text = String(decoding: data, as: UTF8.self)
        #expect(throws: GradientBoostedRegressor.FileError.self) { try GradientBoostedRegressor(decoding: Data("{\"format\": 1}".utf8)) }
        let foreign = text.replacingOccurrences(of: "novacron-gbdt", with: "xgboost")
        #expect { try GradientBoostedRegressor(decoding: Data(foreign.utf8)) } throws: { "\($0)".contains("xgboost") }
        let future = text.replacingOccurrences(of: "\"version\":1", with: "\"version\":9")
        #expect { try GradientBoostedRegressor(decoding: Data(future.utf8)) } throws: { "\($0)".contains("version 9") }
        text = text.replacingOccurrences(of: "\"left\":[1,", with: "\"left\":[0,")
        #expect { try GradientBoostedRegressor(decoding: Data(text.utf8)) } throws: { "\($0)".contains("damaged") }
    }

    @Test func csvTablesParseExactlyAndReportBadLines() throws {
        let table = try NumericTable.parse(Array("a,b\n1.5,-2\n0.125,3e2\n".utf8), source: "t.csv")
        #expect(table.columns == ["a", "b"])
        #expect(table.values == [1.5, -2, 0.125, 300])
        #expect(table.column("b") == [-2, 300])
        #expect { try NumericTable.parse(Array("a,b\n1,2\n3,x\n".utf8), source: "t.csv") } throws: { "\($0)" == "t.csv:3: column 2 is not a number" }
        #expect { try NumericTable.parse(Array("a,b\n1,2,3\n".utf8), source: "t.csv") } throws: { "\($0)".contains("3 values") }
    }
}
