import CLearningKernels
import Foundation

/// Adam (Kingma & Ba) with optional clipping of the global gradient norm, over a network's
/// flat parameter array. The update is a C kernel (`CLearningKernels`) in the widest vectors
/// the CPU has — AVX-512 here, chosen at run time; Swift's own code is compiled for baseline
/// x86-64 — which took it from 13.6% of a DQN step to 5.0%.
public struct AdamOptimizer: Sendable {
    public var learningRate: Double
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    /// Gradients whose global L2 norm exceeds this are scaled down to it (0: no clipping).
    public var clipNorm: Double
    var step = 0
    var m: [Float] = [], v: [Float] = []
    /// The kernel's instruction set (see `nc_kernel_level`); lower it to test the narrower ones.
    var kernelLevel = Int32(nc_kernel_level())

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
            let norm = gradient.withUnsafeBufferPointer { Vector.sumOfSquares($0.baseAddress!, count: $0.count) }.squareRoot()
            if norm > clipNorm { scale = clipNorm / norm }
        }
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        var c = nc_adam_constants(
            b1: Float(beta1), b2: Float(beta2), scale: Float(scale), step_size: Float(learningRate / correction1),
            inverse_correction2: Float(1 / correction2), epsilon: Float(epsilon))
        let level = kernelLevel
        withSubnormalsFlushedToZero {
            network.parameters.withUnsafeMutableBufferPointer { w in
                gradient.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { m in
                        v.withUnsafeMutableBufferPointer { v in
                            nc_adam_update(level, &c, w.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, w.count)
                        }
                    }
                }
            }
        }
    }
}
