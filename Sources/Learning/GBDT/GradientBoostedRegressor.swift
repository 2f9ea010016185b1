import CLearningKernels
import Foundation

/// Gradient-boosted regression trees on binned features (histogram-based, leaf-wise growth).
///
/// Train with `fit`, predict one row with `predict(_:)` (no allocation: trees are flat arrays)
/// or many with `predict(rows:columns:)`. Save and load as versioned JSON.
public struct GradientBoostedRegressor: Sendable, Hashable {
    public private(set) var parameters: BoostingParameters
    public private(set) var featureCount: Int
    public private(set) var baseScore: Double
    var trees: [RegressionTree]
    /// The trees packed into one array of nodes, for prediction.
    var forest = FlatForest(trees: [])
    /// Total split gain per feature, normalised to sum to 1.
    public private(set) var featureImportance: [Double]
    /// Training loss after each tree (and validation loss, when early stopping held rows out).
    public private(set) var trainingLoss: [Double]
    public private(set) var validationLoss: [Double]

    public var treeCount: Int { trees.count }

    /// Trains on row-major `features` (`rows × columns`) against `targets`.
    public static func fit(
        features: [Double], columns: Int, targets: [Double], parameters: BoostingParameters = BoostingParameters()
    )
        -> GradientBoostedRegressor
    {
        precondition(columns > 0 && features.count == targets.count * columns, "features must be rows × columns")
        let total = targets.count
        let validationRows = parameters.validationFraction > 0 ? Int(Double(total) * parameters.validationFraction) : 0
        let rows = total - validationRows
        let trainFeatures = Array(features[0..<(rows * columns)])
        let binner = FeatureBinner(values: trainFeatures, rows: rows, columns: columns, maxBins: parameters.maxBins)
        func builder<Bin>(_: Bin.Type) -> TreeBuilder<Bin> {
            TreeBuilder(
                binned: binner.binned(values: trainFeatures, rows: rows, columns: columns, as: Bin.self),
                binner: binner, parameters: parameters)
        }
        return binner.fitsInBytes
            ? boost(features: features, trainFeatures: trainFeatures, columns: columns, targets: targets, parameters: parameters, builder: builder(UInt8.self))
            : boost(features: features, trainFeatures: trainFeatures, columns: columns, targets: targets, parameters: parameters, builder: builder(UInt16.self))
    }

    private static func boost<Bin>(
        features: [Double], trainFeatures: [Double], columns: Int, targets: [Double], parameters: BoostingParameters,
        builder: TreeBuilder<Bin>
    ) -> GradientBoostedRegressor {
        let rows = trainFeatures.count / columns
        let validationRows = targets.count - rows
        let y = Array(targets[0..<rows])
        let validationTargets = Array(targets[rows...])
        let base = Loss.initialPrediction(parameters.loss, y)
        var prediction = [Double](repeating: base, count: rows)
        var validationPrediction = [Double](repeating: base, count: validationRows)
        var model = GradientBoostedRegressor(
            parameters: parameters, featureCount: columns, baseScore: base, trees: [],
            featureImportance: [Double](repeating: 0, count: columns), trainingLoss: [], validationLoss: [])
        var gains = [Double](repeating: 0, count: columns)
        var random = SplitMix64(seed: parameters.seed)
        var gradients = [Double](repeating: 0, count: rows)
        var bestValidation = Double.infinity, bestCount = 0
        var scratch = TreeBuilder<Bin>.Scratch(rows: rows)
        var sample = [Int32](repeating: 0, count: rows)
        for _ in 0..<parameters.estimators {
            Loss.gradients(parameters.loss, y, prediction, into: &gradients)
            if parameters.subsample < 1 {
                sample = (0..<Int32(rows)).filter { _ in random.nextUnit() < parameters.subsample }
            } else {
                // Every row, in order, in the buffer the last tree permuted.
                sample.withUnsafeMutableBufferPointer { s in for i in 0..<rows { s[i] = Int32(truncatingIfNeeded: i) } }
            }
            var grown = builder.grow(rows: &sample, gradients: gradients, scratch: &scratch)
            for leaf in grown.leaves {
                let slice = sample[leaf.start..<(leaf.start + leaf.count)]
                let raw = Loss.leafValue(
                    parameters.loss, y: y, prediction: prediction, rows: slice, gradientSum: leaf.gradient,
                    l2: parameters.l2)
                grown.tree.value[Int(leaf.node)] = raw * parameters.learningRate
            }
            let tree = grown.tree
            // In-sample rows take their leaf's value directly; rows left out by subsampling are predicted.
            if parameters.subsample < 1 {
                trainFeatures.withUnsafeBufferPointer { x in
                    for r in 0..<rows { prediction[r] += tree.predict(UnsafeBufferPointer(rebasing: x[(r * columns)..<((r + 1) * columns)])) }
                }
            } else {
                sample.withUnsafeBufferPointer { s in
                    prediction.withUnsafeMutableBufferPointer { p in
                        for leaf in grown.leaves {
                            nc_scatter_add(s.baseAddress! + leaf.start, leaf.count, tree.value[Int(leaf.node)], p.baseAddress!)
                        }
                    }
                }
            }
            for split in grown.splits { gains[split.feature] += split.gain }
            model.trees.append(tree)
            model.trainingLoss.append(Loss.value(parameters.loss, y, prediction))
            if validationRows > 0 {
                features.withUnsafeBufferPointer { x in
                    for v in 0..<validationRows {
                        let r = rows + v
                        validationPrediction[v] += tree.predict(UnsafeBufferPointer(rebasing: x[(r * columns)..<((r + 1) * columns)]))
                    }
                }
                let loss = Loss.value(parameters.loss, validationTargets, validationPrediction)
                model.validationLoss.append(loss)
                if loss < bestValidation - 1e-12 {
                    bestValidation = loss
                    bestCount = model.trees.count
                } else if model.trees.count - bestCount >= parameters.earlyStoppingRounds {
                    break
                }
            }
        }
        if validationRows > 0, bestCount > 0 { model.trees.removeLast(model.trees.count - bestCount) }
        let totalGain = gains.reduce(0, +)
        model.featureImportance = totalGain > 0 ? gains.map { $0 / totalGain } : gains
        model.forest = FlatForest(trees: model.trees)
        return model
    }

    /// The prediction for one row of `featureCount` values. Allocates nothing.
    public func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        baseScore + forest.predict(row)
    }

    public func predict(_ row: [Double]) -> Double {
        row.withUnsafeBufferPointer { predict($0) }
    }

    /// Predictions for row-major `rows × featureCount` values.
    public func predict(rows values: [Double]) -> [Double] {
        let n = values.count / featureCount
        return values.withUnsafeBufferPointer { x in
            (0..<n).map { r in predict(UnsafeBufferPointer(rebasing: x[(r * featureCount)..<((r + 1) * featureCount)])) }
        }
    }
}
