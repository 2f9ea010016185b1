/// The batch passes in the network's own loops, where OpenBLAS is not installed (or
/// `NOVACRON_BLAS=off`).
extension DenseNetwork {
    func forwardByLoops(_ workspace: inout Workspace) {
        let batch = workspace.batch
        forEachLayer(&workspace) { layer in
            for n in 0..<batch {
                let row = layer.y + n * layer.outputs
                row.update(from: layer.biases, count: layer.outputs)
                for i in 0..<layer.inputs {
                    let xi = layer.x[n * layer.inputs + i]
                    if xi != 0 { Vector.add(layer.weights + i * layer.outputs, times: xi, into: row, count: layer.outputs) }
                }
            }
            if layer.isHidden { Vector.zeroWhereNegative(layer.y, count: batch * layer.outputs) }
        }
    }

    func backwardByLoops(_ workspace: inout Workspace, into gradient: inout [Float]) {
        let batch = workspace.batch, activations = workspace.activationOffsets, deltas = workspace.gradientOffsets
        parameters.withUnsafeBufferPointer { p in
            workspace.buffer.withUnsafeMutableBufferPointer { b in
                gradient.withUnsafeMutableBufferPointer { g in
                    g.update(repeating: 0)
                    for l in stride(from: layerCount - 1, through: 0, by: -1) {
                        let inSize = sizes[l], outSize = sizes[l + 1]
                        let x = b.baseAddress! + activations[l], d = b.baseAddress! + deltas[l + 1], back = b.baseAddress! + deltas[l]
                        let w = p.baseAddress! + weightOffsets[l]
                        let gw = g.baseAddress! + weightOffsets[l], gb = g.baseAddress! + biasOffsets[l]
                        for n in 0..<batch {
                            let dn = d + n * outSize
                            Vector.add(dn, into: gb, count: outSize)
                            for i in 0..<inSize {
                                let xi = x[n * inSize + i]
                                if xi != 0 { Vector.add(dn, times: xi, into: gw + i * outSize, count: outSize) }
                                // The first layer's input needs no gradient; ReLU passes one only where its output was positive.
                                if l > 0 { back[n * inSize + i] = xi > 0 ? Vector.dot(w + i * outSize, dn, count: outSize) : 0 }
                            }
                        }
                    }
                }
            }
        }
    }
}
