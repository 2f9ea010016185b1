/// Element-wise loops over floats, sixteen at a time: written per element with a branch, they
/// stayed scalar.
enum Vector {
    typealias Lanes = SIMD16<Float>
    static let width = Lanes.scalarCount

    static func zeroWhereNegative(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + width <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            raw.storeBytes(of: x.replacing(with: 0, where: x .< 0), toByteOffset: i * 4, as: Lanes.self)
            i += width
        }
        while i < count { if p[i] < 0 { p[i] = 0 }; i += 1 }
    }

    /// Zeroes p[i] wherever mask[i] ≤ 0: ReLU's derivative, given the unit's output.
    static func zeroWhereNotPositive(_ p: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(p), rawMask = UnsafeRawPointer(mask)
        var i = 0
        while i + width <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            let m = rawMask.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            raw.storeBytes(of: x.replacing(with: 0, where: m .<= 0), toByteOffset: i * 4, as: Lanes.self)
            i += width
        }
        while i < count { if mask[i] <= 0 { p[i] = 0 }; i += 1 }
    }

    /// target[i] += scale · source[i].
    static func add(_ source: UnsafePointer<Float>, times scale: Float = 1, into target: UnsafeMutablePointer<Float>, count: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        var i = 0
        while i + width <= count {
            let sum = to.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) + scale * from.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            to.storeBytes(of: sum, toByteOffset: i * 4, as: Lanes.self)
            i += width
        }
        while i < count { target[i] += scale * source[i]; i += 1 }
    }

    /// Σ a[i]·b[i] with independent partial sums: a plain loop is one long chain of dependent
    /// additions (floating point cannot be reordered by the compiler), which stays scalar.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = Lanes()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + width <= count {
            acc += ra.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
            i += width
        }
        var sum = acc.sum()
        while i < count { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// 1/√x for x ≥ 0 (x = 0 gives a large finite number, so x · (1/√x) is 0), within 5·10⁻⁶
    /// of it: a first guess from the float's bits, then two Newton steps. Swift's square root
    /// calls the C library per element (it must set errno), which kept Adam scalar; Adam's
    /// denominator needs no more than this.
    @inline(__always)
    static func reciprocalSquareRoot(_ x: Lanes) -> Lanes {
        let bits = SIMD16<UInt32>(repeating: 0x5F37_5A86) &- (x.bitPattern &>> 1)
        var y = Lanes(bitPattern: bits)
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        return y * (1.5 - half * y * y)
    }

    /// Adds `bias` to each of `rows` rows of `y` (`bias.count` wide) and, for a hidden layer,
    /// zeroes what is negative (ReLU), in one pass.
    static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rectify: Bool) {
        let b = UnsafeRawPointer(bias)
        for n in 0..<rows {
            let row = y + n * columns, raw = UnsafeMutableRawPointer(row)
            var i = 0
            while i + width <= columns {
                var x = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) + b.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
                if rectify { x.replace(with: 0, where: x .< 0) }
                raw.storeBytes(of: x, toByteOffset: i * 4, as: Lanes.self)
                i += width
            }
            while i < columns {
                let x = row[i] + bias[i]
                row[i] = rectify && x < 0 ? 0 : x
                i += 1
            }
        }
    }
}

extension SIMD16 where Scalar == Float {
    init(bitPattern: SIMD16<UInt32>) { self = unsafeBitCast(bitPattern, to: SIMD16<Float>.self) }
    var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
}
