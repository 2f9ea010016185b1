/// Maps raw feature values to bins, as histogram-based boosting needs.
///
/// Bins mix two sets of edges: quantiles of the training values (resolution where the data
/// is dense) and evenly spaced values across the range (resolution in heavy tails, where
/// quantile-only binning lumps the largest values together; that is where LightGBM and
/// scikit-learn's histogram models lose to exact split search on the infra dataset).
struct FeatureBinner: Codable, Sendable {
    /// Per feature, ascending upper edges: a value goes to the first bin whose edge is >= it.
    var edges: [[Double]]

    init(edges: [[Double]]) { self.edges = edges }

    /// Learns edges from row-major `values` with `columns` features.
    init(values: [Double], rows: Int, columns: Int, maxBins: Int) {
        let bins = max(2, min(maxBins, 65_535))
        // Edges come from at most `sampleSize` evenly spaced rows (LightGBM samples too); the range
        // for the evenly spaced edges comes from every row.
        let sampleSize = 50_000
        let stride = max(1, rows / sampleSize)
        edges = (0..<columns).map { c in
            var column: [Double] = []
            column.reserveCapacity(rows / stride + 1)
            var low = Double.infinity, high = -Double.infinity
            for r in 0..<rows {
                let v = values[r * columns + c]
                low = min(low, v)
                high = max(high, v)
                if r % stride == 0 { column.append(v) }
            }
            column = RadixSort.ascending(column)
            column[0] = low
            column[column.count - 1] = high
            var unique: [Double] = []
            unique.reserveCapacity(min(rows, bins * 4))
            for v in column where unique.last != v { unique.append(v) }
            if unique.count <= bins {
                // Every distinct value gets its own bin; edges halfway between neighbours.
                return zip(unique, unique.dropFirst()).map { ($0 + $1) / 2 } + [Double.infinity]
            }
            var candidates: [Double] = []
            let quantiles = bins / 2, uniform = bins - quantiles
            for q in 1..<quantiles { candidates.append(column[q * (column.count - 1) / quantiles]) }
            for u in 1..<uniform { candidates.append(low + (high - low) * Double(u) / Double(uniform)) }
            candidates.sort()
            // Snap each candidate to a midpoint between distinct values, so edges never sit on a value.
            var result: [Double] = []
            var cursor = 0
            for candidate in candidates {
                while cursor < unique.count - 1 && unique[cursor + 1] <= candidate { cursor += 1 }
                guard cursor < unique.count - 1 else { break }
                let edge = (unique[cursor] + unique[cursor + 1]) / 2
                if result.last.map({ $0 < edge }) ?? true { result.append(edge) }
            }
            return result + [Double.infinity]
        }
    }

    func bin(_ value: Double, feature: Int) -> Int {
        edges[feature].withUnsafeBufferPointer { Self.bin(value, edges: $0) }
    }

    /// The first edge >= value (the last for NaN, which compares false, as in prediction), by a
    /// binary search of a fixed number of steps over the edges through a pointer.
    @inline(__always)
    static func bin(_ value: Double, edges: UnsafeBufferPointer<Double>) -> Int {
        var base = 0, length = edges.count
        while length > 1 {
            let half = length / 2
            base = value <= edges[base &+ half &- 1] ? base : base &+ half
            length &-= half
        }
        return base
    }

    /// Row-major bins: feature f of row r at `r * columns + f`. A row's bins share a cache line,
    /// so building a histogram over a leaf's scattered rows costs one miss per row, not one per feature.
    func binned<Bin: FixedWidthInteger>(values: [Double], rows: Int, columns: Int, as: Bin.Type) -> [Bin] {
        var out = [Bin](repeating: 0, count: rows * columns)
        out.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { values in
                for f in 0..<columns {
                    edges[f].withUnsafeBufferPointer { e in
                        for r in 0..<rows { out[r &* columns &+ f] = Bin(truncatingIfNeeded: Self.bin(values[r &* columns &+ f], edges: e)) }
                    }
                }
            }
        }
        return out
    }

    /// Whether every feature's bins fit in a byte (the default 255 bins do): half the memory
    /// traffic of two-byte bins when histograms read scattered rows.
    var fitsInBytes: Bool { edges.allSatisfy { $0.count <= 256 } }
}
