import CLearningKernels

/// The network's element-wise loops: C kernels (`CLearningKernels`) compiled for baseline
/// x86-64 and for AVX-512 and chosen when the process starts. Swift compiles for the baseline
/// only, where these loops ran in 128-bit halves; together they were a tenth of a DQN step.
enum Vector {
    /// p[i] = 0 where p[i] < 0 (ReLU).
    static func zeroWhereNegative(_ p: UnsafeMutablePointer<Float>, count: Int) { nc_zero_where_negative(p, count) }

    /// Zeroes p[i] wherever mask[i] ≤ 0: ReLU's derivative, given the unit's output.
    static func zeroWhereNotPositive(_ p: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        nc_zero_where_not_positive(p, mask, count)
    }

    /// target[i] += scale · source[i].
    static func add(_ source: UnsafePointer<Float>, times scale: Float = 1, into target: UnsafeMutablePointer<Float>, count: Int) {
        nc_add_scaled(source, scale, target, count)
    }

    /// Σ a[i]·b[i], in sixteen independent partial sums.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float { nc_dot(a, b, count) }

    /// Σ x[i]², in double precision.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double { nc_sum_of_squares(x, count) }

    /// sums[i] = Σ over `rows` rows of x[row][i].
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        nc_column_sums(x, rows, columns, sums)
    }

    /// Adds `bias` to each of `rows` rows of `y` (`columns` wide) and, for a hidden layer,
    /// zeroes what is negative (ReLU), in one pass.
    static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rectify: Bool) {
        nc_add_bias(bias, y, rows, columns, rectify ? 1 : 0)
    }
}
