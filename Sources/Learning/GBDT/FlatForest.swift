/// A model's trees prepared for prediction: scored by leaf masks (`LeafMaskForest`) where every
/// tree has at most 64 leaves, else walked as below.
///
/// All trees of a model in one contiguous array of 16-byte nodes in depth-first order (a node's
/// left child is the next node), walked eight trees at a time for a fixed number of steps.
///
/// A single-row prediction is bounded by chains of dependent loads — node, feature value,
/// comparison, next node — and by the branches that end each walk, which a predictor cannot
/// guess. So a leaf loops to itself (threshold NaN, right child itself): a walk can take more
/// steps than its depth without moving, the loop has no exit per walk, and eight independent
/// walks overlap their loads. Trees are grouped by depth so a group's walks end together; a
/// group records how many steps its deepest tree needs. (The step's comparison stays a branch:
/// a version in integer arithmetic without one measured no faster — speculation lets the next
/// load start before the comparison is known.)
/// Prediction reads through pointers and allocates nothing.
struct FlatForest: Sendable, Hashable {
    struct Node: Sendable, Hashable {
        /// A leaf's is NaN: no value is at most NaN (not even −∞ or NaN), so a leaf always
        /// "goes right", to itself.
        var threshold: Double
        var feature: Int32
        var right: Int32

        // By bit pattern, so a leaf's NaN equals itself and equal forests compare equal.
        static func == (a: Node, b: Node) -> Bool {
            a.threshold.bitPattern == b.threshold.bitPattern && a.feature == b.feature && a.right == b.right
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(threshold.bitPattern)
            hasher.combine(feature)
            hasher.combine(right)
        }
    }

    static let lanes = 8

    var nodes: [Node] = []
    /// Each node's leaf value (zero for inner nodes).
    var values: [Double] = []
    /// Tree roots in walking order (shallowest first), padded to whole groups with a leaf worth 0.
    var roots: [Int32] = []
    /// Steps each group of `lanes` roots walks: its deepest tree's depth.
    var groupDepths: [Int32] = []

    /// Where every tree has at most 64 leaves: these score the forest, and the walk's arrays stay empty.
    var masked: LeafMaskForest?

    init(trees: [RegressionTree]) {
        guard !trees.isEmpty else { return }
        if let masked = LeafMaskForest(trees: trees) {
            self.masked = masked
            return
        }
        let byDepth = trees.indices.map { (tree: $0, depth: Self.depth(trees[$0], node: 0)) }.sorted { ($0.depth, $0.tree) < ($1.depth, $1.tree) }
        var rootsInOrder: [Int32] = []
        for entry in byDepth {
            rootsInOrder.append(Int32(nodes.count))
            append(trees[entry.tree], node: 0)
        }
        let padding = Int32(nodes.count)
        nodes.append(Node(threshold: .nan, feature: 0, right: padding))
        values.append(0)
        for g in stride(from: 0, to: rootsInOrder.count, by: Self.lanes) {
            let group = g..<min(g + Self.lanes, rootsInOrder.count)
            roots += rootsInOrder[group] + Array(repeating: padding, count: Self.lanes - group.count)
            groupDepths.append(Int32(group.map { byDepth[$0].depth }.max()!))
        }
    }

    static func depth(_ tree: RegressionTree, node: Int) -> Int {
        tree.feature[node] < 0 ? 0 : 1 + max(depth(tree, node: Int(tree.left[node])), depth(tree, node: Int(tree.right[node])))
    }

    private mutating func append(_ tree: RegressionTree, node: Int) {
        let index = nodes.count
        if tree.feature[node] < 0 {
            nodes.append(Node(threshold: .nan, feature: 0, right: Int32(index)))
            values.append(tree.value[node])
            return
        }
        nodes.append(Node(threshold: tree.threshold[node], feature: tree.feature[node], right: -1))
        values.append(0)
        append(tree, node: Int(tree.left[node]))
        nodes[index].right = Int32(nodes.count)
        append(tree, node: Int(tree.right[node]))
    }

    func predict(_ row: UnsafeBufferPointer<Double>) -> Double {
        if let masked { return masked.predict(row.baseAddress!) }
        return walk(row)
    }

    func walk(_ row: UnsafeBufferPointer<Double>) -> Double {
        let x = row.baseAddress!
        return nodes.withUnsafeBufferPointer { nodes in
            values.withUnsafeBufferPointer { values in
                roots.withUnsafeBufferPointer { roots in
                    groupDepths.withUnsafeBufferPointer { depths in
                        let n = nodes.baseAddress!
                        var sum = 0.0
                        for g in 0..<depths.count {
                            let r = roots.baseAddress! + g * Self.lanes
                            var a0 = Int(r[0]), a1 = Int(r[1]), a2 = Int(r[2]), a3 = Int(r[3])
                            var a4 = Int(r[4]), a5 = Int(r[5]), a6 = Int(r[6]), a7 = Int(r[7])
                            for _ in 0..<depths[g] {
                                a0 = Self.step(n, x, a0); a1 = Self.step(n, x, a1); a2 = Self.step(n, x, a2); a3 = Self.step(n, x, a3)
                                a4 = Self.step(n, x, a4); a5 = Self.step(n, x, a5); a6 = Self.step(n, x, a6); a7 = Self.step(n, x, a7)
                            }
                            sum += ((values[a0] + values[a1]) + (values[a2] + values[a3])) + ((values[a4] + values[a5]) + (values[a6] + values[a7]))
                        }
                        return sum
                    }
                }
            }
        }
    }

    /// One step of a walk: to the left child (the next node) when the row's value is at most
    /// the threshold, else to the right child. A leaf's threshold is NaN and its right child itself.
    @inline(__always)
    private static func step(_ nodes: UnsafePointer<Node>, _ row: UnsafePointer<Double>, _ at: Int) -> Int {
        let node = nodes[at]
        return row[Int(node.feature)] <= node.threshold ? at &+ 1 : Int(node.right)
    }
}
