/// All trees of a model in one contiguous array of 16-byte nodes in depth-first order: a
/// node's left child is the next node, so a walk mostly reads forward, and the step is a
/// select rather than a branch. A leaf has `feature == -1` and keeps its value in `threshold`.
/// Prediction reads through one pointer and allocates nothing.
struct FlatForest: Sendable, Hashable {
    struct Node: Sendable, Hashable {
        var threshold: Double
        var feature: Int32
        var right: Int32
    }

    var nodes: [Node] = []
    var roots: [Int32] = []

    init(trees: [RegressionTree]) {
        for tree in trees {
            roots.append(Int32(nodes.count))
            append(tree, node: 0)
        }
    }

    private mutating func append(_ tree: RegressionTree, node: Int) {
        if tree.feature[node] < 0 {
            nodes.append(Node(threshold: tree.value[node], feature: -1, right: -1))
            return
        }
        let index = nodes.count
        nodes.append(Node(threshold: tree.threshold[node], feature: tree.feature[node], right: -1))
        append(tree, node: Int(tree.left[node]))
        nodes[index].right = Int32(nodes.count)
        append(tree, node: Int(tree.right[node]))
    }

    func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            roots.withUnsafeBufferPointer { roots in
                var sum = 0.0
                for root in roots {
                    var i = Int(root)
                    var node = nodes[i]
                    while node.feature >= 0 {
                        i = row[Int(node.feature)] <= node.threshold ? i + 1 : Int(node.right)
                        node = nodes[i]
                    }
                    sum += node.threshold
                }
                return sum
            }
        }
    }
}
