/// The batch passes as matrix products through OpenBLAS: a layer's forward pass is
/// Y = X·W + b, its backward pass ∂W = Xᵀ·Δ and Δ_previous = Δ·Wᵀ (masked by ReLU).
extension DenseNetwork {
    func forward(_ workspace: inout Workspace, _ gemm: BLAS.GEMM) {
        let batch = workspace.batch
        forEachLayer(&workspace) { layer in
            BLAS.multiply(
                gemm, layer.x, transposeA: false, layer.weights, transposeB: false, into: layer.y,
                m: batch, n: layer.outputs, k: layer.inputs, beta: 0)
            Vector.addBias(layer.biases, to: layer.y, rows: batch, columns: layer.outputs, rectify: layer.isHidden)
        }
    }

    func backward(_ workspace: inout Workspace, into gradient: inout [Float], _ gemm: BLAS.GEMM) {
        let batch = workspace.batch, activations = workspace.activationOffsets, deltas = workspace.gradientOffsets
        parameters.withUnsafeBufferPointer { p in
            workspace.buffer.withUnsafeMutableBufferPointer { b in
                gradient.withUnsafeMutableBufferPointer { g in
                    for l in stride(from: layerCount - 1, through: 0, by: -1) {
                        let inSize = sizes[l], outSize = sizes[l + 1]
                        let x = b.baseAddress! + activations[l], d = b.baseAddress! + deltas[l + 1]
                        let gb = g.baseAddress! + biasOffsets[l]
                        Vector.columnSums(d, rows: batch, columns: outSize, into: gb)
                        BLAS.multiply(
                            gemm, x, transposeA: true, d, transposeB: false, into: g.baseAddress! + weightOffsets[l],
                            m: inSize, n: outSize, k: batch, beta: 0)
                        // The first layer's input needs no gradient.
                        guard l > 0 else { continue }
                        let back = b.baseAddress! + deltas[l]
                        BLAS.multiply(
                            gemm, d, transposeA: false, p.baseAddress! + weightOffsets[l], transposeB: true, into: back,
                            m: batch, n: inSize, k: outSize, beta: 0)
                        // ReLU's derivative: the unit's output was positive.
                        Vector.zeroWhereNotPositive(back, mask: x, count: batch * inSize)
                    }
                }
            }
        }
    }
}
