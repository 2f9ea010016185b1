import Foundation

/// One model per target over the same named features: what `novacron ml train-gbm` writes.
public struct ModelSet: Sendable {
    public var features: [String]
    public var models: [(target: String, model: GradientBoostedRegressor)]

    public init(features: [String], models: [(target: String, model: GradientBoostedRegressor)]) {
        self.features = features
        self.models = models
    }

    /// Trains one model per target on the table's feature columns, targets in parallel.
    public static func train(table: NumericTable, features: [String], targets: [String], parameters: BoostingParameters) throws -> ModelSet {
        let x = try table.matrix(features)
        let ys = try targets.map { name -> [Double] in
            guard let column = table.column(name) else { throw NumericTable.ReadError(description: "no column named \(name)") }
            return column
        }
        let models = ys.map { GradientBoostedRegressor.fit(features: x, columns: features.count, targets: $0, parameters: parameters) }
        return ModelSet(features: features, models: Array(zip(targets, models)).map { ($0.0, $0.1) })
    }

    struct File: Codable {
        var format: String
        var version: Int
        var features: [String]
        var targets: [String]
        var models: [String]
    }

    public func encoded() throws -> Data {
        let encoded = try models.map { String(decoding: try $0.model.encoded(), as: UTF8.self) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(File(format: "novacron-gbdt-set", version: 1, features: features, targets: models.map(\.target), models: encoded))
    }

    public init(decoding data: Data) throws {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw GradientBoostedRegressor.FileError(description: "not a NovaCron model file (\(error))")
        }
        guard file.format == "novacron-gbdt-set", file.version == 1, file.targets.count == file.models.count else {
            throw GradientBoostedRegressor.FileError(description: "unsupported model file \(file.format) version \(file.version)")
        }
        features = file.features
        models = try zip(file.targets, file.models).map { ($0, try GradientBoostedRegressor(decoding: Data($1.utf8))) }
    }
}

/// Coefficient of determination.
public func rSquared(_ y: [Double], _ prediction: [Double]) -> Double {
    let mean = y.reduce(0, +) / Double(y.count)
    var residual = 0.0, total = 0.0
    for i in y.indices {
        residual += (y[i] - prediction[i]) * (y[i] - prediction[i])
        total += (y[i] - mean) * (y[i] - mean)
    }
    return 1 - residual / total
}
