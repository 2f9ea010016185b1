/// All trees of a model in one contiguous array of 24-byte nodes: prediction walks it with one
/// pointer and no allocation. A leaf has `feature == -1` and keeps its value in `threshold`.
struct FlatForest: Sendable, Hashable {
    struct Node: Sendable, Hashable {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
    }

    var nodes: [Node] = []
    var roots: [Int32] = []

    init(trees: [RegressionTree]) {
        for tree in trees {
            let base = Int32(nodes.count)
            roots.append(base)
            for i in tree.feature.indices {
                if tree.feature[i] < 0 {
                    nodes.append(Node(threshold: tree.value[i], feature: -1, left: -1, right: -1))
                } else {
                    nodes.append(Node(threshold: tree.threshold[i], feature: tree.feature[i], left: base + tree.left[i], right: base + tree.right[i]))
                }
            }
        }
    }

    func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            var sum = 0.0
            for root in roots {
                var node = nodes[Int(root)]
                while node.feature >= 0 {
                    node = nodes[Int(row[Int(node.feature)] <= node.threshold ? node.left : node.right)]
                }
                sum += node.threshold
            }
            return sum
        }
    }
}
