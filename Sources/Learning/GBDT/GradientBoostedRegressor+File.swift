import Foundation

/// Models are saved as versioned JSON. A file of another format, another version or with
/// damaged content is refused with a message saying which.
extension GradientBoostedRegressor {
    public static let fileFormat = "novacron-gbdt"
    public static let fileVersion = 1

    public struct FileError: Error, CustomStringConvertible {
        public let description: String
    }

    struct File: Codable {
        var format: String
        var version: Int
        var parameters: BoostingParameters
        var featureCount: Int
        var baseScore: Double
        var featureImportance: [Double]
        var trees: [RegressionTree]
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(
            File(
                format: Self.fileFormat, version: Self.fileVersion, parameters: parameters, featureCount: featureCount,
                baseScore: baseScore, featureImportance: featureImportance, trees: trees))
    }

    public init(decoding data: Data) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw FileError(description: "not a NovaCron gradient-boosted model file (\(error))")
        }
        guard file.format == Self.fileFormat else { throw FileError(description: "file format is \(file.format), expected \(Self.fileFormat)") }
        guard file.version == Self.fileVersion else {
            throw FileError(description: "model file version \(file.version) is not supported (this build reads \(Self.fileVersion))")
        }
        for (t, tree) in file.trees.enumerated() {
            let n = tree.feature.count
            guard n > 0, tree.threshold.count == n, tree.left.count == n, tree.right.count == n, tree.value.count == n else {
                throw FileError(description: "tree \(t) is damaged: its arrays differ in length")
            }
            for i in 0..<n where tree.feature[i] >= 0 {
                guard Int(tree.feature[i]) < file.featureCount, (1..<n).contains(Int(tree.left[i])), (1..<n).contains(Int(tree.right[i])),
                    Int(tree.left[i]) > i, Int(tree.right[i]) > i
                else {
                    throw FileError(description: "tree \(t) is damaged at node \(i)")
                }
            }
        }
        self.init(
            parameters: file.parameters, featureCount: file.featureCount, baseScore: file.baseScore, trees: file.trees,
            forest: FlatForest(trees: file.trees), featureImportance: file.featureImportance, trainingLoss: [], validationLoss: [])
    }
}
