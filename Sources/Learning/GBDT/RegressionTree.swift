/// One tree, flattened: node i splits on `feature[i]` at `threshold[i]` (value <= threshold goes
/// left) or, when `feature[i] < 0`, is a leaf worth `value[i]`.
struct RegressionTree: Codable, Sendable, Hashable {
    var feature: [Int32] = []
    var threshold: [Double] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var value: [Double] = []

    mutating func addLeaf(_ v: Double) -> Int32 {
        feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); value.append(v)
        return Int32(feature.count - 1)
    }

    func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        var node = 0
        while feature[node] >= 0 {
            node = Int(row[Int(feature[node])] <= threshold[node] ? left[node] : right[node])
        }
        return value[node]
    }
}
