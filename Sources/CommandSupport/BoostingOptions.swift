import ArgumentParser
import Learning
import NovaCore

/// Gradient-boosting parameters as command-line options.
public struct BoostingOptions: ParsableArguments {
    public init() {}

    @Option(help: "squared, absolute, huber:ALPHA or quantile:ALPHA.") var loss: String = "squared"
    @Option(help: "Number of trees.") var trees: Int = 100
    @Option(help: "Learning rate.") var learningRate: Double = 0.1
    @Option(help: "Leaves per tree.") var leaves: Int = 31
    @Option(help: "Depth limit (0: none).") var depth: Int = 0
    @Option(help: "Minimum rows per leaf.") var minLeaf: Int = 5
    @Option(help: "Bins per feature.") var bins: Int = 255
    @Option(help: "L2 regularisation.") var l2: Double = 0
    @Option(help: "Row subsample per tree.") var subsample: Double = 1
    @Option(help: "Fraction held out for early stopping (0: off).") var validation: Double = 0
    @Option(help: "Threads (0: one per core).") var threads: Int = 0

    public func parameters() throws -> BoostingParameters {
        var p = BoostingParameters()
        let parts = loss.split(separator: ":")
        switch parts.first {
        case "squared": p.loss = .squaredError
        case "absolute": p.loss = .absoluteError
        case "huber": p.loss = .huber(alpha: parts.count > 1 ? Double(parts[1]) ?? 0.9 : 0.9)
        case "quantile": p.loss = .quantile(alpha: parts.count > 1 ? Double(parts[1]) ?? 0.5 : 0.5)
        default: throw NovaError(.invalidRequest, "--loss must be squared, absolute, huber:ALPHA or quantile:ALPHA")
        }
        p.estimators = trees; p.learningRate = learningRate; p.maxLeaves = leaves; p.maxDepth = depth; p.minSamplesLeaf = minLeaf
        p.maxBins = bins; p.l2 = l2; p.subsample = subsample; p.validationFraction = validation; p.threads = threads
        return p
    }
}

/// Reads a CSV with a header line into a numeric table; a bad file is a plain error.
public func load(_ csv: String) throws -> NumericTable {
    do { return try NumericTable.read(csv: csv) } catch let error as NumericTable.ReadError {
        throw NovaError(.invalidRequest, error.description)
    }
}
