import Foundation

/// Adam (Kingma & Ba) with optional clipping of the global gradient norm, over a network's
/// flat parameter array, sixteen parameters at a time.
public struct AdamOptimizer: Sendable {
    public var learningRate: Double
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Gradients whose global L2 norm exceeds this are scaled down to it (0: no clipping).
    public var clipNorm: Double
    var step = 0
    var m: [Float] = [], v: [Float] = []

    public init(learningRate: Double = 0.001, clipNorm: Double = 10) {
        self.learningRate = learningRate
        self.clipNorm = clipNorm
    }

    /// Applies one update to `network` from a gradient in its parameters' layout, in place.
    mutating func update(_ network: inout DenseNetwork, gradient: [Float]) {
        precondition(gradient.count == network.parameters.count)
        if m.isEmpty {
            m = [Float](repeating: 0, count: gradient.count)
            v = m
        }
        var scale = 1.0
        if clipNorm > 0 {
            let norm = Self.sumOfSquares(gradient).squareRoot()
            if norm > clipNorm { scale = clipNorm / norm }
        }
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        let c = Constants(b1: Float(beta1), b2: Float(beta2), scale: Float(scale), stepSize: Float(learningRate / correction1),
                          inverseCorrection2: Float(1 / correction2), epsilon: Float(epsilon))
        withSubnormalsFlushedToZero {
            network.parameters.withUnsafeMutableBufferPointer { w in
                gradient.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in Self.apply(c, w.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, count: w.count) }
                    }
                }
            }
        }
    }

    struct Constants {
        var b1, b2, scale, stepSize, inverseCorrection2, epsilon: Float
    }

    /// Σ g², accumulated in double precision.
    static func sumOfSquares(_ values: [Float]) -> Double {
        values.withUnsafeBufferPointer { g in
            var total = 0.0, i = 0
            while i < g.count {
                let chunk = min(g.count, i + 4_096)
                var acc = Vector.Lanes()
                while i + Vector.width <= chunk {
                    let x = UnsafeRawPointer(g.baseAddress!).loadUnaligned(fromByteOffset: i * 4, as: Vector.Lanes.self)
                    acc += x * x
                    i += Vector.width
                }
                total += Double(acc.sum())
                while i < chunk { total += Double(g[i] * g[i]); i += 1 }
            }
            return total
        }
    }

    /// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − step·m / (√(v/c₂) + ε), g scaled by the clip.
    /// Run with subnormals flushed to zero (see `withSubnormalsFlushedToZero`).
    static func apply(_ c: Constants, _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                      _ v: UnsafeMutablePointer<Float>, count: Int) {
        typealias Lanes = Vector.Lanes
        let pw = UnsafeMutableRawPointer(w), pm = UnsafeMutableRawPointer(m), pv = UnsafeMutableRawPointer(v), pg = UnsafeRawPointer(g)
        var i = 0
        while i + Vector.width <= count {
            let offset = i * 4
            let gi = pg.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * c.scale
            let mi = c.b1 * pm.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + (1 - c.b1) * gi
            let vi = c.b2 * pv.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + (1 - c.b2) * gi * gi
            pm.storeBytes(of: mi, toByteOffset: offset, as: Lanes.self)
            pv.storeBytes(of: vi, toByteOffset: offset, as: Lanes.self)
            let corrected = vi * c.inverseCorrection2
            let root = corrected * Vector.reciprocalSquareRoot(corrected)
            let wi = pw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            pw.storeBytes(of: wi - c.stepSize * mi / (root + c.epsilon), toByteOffset: offset, as: Lanes.self)
            i += Vector.width
        }
        while i < count {
            let gi = g[i] * c.scale
            m[i] = c.b1 * m[i] + (1 - c.b1) * gi
            v[i] = c.b2 * v[i] + (1 - c.b2) * gi * gi
            w[i] -= c.stepSize * m[i] / ((v[i] * c.inverseCorrection2).squareRoot() + c.epsilon)
            i += 1
        }
    }
}
