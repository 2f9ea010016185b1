/// A forest scored QuickScorer's way (Lucchese et al., SIGIR 2015): instead of walking each
/// tree from its root, every split of every tree that a row fails is found feature by feature
/// in thresholds sorted ascending, and each clears, in its tree's bit mask of leaves, the leaves
/// it rules out; a tree's exit is the first leaf still set.
///
/// Leaves are numbered left to right, so a split's left subtree is a run of bits, and a row
/// fails a split (goes right) exactly when the split's threshold is below the row's value: the
/// scan of a feature stops at the first threshold that is not. The work is one AND per failed
/// split, independent across trees, with one hard-to-predict branch per feature instead of one
/// per step of every walk — where walking a hundred 31-leaf trees a step at a time was bounded
/// by chains of dependent loads. Only for trees of at most 64 leaves (one machine word).
struct LeafMaskForest: Sendable, Hashable {
    static let maximumLeaves = UInt64.bitWidth

    /// Feature f's splits are `featureStarts[f]..<featureStarts[f + 1]` in the arrays below,
    /// in ascending threshold order.
    var featureStarts: [Int32] = []
    var thresholds: [Double] = []
    var trees: [Int32] = []
    /// The mask a failed split leaves: every bit set but its left subtree's leaves.
    var masks: [UInt64] = []
    /// Tree t's leaf values, left to right, start at `leafStarts[t]`.
    var leafStarts: [Int32] = []
    var leafValues: [Double] = []

    /// Nil when a tree has more leaves than a mask holds.
    init?(trees forest: [RegressionTree]) {
        var splits: [(feature: Int32, threshold: Double, tree: Int32, mask: UInt64)] = []
        for (t, tree) in forest.enumerated() {
            leafStarts.append(Int32(leafValues.count))
            let first = leafValues.count
            // Depth first, left before right: leaves come out numbered left to right.
            func visit(_ node: Int) -> Bool {
                if tree.feature[node] < 0 {
                    leafValues.append(tree.value[node])
                    return leafValues.count - first <= Self.maximumLeaves
                }
                let leftStart = leafValues.count - first
                guard visit(Int(tree.left[node])) else { return false }
                let leftEnd = leafValues.count - first
                let run = (leftEnd - leftStart == 64 ? ~UInt64(0) : (UInt64(1) << (leftEnd - leftStart)) - 1) << leftStart
                splits.append((tree.feature[node], tree.threshold[node], Int32(t), ~run))
                return visit(Int(tree.right[node]))
            }
            guard tree.feature.isEmpty || visit(0) else { return nil }
            if tree.feature.isEmpty { leafValues.append(0) }
        }
        splits.sort { ($0.feature, $0.threshold, $0.tree) < ($1.feature, $1.threshold, $1.tree) }
        let featureCount = Int(splits.last.map { $0.feature + 1 } ?? 0)
        featureStarts = [Int32](repeating: 0, count: featureCount + 1)
        for split in splits { featureStarts[Int(split.feature) + 1] += 1 }
        for f in 0..<featureCount { featureStarts[f + 1] += featureStarts[f] }
        thresholds = splits.map(\.threshold)
        trees = splits.map(\.tree)
        masks = splits.map(\.mask)
    }

    func predict(_ row: UnsafePointer<Double>) -> Double {
        let treeCount = leafStarts.count
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, treeCount)) { live in
            live.initialize(repeating: ~0)
            let live = live.baseAddress!
            featureStarts.withUnsafeBufferPointer { starts in
                thresholds.withUnsafeBufferPointer { thresholds in
                    trees.withUnsafeBufferPointer { trees in
                        masks.withUnsafeBufferPointer { masks in
                            for f in 0..<(starts.count - 1) {
                                var i = Int(starts[f])
                                // A NaN value is at most no threshold: it fails every split, as +∞ does.
                                let end = Int(starts[f + 1]), value = row[f].isNaN ? .infinity : row[f]
                                while i < end && thresholds[i] < value {
                                    live[Int(trees[i])] &= masks[i]
                                    i &+= 1
                                }
                            }
                        }
                    }
                }
            }
            return leafStarts.withUnsafeBufferPointer { starts in
                leafValues.withUnsafeBufferPointer { values in
                    var sum = 0.0
                    for t in 0..<treeCount { sum += values[Int(starts[t]) &+ live[t].trailingZeroBitCount] }
                    return sum
                }
            }
        }
    }
}
