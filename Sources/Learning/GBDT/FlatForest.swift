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
                // Four trees walked in lockstep: their chains of dependent loads overlap instead
                // of waiting on each other, which is what bounds a single-row prediction.
                var sum = 0.0
                var t = 0
                while t + 4 <= roots.count {
                    var a = Int(roots[t]), b = Int(roots[t + 1]), c = Int(roots[t + 2]), d = Int(roots[t + 3])
                    var na = nodes[a], nb = nodes[b], nc = nodes[c], nd = nodes[d]
                    while na.feature >= 0 || nb.feature >= 0 || nc.feature >= 0 || nd.feature >= 0 {
                        if na.feature >= 0 { a = row[Int(na.feature)] <= na.threshold ? a + 1 : Int(na.right); na = nodes[a] }
                        if nb.feature >= 0 { b = row[Int(nb.feature)] <= nb.threshold ? b + 1 : Int(nb.right); nb = nodes[b] }
                        if nc.feature >= 0 { c = row[Int(nc.feature)] <= nc.threshold ? c + 1 : Int(nc.right); nc = nodes[c] }
                        if nd.feature >= 0 { d = row[Int(nd.feature)] <= nd.threshold ? d + 1 : Int(nd.right); nd = nodes[d] }
                    }
                    sum += na.threshold + nb.threshold + nc.threshold + nd.threshold
                    t += 4
                }
                while t < roots.count {
                    var i = Int(roots[t])
                    var node = nodes[i]
                    while node.feature >= 0 {
                        i = row[Int(node.feature)] <= node.threshold ? i + 1 : Int(node.right)
                        node = nodes[i]
                    }
                    sum += node.threshold
                    t += 1
                }
                return sum
            }
        }
    }
}
