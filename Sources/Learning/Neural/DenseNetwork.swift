/// A multilayer perceptron: dense layers with ReLU between them and a linear output, trained
/// with Adam. Weights live in one flat array per layer, input-major (weight i → o at
/// `i * outputs + o`), so the inner loops walk contiguous memory.
public struct DenseNetwork: Sendable, Hashable {
    public let sizes: [Int]
    var weights: [[Double]]
    var biases: [[Double]]

    /// He-initialised weights from a seed.
    public init(sizes: [Int], seed: UInt64) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 })
        self.sizes = sizes
        var random = SplitMix64(seed: seed)
        weights = []
        biases = []
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            let scale = (2.0 / Double(fanIn)).squareRoot()
            weights.append((0..<(fanIn * fanOut)).map { _ in Self.gaussian(&random) * scale })
            biases.append([Double](repeating: 0, count: fanOut))
        }
    }

    static func gaussian(_ random: inout SplitMix64) -> Double {
        let u1 = max(random.nextUnit(), 1e-300), u2 = random.nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } + biases.reduce(0) { $0 + $1.count } }

    /// Which kernels the layers use for batches: "OpenBLAS" where the library is installed
    /// (see `BLAS`), else "Swift".
    public static var kernels: String { BLAS.gemm == nil ? "Swift" : "OpenBLAS" }

    /// Activations of every layer for a batch (row-major `batch × size`); the last is the output.
    func forward(_ input: [Double], batch: Int) -> [[Double]] {
        if let gemm = BLAS.gemm { return forward(input, batch: batch, gemm) }
        return forwardByLoops(input, batch: batch)
    }

    /// `forward` in the network's own loops (no BLAS).
    func forwardByLoops(_ input: [Double], batch: Int) -> [[Double]] {
        var activations = [input]
        for l in 0..<weights.count {
            let inSize = sizes[l], outSize = sizes[l + 1]
            var out = [Double](repeating: 0, count: batch * outSize)
            let x = activations[l], w = weights[l], b = biases[l]
            let isHidden = l < weights.count - 1
            x.withUnsafeBufferPointer { x in
                w.withUnsafeBufferPointer { w in
                    out.withUnsafeMutableBufferPointer { y in
                        for n in 0..<batch {
                            let row = y.baseAddress! + n * outSize
                            for o in 0..<outSize { row[o] = b[o] }
                            for i in 0..<inSize {
                                let xi = x[n * inSize + i]
                                if xi == 0 { continue }
                                // w is stored transposed for this loop: weight (i → o) at i * outSize + o.
                                let column = w.baseAddress! + i * outSize
                                for o in 0..<outSize { row[o] += xi * column[o] }
                            }
                            if isHidden { for o in 0..<outSize where row[o] < 0 { row[o] = 0 } }
                        }
                    }
                }
            }
            activations.append(out)
        }
        return activations
    }

    /// Outputs for a batch of inputs.
    public func predict(_ input: [Double], batch: Int = 1) -> [Double] { forward(input, batch: batch).last! }

    /// The index of the largest output for one input, computed in stack scratch space with no
    /// heap allocation: the path a decision takes.
    public func argmax(_ input: [Double]) -> Int {
        let widest = sizes.max()!
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * widest) { scratch in
            var current = scratch.baseAddress!, next = scratch.baseAddress! + widest
            for i in 0..<sizes[0] { current[i] = input[i] }
            for l in 0..<weights.count {
                let inSize = sizes[l], outSize = sizes[l + 1]
                weights[l].withUnsafeBufferPointer { w in
                    biases[l].withUnsafeBufferPointer { b in
                        for o in 0..<outSize { next[o] = b[o] }
                        for i in 0..<inSize {
                            let xi = current[i]
                            if xi == 0 { continue }
                            let column = w.baseAddress! + i * outSize
                            for o in 0..<outSize { next[o] += xi * column[o] }
                        }
                        if l < weights.count - 1 { for o in 0..<outSize where next[o] < 0 { next[o] = 0 } }
                    }
                }
                swap(&current, &next)
            }
            var best = 0
            for o in 1..<sizes.last! where current[o] > current[best] { best = o }
            return best
        }
    }

    /// Gradients of the loss with respect to every weight and bias, given the activations of a
    /// forward pass and the loss's gradient with respect to the output.
    func gradients(activations: [[Double]], outputGradient: [Double], batch: Int) -> (weights: [[Double]], biases: [[Double]]) {
        if let gemm = BLAS.gemm { return gradients(activations: activations, outputGradient: outputGradient, batch: batch, gemm) }
        return gradientsByLoops(activations: activations, outputGradient: outputGradient, batch: batch)
    }

    /// `gradients` in the network's own loops (no BLAS).
    func gradientsByLoops(activations: [[Double]], outputGradient: [Double], batch: Int) -> (weights: [[Double]], biases: [[Double]]) {
        var weightGradients = weights.map { [Double](repeating: 0, count: $0.count) }
        var biasGradients = biases.map { [Double](repeating: 0, count: $0.count) }
        var delta = outputGradient
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            let inSize = sizes[l], outSize = sizes[l + 1]
            var previous = [Double](repeating: 0, count: batch * inSize)
            activations[l].withUnsafeBufferPointer { x in
                weights[l].withUnsafeBufferPointer { w in
                    delta.withUnsafeBufferPointer { d in
                        weightGradients[l].withUnsafeMutableBufferPointer { gw in
                            biasGradients[l].withUnsafeMutableBufferPointer { gb in
                                previous.withUnsafeMutableBufferPointer { back in
                                    for n in 0..<batch {
                                        let dn = d.baseAddress! + n * outSize
                                        for o in 0..<outSize { gb[o] += dn[o] }
                                        for i in 0..<inSize {
                                            let xi = x[n * inSize + i]
                                            let wi = w.baseAddress! + i * outSize, gi = gw.baseAddress! + i * outSize
                                            if xi != 0 { for o in 0..<outSize { gi[o] += xi * dn[o] } }
                                            let sum = dot(wi, dn, outSize)
                                            // ReLU's derivative: the input activation was positive.
                                            back[n * inSize + i] = l > 0 && xi <= 0 ? 0 : sum
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            delta = previous
        }
        return (weightGradients, biasGradients)
    }
}

/// Σ a[i]·b[i] with eight independent partial sums: a plain loop is one long chain of dependent
/// additions (floating point cannot be reordered by the compiler), which left back-propagation
/// scalar and latency-bound.
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD8<Double>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self) * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
        i += 8
    }
    var sum = acc.sum()
    while i < n { sum += a[i] * b[i]; i += 1 }
    return sum
}

import Foundation
