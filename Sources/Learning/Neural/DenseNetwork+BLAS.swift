/// The batch paths of `DenseNetwork` as matrix products through OpenBLAS: a layer's forward
/// pass is Y = X·W + b, its backward pass ∂W = Xᵀ·Δ and Δ_previous = Δ·Wᵀ (masked by ReLU).
extension DenseNetwork {
    func forward(_ input: [Double], batch: Int, _ gemm: BLAS.GEMM) -> [[Double]] {
        var activations = [input]
        activations.reserveCapacity(weights.count + 1)
        for l in 0..<weights.count {
            let inSize = sizes[l], outSize = sizes[l + 1]
            var out = [Double](repeating: 0, count: batch * outSize)
            let isHidden = l < weights.count - 1
            activations[l].withUnsafeBufferPointer { x in
                weights[l].withUnsafeBufferPointer { w in
                    biases[l].withUnsafeBufferPointer { b in
                        out.withUnsafeMutableBufferPointer { y in
                            for n in 0..<batch { (y.baseAddress! + n * outSize).update(from: b.baseAddress!, count: outSize) }
                            BLAS.multiply(gemm, x.baseAddress!, transposeA: false, w.baseAddress!, transposeB: false, into: y.baseAddress!,
                                          m: batch, n: outSize, k: inSize, beta: 1)
                            if isHidden { Vector.zeroWhereNegative(y.baseAddress!, count: y.count) }
                        }
                    }
                }
            }
            activations.append(out)
        }
        return activations
    }

    func gradients(activations: [[Double]], outputGradient: [Double], batch: Int, _ gemm: BLAS.GEMM) -> (weights: [[Double]], biases: [[Double]]) {
        var weightGradients = weights.map { [Double](repeating: 0, count: $0.count) }
        var biasGradients = biases.map { [Double](repeating: 0, count: $0.count) }
        var delta = outputGradient
        for l in stride(from: weights.count - 1, through: 0, by: -1) {
            let inSize = sizes[l], outSize = sizes[l + 1]
            // The first layer's input needs no gradient.
            var previous = [Double](repeating: 0, count: l > 0 ? batch * inSize : 0)
            activations[l].withUnsafeBufferPointer { x in
                weights[l].withUnsafeBufferPointer { w in
                    delta.withUnsafeBufferPointer { d in
                        biasGradients[l].withUnsafeMutableBufferPointer { gb in
                            for n in 0..<batch { Vector.add(d.baseAddress! + n * outSize, into: gb.baseAddress!, count: outSize) }
                        }
                        weightGradients[l].withUnsafeMutableBufferPointer { gw in
                            BLAS.multiply(gemm, x.baseAddress!, transposeA: true, d.baseAddress!, transposeB: false, into: gw.baseAddress!,
                                          m: inSize, n: outSize, k: batch, beta: 0)
                        }
                        guard l > 0 else { return }
                        previous.withUnsafeMutableBufferPointer { back in
                            BLAS.multiply(gemm, d.baseAddress!, transposeA: false, w.baseAddress!, transposeB: true, into: back.baseAddress!,
                                          m: batch, n: inSize, k: outSize, beta: 0)
                            // ReLU's derivative: the input activation was positive.
                            Vector.zeroWhereNotPositive(back.baseAddress!, mask: x.baseAddress!, count: back.count)
                        }
                    }
                }
            }
            delta = previous
        }
        return (weightGradients, biasGradients)
    }
}

/// Element-wise loops over doubles, eight at a time (a branch per element kept them scalar).
enum Vector {
    static func zeroWhereNegative(_ p: UnsafeMutablePointer<Double>, count: Int) {
        let raw = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            raw.storeBytes(of: x.replacing(with: 0, where: x .< 0), toByteOffset: i * 8, as: SIMD8<Double>.self)
            i += 8
        }
        while i < count { if p[i] < 0 { p[i] = 0 }; i += 1 }
    }

    static func zeroWhereNotPositive(_ p: UnsafeMutablePointer<Double>, mask: UnsafePointer<Double>, count: Int) {
        let raw = UnsafeMutableRawPointer(p), rawMask = UnsafeRawPointer(mask)
        var i = 0
        while i + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            let m = rawMask.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            raw.storeBytes(of: x.replacing(with: 0, where: m .<= 0), toByteOffset: i * 8, as: SIMD8<Double>.self)
            i += 8
        }
        while i < count { if mask[i] <= 0 { p[i] = 0 }; i += 1 }
    }

    static func add(_ source: UnsafePointer<Double>, into target: UnsafeMutablePointer<Double>, count: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        var i = 0
        while i + 8 <= count {
            let sum = to.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self) + from.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
            to.storeBytes(of: sum, toByteOffset: i * 8, as: SIMD8<Double>.self)
            i += 8
        }
        while i < count { target[i] += source[i]; i += 1 }
    }
}
