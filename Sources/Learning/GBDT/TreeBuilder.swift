import CLearningKernels
import Dispatch
import Foundation

/// A pointer shared by the threads of `concurrentPerform`.
/// `@unchecked Sendable`: the threads only read through the shared inputs (rows, gradients,
/// bins), and each writes only its own histogram.
struct SharedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
}

/// Grows one regression tree leaf-wise (best gain first) on binned features, LightGBM-style:
/// per-leaf gradient histograms, the smaller child built from rows and the larger one by
/// subtraction from its parent. All losses used here have a Hessian of 1, so a bin keeps a
/// gradient sum and a count.
struct TreeBuilder<Bin: FixedWidthInteger & UnsignedInteger & Sendable> {
    /// Row-major bins (a row's features together), which histograms read.
    let binned: [Bin]
    /// The same bins column-major (feature f of row r at `f * rows + r`), which partitions read:
    /// a leaf's rows stay in ascending order, so one feature's bins for them share cache lines.
    let columns: [Bin]
    let rowCount: Int
    let featureCount: Int
    let binOffsets: [Int]
    let totalBins: Int
    let edges: [[Double]]
    let parameters: BoostingParameters
    let threads: Int

    init(binned: [Bin], binner: FeatureBinner, parameters: BoostingParameters) {
        precondition(Bin.bitWidth == 8 || Bin.bitWidth == 16, "bins are one or two bytes (the C kernels' types)")
        self.binned = binned
        featureCount = binner.edges.count
        let rows = binned.count / max(1, binner.edges.count), width = binner.edges.count
        rowCount = rows
        var columns = [Bin](repeating: 0, count: binned.count)
        for r in 0..<rows { for f in 0..<width { columns[f &* rows &+ r] = binned[r &* width &+ f] } }
        self.columns = columns
        edges = binner.edges
        var offsets: [Int] = []
        var total = 0
        for e in binner.edges { offsets.append(total); total += e.count }
        binOffsets = offsets
        totalBins = total
        self.parameters = parameters
        threads = parameters.threads > 0 ? parameters.threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Per bin, interleaved: gradient sum at 2b, row count at 2b + 1 (one cache line per update).
    struct Histogram {
        var sums: [Double]
    }

    struct Split {
        var feature = -1
        var bin = 0
        var gain = 0.0
        var leftGradient = 0.0
        var leftCount = 0
    }

    struct Leaf {
        var start: Int
        var count: Int
        var gradient: Double
        var depth: Int
        var node: Int32
        var histogram: Histogram
        var split: Split
    }

    /// What a finished tree leaves behind: the tree (leaf values not yet set) and, per leaf
    /// node, the range of `rows` it holds.
    struct Grown {
        var tree: RegressionTree
        var leaves: [(node: Int32, start: Int, count: Int, gradient: Double)]
        /// Every split made, for feature importance.
        var splits: [(feature: Int, gain: Double)]
    }

    /// Buffers as long as the training rows, made once per fit and reused by every tree:
    /// allocating them per histogram and per split had the kernel zeroing fresh pages for a
    /// tenth of a million-row fit.
    struct Scratch {
        /// The right side of a partition, written backwards.
        var partition: [Int32]

        init(rows: Int) {
            partition = [Int32](repeating: 0, count: rows)
        }
    }

    func grow(rows: inout [Int32], gradients: [Double], scratch: inout Scratch) -> Grown {
        var tree = RegressionTree()
        let rootGradient = rows.reduce(0.0) { $0 + gradients[Int($1)] }
        let root = tree.addLeaf(0)
        let rootHistogram = histogram(rows: rows, range: 0..<rows.count, gradients: gradients)
        var leaves = [
            Leaf(
                start: 0, count: rows.count, gradient: rootGradient, depth: 0, node: root,
                histogram: rootHistogram, split: bestSplit(rootHistogram, gradient: rootGradient, count: rows.count))
        ]
        var splits: [(feature: Int, gain: Double)] = []
        while leaves.count < parameters.maxLeaves {
            guard
                let index = leaves.indices.filter({
                    leaves[$0].split.feature >= 0 && leaves[$0].split.gain > 1e-12
                        && (parameters.maxDepth <= 0 || leaves[$0].depth < parameters.maxDepth)
                })
                .max(by: { leaves[$0].split.gain < leaves[$1].split.gain })
            else { break }
            let parent = leaves[index]
            let split = parent.split
            splits.append((split.feature, split.gain))
            // Stable partition of the parent's rows (bin <= split.bin first), through a scratch
            // buffer: keeping rows in ascending order keeps later histogram reads close together.
            let low = partition(&rows, start: parent.start, count: parent.count, feature: split.feature, bin: split.bin, scratch: &scratch.partition)
            let leftCount = low - parent.start, rightCount = parent.count - leftCount
            let leftIsSmaller = leftCount <= rightCount
            let smallRange = leftIsSmaller ? parent.start..<low : low..<(parent.start + parent.count)
            let small = histogram(rows: rows, range: smallRange, gradients: gradients)
            var large = parent.histogram
            large.sums.withUnsafeMutableBufferPointer { l in
                small.sums.withUnsafeBufferPointer { s in for b in 0..<(2 * totalBins) { l[b] -= s[b] } }
            }
            let (leftHistogram, rightHistogram) = leftIsSmaller ? (small, large) : (large, small)
            let leftGradient = split.leftGradient, rightGradient = parent.gradient - split.leftGradient
            let leftNode = tree.addLeaf(0), rightNode = tree.addLeaf(0)
            let p = Int(parent.node)
            tree.feature[p] = Int32(split.feature)
            tree.threshold[p] = edges[split.feature][split.bin]
            tree.left[p] = leftNode
            tree.right[p] = rightNode
            leaves[index] = Leaf(
                start: parent.start, count: leftCount, gradient: leftGradient, depth: parent.depth + 1, node: leftNode,
                histogram: leftHistogram, split: bestSplit(leftHistogram, gradient: leftGradient, count: leftCount))
            leaves.append(
                Leaf(
                    start: low, count: rightCount, gradient: rightGradient, depth: parent.depth + 1, node: rightNode,
                    histogram: rightHistogram, split: bestSplit(rightHistogram, gradient: rightGradient, count: rightCount)))
        }
        return Grown(tree: tree, leaves: leaves.map { ($0.node, $0.start, $0.count, $0.gradient) }, splits: splits)
    }

    /// Moves the rows whose bin for the split feature is <= `bin` to the front of the range,
    /// keeping order on both sides (the C kernel, which prefetches); returns where the right side starts.
    private func partition(_ rows: inout [Int32], start: Int, count: Int, feature: Int, bin: Int, scratch: inout [Int32]) -> Int {
        precondition(scratch.count >= count && count > 0)
        return rows.withUnsafeMutableBufferPointer { r in
            scratch.withUnsafeMutableBufferPointer { s in
                columns.withUnsafeBufferPointer { c in
                    let column = UnsafeRawPointer(c.baseAddress! + feature &* rowCount), front = r.baseAddress! + start
                    let left =
                        Bin.bitWidth == 8
                        ? nc_partition_u8(front, count, column.assumingMemoryBound(to: UInt8.self), UInt32(bin), s.baseAddress!)
                        : nc_partition_u16(front, count, column.assumingMemoryBound(to: UInt16.self), UInt32(bin), s.baseAddress!)
                    return start + left
                }
            }
        }
    }

    /// The histogram of the rows in `range`, by the C kernel (which prefetches the rows' bins
    /// and gradients ahead of use; the loop had spent most of its time waiting for them).
    private func histogram(rows: [Int32], range: Range<Int>, gradients: [Double]) -> Histogram {
        var result = Histogram(sums: [Double](repeating: 0, count: 2 * totalBins))
        let count = range.count, width = featureCount, offsets = binOffsets.map { Int64(2 * $0) }
        let chunks = threads > 1 && count * width > 200_000 ? threads : 1
        rows.withUnsafeBufferPointer { rowPointer in
            gradients.withUnsafeBufferPointer { gradientPointer in
                binned.withUnsafeBufferPointer { binPointer in
                    result.sums.withUnsafeMutableBufferPointer { h in
                        let rs = SharedPointer(pointer: UnsafeMutablePointer(mutating: rowPointer.baseAddress! + range.lowerBound))
                        let gs = SharedPointer(pointer: UnsafeMutablePointer(mutating: gradientPointer.baseAddress!))
                        let bs = SharedPointer(pointer: UnsafeMutablePointer(mutating: binPointer.baseAddress!))
                        // One pass over the rows fills every feature's histogram.
                        let fill: @Sendable (UnsafeMutablePointer<Double>, Range<Int>) -> Void = { histogram, part in
                            offsets.withUnsafeBufferPointer { offsets in
                                let rows = rs.pointer + part.lowerBound
                                if Bin.bitWidth == 8 {
                                    nc_histogram_u8(
                                        rows, part.count, gs.pointer, UnsafeRawPointer(bs.pointer).assumingMemoryBound(to: UInt8.self), width,
                                        offsets.baseAddress!, histogram)
                                } else {
                                    nc_histogram_u16(
                                        rows, part.count, gs.pointer, UnsafeRawPointer(bs.pointer).assumingMemoryBound(to: UInt16.self), width,
                                        offsets.baseAddress!, histogram)
                                }
                            }
                        }
                        if chunks == 1 {
                            fill(h.baseAddress!, 0..<count)
                        } else {
                            // Each thread fills its own histogram over a slice of the rows; they are summed after.
                            let size = 2 * totalBins
                            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: size * (chunks - 1))
                            scratch.initialize(repeating: 0, count: size * (chunks - 1))
                            defer { scratch.deallocate() }
                            let hs = SharedPointer(pointer: h.baseAddress!), ss = SharedPointer(pointer: scratch)
                            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                let rows = (c * count / chunks)..<((c + 1) * count / chunks)
                                fill(c == 0 ? hs.pointer : ss.pointer + (c - 1) * size, rows)
                            }
                            for c in 1..<chunks {
                                let partial = scratch + (c - 1) * size
                                for b in 0..<size { h[b] += partial[b] }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    private func bestSplit(_ histogram: Histogram, gradient: Double, count: Int) -> Split {
        var best = Split()
        let minimum = parameters.minSamplesLeaf, l2 = parameters.l2
        guard count >= 2 * minimum else { return best }
        let parentScore = gradient * gradient / (Double(count) + l2)
        for f in 0..<featureCount {
            let offset = binOffsets[f], bins = edges[f].count
            var leftG = 0.0, leftN = 0
            for b in 0..<(bins - 1) {
                leftG += histogram.sums[2 * (offset + b)]
                leftN += Int(histogram.sums[2 * (offset + b) + 1])
                if leftN < minimum { continue }
                let rightN = count - leftN
                if rightN < minimum { break }
                let rightG = gradient - leftG
                let gain = leftG * leftG / (Double(leftN) + l2) + rightG * rightG / (Double(rightN) + l2) - parentScore
                if gain > best.gain {
                    best = Split(feature: f, bin: b, gain: gain, leftGradient: leftG, leftCount: leftN)
                }
            }
        }
        return best
    }
}
