/// A trained network frozen for deciding: its weights in rows padded to whole SIMD vectors, so
/// one decision of the default 9 → 128 → 128 → 64 → 8 network (26k multiply-adds) takes about a
/// microsecond and a half. Take a new snapshot after training to deploy it.
public struct InferenceNetwork: Sendable {
    public let sizes: [Int]
    /// Per layer, input-major like `DenseNetwork` (weight i → o at `i * stride + o`), each row
    /// padded to a multiple of 8 outputs so every row is whole SIMD vectors.
    let weights: [[Float]]
    let biases: [[Float]]
    let strides: [Int]

    public init(_ network: DenseNetwork) {
        sizes = network.sizes
        var weights: [[Float]] = [], biases: [[Float]] = [], strides: [Int] = []
        for l in 0..<(network.sizes.count - 1) {
            let inSize = network.sizes[l], outSize = network.sizes[l + 1]
            let stride = (outSize + 7) / 8 * 8
            var w = [Float](repeating: 0, count: inSize * stride)
            let layerWeights = network.weights(l), layerBiases = network.biases(l)
            for i in 0..<inSize { for o in 0..<outSize { w[i * stride + o] = layerWeights[layerWeights.startIndex + i * outSize + o] } }
            var b = [Float](repeating: 0, count: stride)
            for o in 0..<outSize { b[o] = layerBiases[layerBiases.startIndex + o] }
            weights.append(w)
            biases.append(b)
            strides.append(stride)
        }
        self.weights = weights
        self.biases = biases
        self.strides = strides
    }

    /// The index of the largest output for one input; no heap allocation.
    public func argmax(_ input: [Double]) -> Int {
        let widest = strides.max()! + (sizes[0] + 7) / 8 * 8
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * widest) { scratch in
            var current = scratch.baseAddress!, next = scratch.baseAddress! + widest
            for i in 0..<sizes[0] { current[i] = Float(input[i]) }
            for l in 0..<weights.count {
                let inSize = sizes[l], stride = strides[l], vectors = stride / 8
                weights[l].withUnsafeBufferPointer { w in
                    biases[l].withUnsafeBufferPointer { b in
                        let out = UnsafeMutableRawPointer(next)
                        let bias = UnsafeRawPointer(b.baseAddress!)
                        for v in 0..<vectors {
                            out.storeBytes(of: bias.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self), toByteOffset: v * 32, as: SIMD8<Float>.self)
                        }
                        for i in 0..<inSize {
                            let xi = current[i]
                            if xi == 0 { continue }
                            let x = SIMD8<Float>(repeating: xi)
                            let row = UnsafeRawPointer(w.baseAddress! + i * stride)
                            for v in 0..<vectors {
                                let sum =
                                    out.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                                    + x * row.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                                out.storeBytes(of: sum, toByteOffset: v * 32, as: SIMD8<Float>.self)
                            }
                        }
                        if l < weights.count - 1 {
                            for v in 0..<vectors {
                                let value = out.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self)
                                out.storeBytes(of: value.replacing(with: 0, where: value .< 0), toByteOffset: v * 32, as: SIMD8<Float>.self)
                            }
                        }
                    }
                }
                swap(&current, &next)
            }
            var best = 0
            for o in 1..<sizes.last! where current[o] > current[best] { best = o }
            return best
        }
    }

    /// The outputs for one input (for checks against the training network).
    public func outputs(_ input: [Double]) -> [Double] {
        var values = input.map(Float.init)
        for l in 0..<weights.count {
            let inSize = sizes[l], outSize = sizes[l + 1], stride = strides[l]
            var next = Array(biases[l][0..<outSize])
            for i in 0..<inSize where values[i] != 0 {
                for o in 0..<outSize { next[o] += values[i] * weights[l][i * stride + o] }
            }
            if l < weights.count - 1 { next = next.map { max(0, $0) } }
            values = next
        }
        return values.map(Double.init)
    }
}
