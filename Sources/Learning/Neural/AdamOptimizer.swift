import Foundation

/// Adam (Kingma & Ba) with optional clipping of the global gradient norm.
public struct AdamOptimizer: Sendable {
    public var learningRate: Double
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Gradients whose global L2 norm exceeds this are scaled down to it (0: no clipping).
    public var clipNorm: Double
    var step = 0
    var m: [[Double]] = [], v: [[Double]] = []

    public init(learningRate: Double = 0.001, clipNorm: Double = 10) {
        self.learningRate = learningRate
        self.clipNorm = clipNorm
    }

    /// Applies one update to `network` from gradients (weights then biases, layer by layer), in
    /// place. Eight parameters at a time with one division: copying every layer out and back
    /// and two divisions per parameter had made Adam a quarter of a DQN training step.
    mutating func update(_ network: inout DenseNetwork, weightGradients: [[Double]], biasGradients: [[Double]]) {
        let layers = network.weights.count
        if m.isEmpty {
            m = (network.weights + network.biases).map { [Double](repeating: 0, count: $0.count) }
            v = m
        }
        var scale = 1.0
        if clipNorm > 0 {
            var squares = 0.0
            for gradient in weightGradients + biasGradients { squares += Self.sumOfSquares(gradient) }
            let norm = squares.squareRoot()
            if norm > clipNorm { scale = clipNorm / norm }
        }
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        let constants = Constants(b1: beta1, b2: beta2, scale: scale, stepSize: learningRate / correction1,
                                  inverseCorrection2: 1 / correction2, epsilon: epsilon)
        for l in 0..<layers {
            network.weights[l].withUnsafeMutableBufferPointer { w in Self.apply(constants, w, weightGradients[l], &m[l], &v[l]) }
            network.biases[l].withUnsafeMutableBufferPointer { w in Self.apply(constants, w, biasGradients[l], &m[layers + l], &v[layers + l]) }
        }
    }

    static let negligible = 1e-30

    struct Constants {
        var b1, b2, scale, stepSize, inverseCorrection2, epsilon: Double
    }

    static func sumOfSquares(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { g in
            var acc = SIMD8<Double>()
            var i = 0
            let raw = UnsafeRawPointer(g.baseAddress!)
            while i + 8 <= g.count {
                let x = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
                acc += x * x
                i += 8
            }
            var sum = acc.sum()
            while i < g.count { sum += g[i] * g[i]; i += 1 }
            return sum
        }
    }

    /// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − step·m / (√(v/c₂) + ε), g already scaled.
    static func apply(_ c: Constants, _ w: UnsafeMutableBufferPointer<Double>, _ gradient: [Double], _ m: inout [Double], _ v: inout [Double]) {
        gradient.withUnsafeBufferPointer { g in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    let count = w.count
                    var i = 0
                    let pw = UnsafeMutableRawPointer(w.baseAddress!), pm = UnsafeMutableRawPointer(m.baseAddress!)
                    let pv = UnsafeMutableRawPointer(v.baseAddress!), pg = UnsafeRawPointer(g.baseAddress!)
                    while i + 8 <= count {
                        let offset = i * 8
                        let gi = pg.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) * c.scale
                        var mi = c.b1 * pm.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) + (1 - c.b1) * gi
                        var vi = c.b2 * pv.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self) + (1 - c.b2) * gi * gi
                        // A dead unit's moments decay geometrically into subnormal numbers, which
                        // the CPU handles a hundred times slower: training had slowed 2.5× by 30k
                        // steps. Below 1e-30 they are zero (their effect on a step is nil anyway).
                        mi.replace(with: 0, where: (mi .< Self.negligible) .& (mi .> -Self.negligible))
                        vi.replace(with: 0, where: vi .< Self.negligible)
                        pm.storeBytes(of: mi, toByteOffset: offset, as: SIMD8<Double>.self)
                        pv.storeBytes(of: vi, toByteOffset: offset, as: SIMD8<Double>.self)
                        let wi = pw.loadUnaligned(fromByteOffset: offset, as: SIMD8<Double>.self)
                        pw.storeBytes(of: wi - c.stepSize * mi / ((vi * c.inverseCorrection2).squareRoot() + c.epsilon), toByteOffset: offset, as: SIMD8<Double>.self)
                        i += 8
                    }
                    while i < count {
                        let gi = g[i] * c.scale
                        m[i] = c.b1 * m[i] + (1 - c.b1) * gi
                        v[i] = c.b2 * v[i] + (1 - c.b2) * gi * gi
                        if abs(m[i]) < negligible { m[i] = 0 }
                        if v[i] < negligible { v[i] = 0 }
                        w[i] -= c.stepSize * m[i] / ((v[i] * c.inverseCorrection2).squareRoot() + c.epsilon)
                        i += 1
                    }
                }
            }
        }
    }
}
