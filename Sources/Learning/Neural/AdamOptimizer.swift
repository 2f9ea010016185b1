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

    /// Applies one update to `network` from gradients (weights then biases, layer by layer).
    mutating func update(_ network: inout DenseNetwork, weightGradients: [[Double]], biasGradients: [[Double]]) {
        var parameters = network.weights + network.biases
        var gradients = weightGradients + biasGradients
        if m.isEmpty {
            m = parameters.map { [Double](repeating: 0, count: $0.count) }
            v = m
        }
        if clipNorm > 0 {
            let norm = gradients.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + $1 * $1 } }.squareRoot()
            if norm > clipNorm {
                let scale = clipNorm / norm
                gradients = gradients.map { $0.map { $0 * scale } }
            }
        }
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        let (b1, b2, rate, eps) = (beta1, beta2, learningRate, epsilon)
        for p in parameters.indices {
            parameters[p].withUnsafeMutableBufferPointer { w in
                gradients[p].withUnsafeBufferPointer { g in
                    m[p].withUnsafeMutableBufferPointer { m in
                        v[p].withUnsafeMutableBufferPointer { v in
                            for i in 0..<w.count {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                w[i] -= rate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
        network.weights = Array(parameters[0..<network.weights.count])
        network.biases = Array(parameters[network.weights.count...])
    }
}
